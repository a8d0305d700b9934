package io.jevent.chat.client;

import java.util.List;

/**
 * The server's complete answer to one request: its data lines and its final {@code OK}/{@code ERR}
 * line; or the fact that no answer can come.
 *
 * @param data  the data lines before the final line ({@code USER ...}, {@code HIST ...}, {@code HELP ...})
 * @param code  0 for {@code OK}, the error code for {@code ERR}, {@link #NOT_SENT} or {@link #LOST}
 * @param text  the text after {@code OK} or after the error code (may be empty)
 */
record Reply(List<String> data, int code, String text) {
    /** The request was never sent: there was no connection. */
    static final int NOT_SENT = -1;
    /** The connection broke after the request was sent and before its answer came. */
    static final int LOST = -2;

    static Reply notSent() {
        return new Reply(List.of(), NOT_SENT, "");
    }

    static Reply lost() {
        return new Reply(List.of(), LOST, "");
    }

    /**
     * Parses a final line.
     *
     * @return the reply, or {@code null} if {@code line} is not a final line
     */
    static Reply parseFinal(List<String> data, String line) {
        if (line.equals("OK") || line.startsWith("OK ")) {
            return new Reply(data, 0, line.length() > 3 ? line.substring(3) : "");
        }
        if (line.startsWith("ERR ")) {
            int space = line.indexOf(' ', 4);
            String digits = space < 0 ? line.substring(4) : line.substring(4, space);
            try {
                return new Reply(data, Integer.parseInt(digits), space < 0 ? "" : line.substring(space + 1));
            } catch (NumberFormatException e) {
                return new Reply(data, 500, line.substring(4));   // a garbled error is still an error
            }
        }
        return null;
    }

    boolean ok() {
        return code == 0;
    }
}
