package io.jevent.core.buffer;

/**
 * What ends a line for {@link EvBuffer#readLine(EolStyle)} and friends; libevent's
 * {@code enum evbuffer_eol_style}, with the same semantics.
 */
public enum EolStyle {
    /**
     * Any run of one or more CR and LF characters, in any order, ends the line and is consumed
     * whole ({@code EVBUFFER_EOL_ANY}). Quick and forgiving, but blank lines vanish, and a CR that
     * arrives without its LF ends the line on its own: the LF that follows later reads as an empty
     * line. Prefer {@link #CRLF} for network protocols.
     */
    ANY,
    /**
     * A LF, optionally preceded by a CR ({@code EVBUFFER_EOL_CRLF}); a CR elsewhere is data.
     * The usual choice for text protocols such as HTTP, SMTP or a chat line protocol.
     */
    CRLF,
    /** Exactly CR LF ({@code EVBUFFER_EOL_CRLF_STRICT}); a lone CR or LF is data. */
    CRLF_STRICT,
    /** A single LF ({@code EVBUFFER_EOL_LF}); a CR before it stays part of the line. */
    LF,
    /** A single NUL byte ({@code EVBUFFER_EOL_NUL}). */
    NUL
}
