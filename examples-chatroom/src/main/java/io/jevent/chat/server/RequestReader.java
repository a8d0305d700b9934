package io.jevent.chat.server;

import io.jevent.chat.protocol.CommandParser;
import io.jevent.chat.protocol.ParseResult;
import io.jevent.chat.protocol.Protocol;
import io.jevent.chat.protocol.ProtocolError;
import io.jevent.chat.protocol.Utf8LineDecoder;
import io.jevent.core.buffer.EolStyle;
import io.jevent.core.buffer.EvBuffer;
import io.jevent.core.buffer.LineTooLongException;

/**
 * Turns one connection's input bytes into requests: line framing ({@code \n} or {@code \r\n}: the
 * framer removes the LF and at most one CR before it, any other CR stays in the line for the parser
 * to refuse as a control character), the line length limit, strict UTF-8, then {@link CommandParser}.
 *
 * <p>A line over {@link Protocol#MAX_LINE_BYTES} yields {@code ERR 413} once and is then skipped up
 * to its {@code \n}, however many reads that takes, so the connection stays usable. Bytes are only
 * consumed when {@link #next} is called: a session that is waiting (a command in flight, output
 * full) leaves later lines in the input buffer, which the read high watermark bounds.
 *
 * <p>Threading: owned by the session's loop thread, like the buffer and the decoder it reads with.
 */
final class RequestReader {
    private final EvBuffer in;
    private final Utf8LineDecoder decoder;
    /** Set after an over-long line: its remainder, up to the next newline, is not a request. */
    private boolean discardingLine;

    /**
     * @param in      the connection's input buffer
     * @param decoder the loop's decoder (loop confined, so one per loop is enough)
     */
    RequestReader(EvBuffer in, Utf8LineDecoder decoder) {
        this.in = in;
        this.decoder = decoder;
    }

    /**
     * Takes the next complete request line out of the input.
     *
     * @param loggedIn whether the connection is logged in (decides {@code ERR 401} for some verbs)
     * @return the parsed command, the {@link ProtocolError} to reply with (framing, UTF-8 or parse
     *         error), or null if no complete line is buffered yet
     */
    ParseResult next(boolean loggedIn) {
        if (discardingLine) {
            if (!in.discardLine(EolStyle.CRLF)) {
                return null;
            }
            discardingLine = false;
        }
        byte[] raw;
        try {
            raw = in.readLineBytes(EolStyle.CRLF, Protocol.MAX_LINE_BYTES);
        } catch (LineTooLongException e) {
            discardingLine = true;
            return ProtocolError.TOO_LONG;
        }
        if (raw == null) {
            return null;
        }
        String line = decoder.decode(raw, 0, raw.length);
        if (line == null) {
            return ProtocolError.INVALID_UTF8;
        }
        return CommandParser.parse(line, loggedIn);
    }
}
