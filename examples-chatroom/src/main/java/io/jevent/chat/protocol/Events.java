package io.jevent.chat.protocol;

/**
 * Formats asynchronous event lines, sent between replies (never inside a reply's block). Each
 * method returns one complete line ending in {@code \n}; variable text has control characters
 * replaced by U+FFFD.
 *
 * <p>Stateless: callable from any thread.
 */
public final class Events {
    /**
     * {@code PING}: a keepalive probe to a logged-in connection that has been quiet. The client
     * answers by sending any request, normally the {@code PING} command.
     */
    public static final String PING = "PING\n";

    private Events() {
    }

    /**
     * {@code FROM <name> <id> <epoch-ms> <text>}: a private message.
     *
     * @param sender  sender's name
     * @param id      message id
     * @param epochMs commit time, milliseconds since the epoch
     * @param text    body
     * @return the line
     */
    public static String from(String sender, long id, long epochMs, String text) {
        return message("FROM ", sender, id, epochMs, text);
    }

    /**
     * {@code GROUP <name> <id> <epoch-ms> <text>}: a message to everyone.
     *
     * @param sender  sender's name
     * @param id      message id
     * @param epochMs commit time, milliseconds since the epoch
     * @param text    body
     * @return the line
     */
    public static String group(String sender, long id, long epochMs, String text) {
        return message("GROUP ", sender, id, epochMs, text);
    }

    /**
     * {@code JOIN <name>}: a user logged in.
     *
     * @param name the user
     * @return the line
     */
    public static String join(String name) {
        return "JOIN " + LineText.clean(name) + "\n";
    }

    /**
     * {@code PART <name>}: a user logged out or disconnected.
     *
     * @param name the user
     * @return the line
     */
    public static String part(String name) {
        return "PART " + LineText.clean(name) + "\n";
    }

    /**
     * {@code BYE <reason>}: the server is about to close this connection (shutdown, idle, ...).
     *
     * @param reason short explanation
     * @return the line
     */
    public static String bye(String reason) {
        return "BYE " + LineText.clean(reason) + "\n";
    }

    private static String message(String kind, String sender, long id, long epochMs, String text) {
        return kind + LineText.clean(sender) + " " + id + " " + epochMs + " " + LineText.clean(text) + "\n";
    }
}
