package io.jevent.chat.protocol;

/**
 * Formats the server's reply lines. Every method returns one or more complete lines, each ending
 * in {@code \n}, ready to be encoded as UTF-8 and written. Variable text (names, message bodies,
 * error texts) is passed through a control-character filter so a reply can never contain a
 * stray line break.
 *
 * <p>Stateless: callable from any thread.
 */
public final class Replies {
    /** {@code HELLO jevent-chat 1}: the first line on every connection. */
    public static final String GREETING = Protocol.GREETING + "\n";
    /** Bare {@code OK}. */
    public static final String OK = "OK\n";
    /** Reply to a successful REGISTER. */
    public static final String REGISTERED = "OK registered\n";
    /** Reply to PING. */
    public static final String PONG = "OK pong\n";
    /** Reply to LOGOUT and QUIT. */
    public static final String BYE = "OK bye\n";
    /** Reply to a successful PASSWORD, after its {@code TOKEN} line. */
    public static final String PASSWORD_CHANGED = "OK password changed\n";
    /** The complete reply to HELP: the HELP lines followed by {@code OK}. */
    public static final String HELP = helpBlock();

    private Replies() {
    }

    /**
     * {@code OK <text>}.
     *
     * @param text reply text; control characters are replaced by U+FFFD
     * @return the line
     */
    public static String ok(String text) {
        return "OK " + LineText.clean(text) + "\n";
    }

    /**
     * {@code OK <n>}: ends a WHO or HISTORY block.
     *
     * @param n the number of data lines that preceded it
     * @return the line
     */
    public static String okCount(int n) {
        return "OK " + n + "\n";
    }

    /**
     * {@code TOKEN <token>}: the data line before a successful LOGIN's {@code OK welcome}, the
     * secret that RESUME takes instead of the password.
     *
     * @param token the resume token (base64url, no spaces)
     * @return the line
     */
    public static String token(String token) {
        return "TOKEN " + token + "\n";
    }

    /**
     * {@code OK welcome <name>}: reply to a successful LOGIN or RESUME.
     *
     * @param name the user's name as registered
     * @return the line
     */
    public static String welcome(String name) {
        return "OK welcome " + LineText.clean(name) + "\n";
    }

    /**
     * {@code OK sent <id>}: the message is committed and was handed to the online recipient(s).
     *
     * @param messageId the stored message id
     * @return the line
     */
    public static String sent(long messageId) {
        return "OK sent " + messageId + "\n";
    }

    /**
     * {@code OK stored <id>}: the message is committed; the recipient is offline and gets it at
     * their next login.
     *
     * @param messageId the stored message id
     * @return the line
     */
    public static String stored(long messageId) {
        return "OK stored " + messageId + "\n";
    }

    /**
     * {@code ERR <code> <text>}.
     *
     * @param code error code, see {@link ProtocolError}
     * @param text one-line explanation; control characters are replaced by U+FFFD
     * @return the line
     */
    public static String err(int code, String text) {
        return "ERR " + code + " " + LineText.clean(text) + "\n";
    }

    /**
     * The line for a {@link ProtocolError}.
     *
     * @param error the error
     * @return {@code ERR <code> <text>\n}
     */
    public static String err(ProtocolError error) {
        return err(error.code(), error.text());
    }

    /**
     * {@code USER <name>}: one data line of a WHO reply.
     *
     * @param name an online user's name
     * @return the line
     */
    public static String user(String name) {
        return "USER " + LineText.clean(name) + "\n";
    }

    /**
     * {@code HIST <id> <epoch-ms> <from> <to|*> <text>}: one data line of a HISTORY reply.
     *
     * @param id       message id
     * @param epochMs  commit time, milliseconds since the epoch
     * @param from     sender name
     * @param toOrNull recipient name, or null for a group message (printed as {@code *})
     * @param text     message body
     * @return the line
     */
    public static String hist(long id, long epochMs, String from, String toOrNull, String text) {
        return "HIST " + id + " " + epochMs + " " + LineText.clean(from) + " "
                + (toOrNull == null ? "*" : LineText.clean(toOrNull)) + " " + LineText.clean(text) + "\n";
    }

    private static String helpBlock() {
        String[] lines = {
            "commands (verbs are case-insensitive):",
            "REGISTER <name> <password>  create an account (name: 1-32 of A-Z a-z 0-9 _ . -; password: 8-128 bytes)",
            "LOGIN <name> <password>     log in; TOKEN <token> comes first, then OK, then messages received while offline",
            "RESUME <name> <token>       log in with the TOKEN of an earlier LOGIN, without the password, until LOGOUT or expiry",
            "WHO                         list online users",
            "MSG <name> <text>           private message (stored if <name> is offline)",
            "SAY <text>                  message to every online user",
            "HISTORY [<count>] [<name>]  last messages you may see (default 20, max 500); with <name>: that conversation",
            "SEEN <id>                   you have the private messages up to FROM <id>: they are not sent again",
            "PASSWORD <old> <new>        change your password; every resume token is revoked, TOKEN <token> is a new one",
            "LOGOUT                      log out, keep the connection",
            "PING                        check the connection",
            "QUIT                        close the connection",
            "HELP                        this text",
        };
        StringBuilder sb = new StringBuilder();
        for (String line : lines) {
            sb.append("HELP ").append(line).append('\n');
        }
        return sb.append(OK).toString();
    }
}
