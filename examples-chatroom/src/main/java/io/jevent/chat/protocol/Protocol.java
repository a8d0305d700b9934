package io.jevent.chat.protocol;

/**
 * Limits and fixed strings of the jevent chat protocol, version 1.
 *
 * <p>Every value here is part of the wire contract documented in {@code docs/protocol.md}; change
 * them together. Constants only: safe to read from any thread.
 */
public final class Protocol {
    /** Maximum bytes of one line, not counting its {@code \n} or {@code \r\n} terminator. */
    public static final int MAX_LINE_BYTES = 4096;
    /** Shortest user name, in characters (names are ASCII, so also bytes). */
    public static final int MIN_NAME_LENGTH = 1;
    /** Longest user name, in characters. */
    public static final int MAX_NAME_LENGTH = 32;
    /** Shortest password, in UTF-8 bytes. */
    public static final int MIN_PASSWORD_BYTES = 8;
    /** Longest password, in UTF-8 bytes. */
    public static final int MAX_PASSWORD_BYTES = 128;
    /** Number of messages {@code HISTORY} returns when no count is given. */
    public static final int DEFAULT_HISTORY = 20;
    /** Largest count {@code HISTORY} accepts. */
    public static final int MAX_HISTORY = 500;
    /** Length of a resume token: 256 random bits in unpadded base64url. */
    public static final int RESUME_TOKEN_CHARS = 43;
    /** The line the server sends first on every connection (without terminator). */
    public static final String GREETING = "HELLO jevent-chat 1";

    private Protocol() {
    }
}
