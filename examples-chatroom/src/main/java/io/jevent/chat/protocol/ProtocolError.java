package io.jevent.chat.protocol;

/**
 * An {@code ERR <code> <text>} reply: a protocol error code (HTTP-like numbers) and a short text.
 *
 * <p>Immutable; the shared constants below are safe to use from any thread. {@link #line()} is the
 * ready-to-write reply line.
 *
 * @param code the numeric error code, 400–599
 * @param text one line of explanation, no control characters
 */
public record ProtocolError(int code, String text) implements ParseResult {
    /** Malformed request: syntax, missing or extra arguments, control characters. */
    public static final int BAD_REQUEST = 400;
    /** Not logged in, or wrong credentials. */
    public static final int UNAUTHORIZED = 401;
    /** The named user does not exist. */
    public static final int NOT_FOUND = 404;
    /** Name taken, or already logged in on this connection. */
    public static final int CONFLICT = 409;
    /** A line longer than {@link Protocol#MAX_LINE_BYTES}. */
    public static final int LINE_TOO_LONG = 413;
    /** Well-formed but unacceptable value (bad name, password length, count out of range). */
    public static final int UNPROCESSABLE = 422;
    /** Too many login attempts, or messages sent faster than the per-user limit. */
    public static final int TOO_MANY_ATTEMPTS = 429;
    /** The server failed (database error); nothing of the request was done. */
    public static final int INTERNAL = 500;
    /** The server is overloaded or shutting down; nothing was done, the client may retry. */
    public static final int UNAVAILABLE = 503;

    public static final ProtocolError UNKNOWN_COMMAND = new ProtocolError(BAD_REQUEST, "unknown command");
    public static final ProtocolError INVALID_UTF8 = new ProtocolError(BAD_REQUEST, "invalid utf-8");
    public static final ProtocolError CONTROL_CHARACTER =
            new ProtocolError(BAD_REQUEST, "control characters are not allowed");
    public static final ProtocolError TOO_LONG = new ProtocolError(LINE_TOO_LONG, "line too long");
    public static final ProtocolError LOGIN_REQUIRED = new ProtocolError(UNAUTHORIZED, "login required");
    public static final ProtocolError BAD_CREDENTIALS = new ProtocolError(UNAUTHORIZED, "bad credentials");
    public static final ProtocolError ALREADY_LOGGED_IN =
            new ProtocolError(CONFLICT, "already logged in, LOGOUT first");
    public static final ProtocolError WRONG_PASSWORD = new ProtocolError(UNAUTHORIZED, "wrong password");
    public static final ProtocolError NAME_TAKEN = new ProtocolError(CONFLICT, "name taken");
    public static final ProtocolError NO_SUCH_USER = new ProtocolError(NOT_FOUND, "no such user");
    public static final ProtocolError RATE_LIMITED = new ProtocolError(TOO_MANY_ATTEMPTS, "too many attempts");
    public static final ProtocolError SLOW_DOWN = new ProtocolError(TOO_MANY_ATTEMPTS, "slow down");
    public static final ProtocolError BUSY = new ProtocolError(UNAVAILABLE, "server busy, try again");
    public static final ProtocolError SHUTTING_DOWN = new ProtocolError(UNAVAILABLE, "server shutting down");

    /** Checks the code range; the text is sanitised when formatted, never trusted raw. */
    public ProtocolError {
        if (code < 400 || code > 599) {
            throw new IllegalArgumentException("error code out of range: " + code);
        }
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException("error text must not be empty");
        }
    }

    /**
     * The reply line for this error.
     *
     * @return {@code "ERR <code> <text>\n"}
     */
    public String line() {
        return Replies.err(code, text);
    }
}
