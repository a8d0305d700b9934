package io.jevent.chat.client;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * Everything the client says to the person: menus, help, how messages look, and server errors in
 * plain words with what to do about them. Pure functions of their arguments (plus the clock for
 * "today"); any thread.
 */
final class Texts {
    static final String MENU_OUT = "1 Register   2 Log in   3 Help   0 Exit";
    static final String MENU_IN = "1 Who is online   2 Private chat   3 Group chat   4 History   0 Log out   (/quit exits)";

    static final String HELP = """
            Pick a menu number, or type a slash command anywhere:
              /register <name>      create an account (asks for the password)
              /login <name>         log in (asks for the password)
              /who                  who is online
              /chat <name>          private chat: every line you type goes to <name>
              /group                group chat: every line you type goes to everyone
              /back                 leave a chat or a question, back to the menu
              /msg <name> <text>    one private message
              /say <text>           one message to everyone
              /history [n] [name]   the last n messages (default 20), or only those with name
              /password             change your password (asks for the current and the new one)
              /logout               log out and stay connected
              /quit                 leave (also Ctrl-D or Ctrl-C)
            In a chat, start a line with // to send a line that begins with /.
            Passwords are never shown while typed and never stored by this client.""";

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm", Locale.ROOT);
    private static final DateTimeFormatter DATE_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm", Locale.ROOT);

    private Texts() {
    }

    /** A number field of a server line, or 0 if it is not one: a bad field shows as 0, never a crash. */
    static long number(String field) {
        try {
            return Long.parseLong(field);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** {@code HH:mm} for today in {@code zone}, else {@code yyyy-MM-dd HH:mm}. */
    static String when(long epochMs, ZoneId zone) {
        ZonedDateTime t = Instant.ofEpochMilli(epochMs).atZone(zone);
        boolean today = t.toLocalDate().equals(LocalDate.now(zone));
        return "[" + (today ? TIME : DATE_TIME).format(t) + "]";
    }

    /** A private message: {@code [12:03] bob -> you: hi}. */
    static String privateMessage(String from, long epochMs, String text, ZoneId zone) {
        return when(epochMs, zone) + " " + from + " -> you: " + text;
    }

    /** A group message: {@code [12:03] bob: hi}. */
    static String groupMessage(String from, long epochMs, String text, ZoneId zone) {
        return when(epochMs, zone) + " " + from + ": " + text;
    }

    /** A {@code HIST} line's fields shown: {@code [2026-01-01 12:03] ann -> bob: hi}, or group form. */
    static String historyLine(String from, String to, long epochMs, String text, ZoneId zone) {
        return "*".equals(to) ? groupMessage(from, epochMs, text, zone)
                : when(epochMs, zone) + " " + from + " -> " + to + ": " + text;
    }

    /**
     * The server's (or the connection's) refusal in plain words, with what to do.
     *
     * @param r    the failed reply
     * @param name the user the request was about, for 404; may be null
     */
    static String error(Reply r, String name) {
        String t = r.text();
        String lower = t.toLowerCase(Locale.ROOT);
        return switch (r.code()) {
            case Reply.NOT_SENT -> "Not connected to the server, so nothing was sent. The client keeps trying to"
                    + " reconnect; try again in a moment (or /quit).";
            case Reply.LOST -> "The connection broke before the server answered, so it may or may not have been"
                    + " done. Once reconnected, check with /history.";
            case 400 -> lower.contains("control")
                    ? "Messages cannot contain control characters such as tabs. Nothing was sent; retype it without them."
                    : lower.startsWith("usage") ? "The server did not accept that (" + t + "). Type /help for the commands."
                    : "The server did not understand that (" + t + "). Type /help for the commands.";
            case 401 -> lower.contains("credentials")
                    ? "Wrong name or password. Names ignore upper/lower case, passwords do not; check both and try again."
                    : lower.contains("wrong password")
                    ? "That is not your current password, so the password was not changed. Try again (/password)."
                    : "You are not logged in. Log in first (menu 2, or /login <name>).";
            case 404 -> "There is no user called " + (name == null ? "that" : "'" + name + "'")
                    + ". Check the spelling; /who lists who is online.";
            case 409 -> lower.contains("taken") ? "That name is already taken (names ignore upper/lower case). Pick another one."
                    : lower.contains("already online") ? "That user is already logged in somewhere else. Log out there"
                            + " first (or close that client), then try again."
                    : "You are already logged in. Log out first (0 in the menu, or /logout).";
            case 413 -> "That line is too long for the server (at most 4096 bytes). Split it into shorter messages.";
            case 422 -> lower.contains("password") ? "Passwords must be 8 to 128 bytes long. Choose another one."
                    : lower.contains("name") ? "Names are 1 to 32 characters of A-Z a-z 0-9 _ . - (no spaces). Choose another one."
                    : lower.contains("count") ? "The number of messages must be between 1 and 500."
                    : "The server refused that value (" + t + ").";
            case 429 -> lower.contains("registrations")
                    ? "Too many new accounts were created just now. Wait a few minutes, then try again."
                    : lower.contains("slow down")
                    ? "You are sending faster than the server allows, so that message was not sent. Wait a moment,"
                            + " then send it again."
                    : "Too many login attempts. Wait a minute, then try again.";
            case 500 -> "The server had an internal error and did nothing. Try again; if it keeps happening, tell"
                    + " whoever runs the server (its log says why).";
            case 503 -> "The server is busy or shutting down and did nothing. Try again in a moment.";
            default -> "The server refused: " + r.code() + " " + t;
        };
    }

    /** Trust on first use: what the person is asked to check before the fingerprint is pinned. */
    static String unknownServer(String server, String fingerprint, String knownFile) {
        return "The authenticity of the chat server " + server + " cannot be established: this client has not\n"
                + "seen its certificate before. Its SHA-256 fingerprint is\n"
                + "  " + fingerprint + "\n"
                + "Compare it with the one the server printed when it started (or ask whoever runs it).\n"
                + "If you say yes it is saved in " + knownFile + " and checked at every connect.";
    }

    /** The pinned certificate changed: loud, like ssh's, and nothing is sent. */
    static String serverChanged(String server, String expected, String actual, String pinnedIn, boolean commandLine) {
        return """
                @@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@
                @   WARNING: THE CHAT SERVER'S CERTIFICATE HAS CHANGED!   @
                @@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@
                IT IS POSSIBLE THAT SOMEONE IS DOING SOMETHING NASTY!
                Someone could be eavesdropping on you right now (a man-in-the-middle attack),
                or the server's certificate was replaced.
                """
                + "The server " + server + " presented the SHA-256 fingerprint\n"
                + "  " + actual + "\n"
                + "but the fingerprint " + pinnedIn + " is\n"
                + "  " + expected + "\n"
                + (commandLine
                        ? "If the new certificate is the right one, connect with its fingerprint instead.\n"
                        : "If you know the server's certificate was replaced, delete the line for " + server
                                + " from that file\nand connect again.\n")
                + "Not connecting, and nothing was sent.";
    }
}
