package io.jevent.chat.protocol;

import java.util.EnumMap;
import java.util.Map;

/**
 * Turns one decoded request line into a {@link Command} or the {@link ProtocolError} to reply with.
 *
 * <p>Grammar (see {@code docs/protocol.md}): tokens are separated by one or more spaces (U+0020);
 * leading spaces are ignored; the verb is matched ASCII-case-insensitively; a text argument is
 * everything after the spaces that follow the previous token, kept verbatim (inner and trailing
 * spaces included). Any control character (Unicode category Cc: U+0000–U+001F, U+007F–U+009F,
 * which includes NUL, TAB, CR and LF) anywhere in the line rejects the whole line with
 * {@code ERR 400}: rejecting instead of stripping means what is stored and relayed is exactly what
 * the sender typed, and no text can inject a line break into another user's stream.
 *
 * <p>Checks are made in this order, and the first failure is the reply: control characters, empty
 * line, unknown verb, login state, then the verb's arguments.
 *
 * <p>Stateless and allocation-light; {@link #parse} may be called from any thread, normally the
 * loop thread that owns the connection.
 */
public final class CommandParser {
    private static final ProtocolError EMPTY_LINE = new ProtocolError(ProtocolError.BAD_REQUEST, "empty line");
    private static final ProtocolError BAD_NAME = new ProtocolError(ProtocolError.UNPROCESSABLE,
            "name must be 1-32 characters of A-Z a-z 0-9 _ . -");
    private static final ProtocolError BAD_PASSWORD = new ProtocolError(ProtocolError.UNPROCESSABLE,
            "password must be 8-128 bytes");
    private static final ProtocolError COUNT_NOT_A_NUMBER = new ProtocolError(ProtocolError.BAD_REQUEST,
            "count must be a number");
    private static final ProtocolError COUNT_OUT_OF_RANGE = new ProtocolError(ProtocolError.UNPROCESSABLE,
            "count must be 1-" + Protocol.MAX_HISTORY);
    private static final Map<Verb, ProtocolError> USAGE = usageErrors();

    private CommandParser() {
    }

    /**
     * Parses one request line.
     *
     * @param line     the decoded line; a trailing {@code \n} or {@code \r\n} is ignored if still
     *                 present, any other CR is a control character
     * @param loggedIn whether the connection is logged in: before login only HELP, REGISTER, LOGIN,
     *                 PING and QUIT are accepted ({@code ERR 401 login required} otherwise); after
     *                 login, LOGIN and RESUME are refused with {@code ERR 409}
     * @return a {@link Command}, or the {@link ProtocolError} to send; never null
     */
    public static ParseResult parse(String line, boolean loggedIn) {
        int end = contentEnd(line);
        for (int i = 0; i < end; i++) {
            if (isControl(line.charAt(i))) {
                return ProtocolError.CONTROL_CHARACTER;
            }
        }
        int verbStart = skipSpaces(line, 0, end);
        if (verbStart == end) {
            return EMPTY_LINE;
        }
        int verbEnd = tokenEnd(line, verbStart, end);
        Verb verb = lookupVerb(line, verbStart, verbEnd);
        if (verb == null) {
            return ProtocolError.UNKNOWN_COMMAND;
        }
        if (!loggedIn && !verb.allowedBeforeLogin()) {
            return ProtocolError.LOGIN_REQUIRED;
        }
        if (loggedIn && (verb == Verb.LOGIN || verb == Verb.RESUME)) {
            return ProtocolError.ALREADY_LOGGED_IN;
        }
        int args = skipSpaces(line, verbEnd, end);
        return switch (verb) {
            case REGISTER, LOGIN, RESUME -> credentials(verb, line, args, end);
            case MSG -> privateMessage(line, args, end);
            case SAY -> args == end ? USAGE.get(verb) : new Command(verb, null, null, line.substring(args, end), 0);
            case HISTORY -> history(line, args, end);
            case SEEN -> seen(line, args, end);
            case PASSWORD -> passwordChange(line, args, end);
            default -> args == end ? new Command(verb, null, null, null, 0) : USAGE.get(verb);
        };
    }

    /**
     * Whether {@code name} is a syntactically valid user name: 1–32 characters of
     * {@code [A-Za-z0-9_.-]}.
     *
     * @param name the candidate, may be null
     * @return true if valid
     */
    public static boolean isValidName(String name) {
        return name != null && isValidName(name, 0, name.length());
    }

    private static ParseResult credentials(Verb verb, String line, int start, int end) {
        int nameEnd = tokenEnd(line, start, end);
        int pwStart = skipSpaces(line, nameEnd, end);
        int pwEnd = tokenEnd(line, pwStart, end);
        if (start == nameEnd || pwStart == pwEnd || skipSpaces(line, pwEnd, end) != end) {
            return USAGE.get(verb);
        }
        // LOGIN and RESUME never say which part was malformed: the reply must not help guessing.
        boolean login = verb != Verb.REGISTER;
        ProtocolError nameError = login ? ProtocolError.BAD_CREDENTIALS : BAD_NAME;
        ProtocolError pwError = login ? ProtocolError.BAD_CREDENTIALS : BAD_PASSWORD;
        if (!isValidName(line, start, nameEnd)) {
            return nameError;
        }
        if (verb == Verb.RESUME && !isResumeToken(line, pwStart, pwEnd)) {
            return pwError;
        }
        int pwBytes = utf8Length(line, pwStart, pwEnd);
        if (pwBytes < Protocol.MIN_PASSWORD_BYTES || pwBytes > Protocol.MAX_PASSWORD_BYTES) {
            return pwError;
        }
        return new Command(verb, line.substring(start, nameEnd), line.substring(pwStart, pwEnd), null, 0);
    }

    /**
     * {@code PASSWORD <old> <new>}: two password tokens. The new one must satisfy REGISTER's length
     * rule (checked first: saying so reveals nothing about the old one); an old one that no password
     * could have is simply the wrong password.
     */
    private static ParseResult passwordChange(String line, int start, int end) {
        int oldEnd = tokenEnd(line, start, end);
        int newStart = skipSpaces(line, oldEnd, end);
        int newEnd = tokenEnd(line, newStart, end);
        if (start == oldEnd || newStart == newEnd || skipSpaces(line, newEnd, end) != end) {
            return USAGE.get(Verb.PASSWORD);
        }
        int newBytes = utf8Length(line, newStart, newEnd);
        if (newBytes < Protocol.MIN_PASSWORD_BYTES || newBytes > Protocol.MAX_PASSWORD_BYTES) {
            return BAD_PASSWORD;
        }
        if (utf8Length(line, start, oldEnd) > Protocol.MAX_PASSWORD_BYTES) {
            return ProtocolError.WRONG_PASSWORD;
        }
        return new Command(Verb.PASSWORD, null, line.substring(start, oldEnd), line.substring(newStart, newEnd), 0);
    }

    /** Exactly {@link Protocol#RESUME_TOKEN_CHARS} characters of the base64url alphabet. */
    private static boolean isResumeToken(String s, int start, int end) {
        if (end - start != Protocol.RESUME_TOKEN_CHARS) {
            return false;
        }
        for (int i = start; i < end; i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static ParseResult privateMessage(String line, int start, int end) {
        int nameEnd = tokenEnd(line, start, end);
        int textStart = skipSpaces(line, nameEnd, end);
        if (start == nameEnd || textStart == end) {
            return USAGE.get(Verb.MSG);
        }
        if (!isValidName(line, start, nameEnd)) {
            return ProtocolError.NO_SUCH_USER;   // a name that cannot exist does not exist
        }
        return new Command(Verb.MSG, line.substring(start, nameEnd), null, line.substring(textStart, end), 0);
    }

    private static ParseResult history(String line, int start, int end) {
        int firstEnd = tokenEnd(line, start, end);
        int secondStart = skipSpaces(line, firstEnd, end);
        int secondEnd = tokenEnd(line, secondStart, end);
        if (skipSpaces(line, secondEnd, end) != end) {
            return USAGE.get(Verb.HISTORY);
        }
        if (start == firstEnd) {
            return new Command(Verb.HISTORY, null, null, null, Protocol.DEFAULT_HISTORY);
        }
        boolean firstIsNumber = isInteger(line, start, firstEnd);
        int nameStart = start;
        int nameEnd = firstEnd;
        int count = Protocol.DEFAULT_HISTORY;
        if (secondStart != secondEnd) {
            if (!firstIsNumber) {
                return COUNT_NOT_A_NUMBER;
            }
            nameStart = secondStart;
            nameEnd = secondEnd;
        }
        if (firstIsNumber) {
            count = parseCount(line, start, firstEnd);
            if (count < 1 || count > Protocol.MAX_HISTORY) {
                return COUNT_OUT_OF_RANGE;
            }
            if (secondStart == secondEnd) {
                return new Command(Verb.HISTORY, null, null, null, count);
            }
        }
        if (!isValidName(line, nameStart, nameEnd)) {
            return ProtocolError.NO_SUCH_USER;
        }
        return new Command(Verb.HISTORY, line.substring(nameStart, nameEnd), null, null, count);
    }

    /** {@code SEEN <id>}: one positive decimal id that fits a long; anything else is the usage error. */
    private static ParseResult seen(String line, int start, int end) {
        int idEnd = tokenEnd(line, start, end);
        if (start == idEnd || skipSpaces(line, idEnd, end) != end || idEnd - start > 19) {
            return USAGE.get(Verb.SEEN);
        }
        long id = 0;
        for (int i = start; i < idEnd; i++) {
            char c = line.charAt(i);
            if (c < '0' || c > '9') {
                return USAGE.get(Verb.SEEN);
            }
            id = id * 10 + (c - '0');
            if (id < 0) {
                return USAGE.get(Verb.SEEN);   // overflowed: no message has such an id
            }
        }
        return id == 0 ? USAGE.get(Verb.SEEN) : new Command(Verb.SEEN, null, null, null, 0, id);
    }

    /**
     * Strips a terminator the framer left: a trailing "\n" and at most one "\r" right before it.
     * A "\r" not followed by "\n" is content, never a terminator: the framer ({@code EolStyle.CRLF})
     * has already removed one CR with the LF, so stripping another here would accept
     * {@code PING\r\r\n}, which the protocol refuses as a control character.
     */
    private static int contentEnd(String line) {
        int end = line.length();
        if (end > 0 && line.charAt(end - 1) == '\n') {
            end--;
            if (end > 0 && line.charAt(end - 1) == '\r') {
                end--;
            }
        }
        return end;
    }

    /** Unicode category Cc: C0 controls, DEL and C1 controls. */
    static boolean isControl(char c) {
        return c < 0x20 || (c >= 0x7F && c <= 0x9F);
    }

    private static int skipSpaces(String s, int from, int end) {
        while (from < end && s.charAt(from) == ' ') {
            from++;
        }
        return from;
    }

    private static int tokenEnd(String s, int from, int end) {
        while (from < end && s.charAt(from) != ' ') {
            from++;
        }
        return from;
    }

    private static Verb lookupVerb(String s, int start, int end) {
        int length = end - start;
        for (Verb v : Verb.ALL) {
            String name = v.name();
            if (name.length() == length && equalsIgnoreAsciiCase(s, start, name)) {
                return v;
            }
        }
        return null;
    }

    /** ASCII-only folding: String.regionMatches(ignoreCase) would also accept e.g. dotless 'ı' for 'I'. */
    private static boolean equalsIgnoreAsciiCase(String s, int start, String upperAscii) {
        for (int i = 0; i < upperAscii.length(); i++) {
            char c = s.charAt(start + i);
            if (c >= 'a' && c <= 'z') {
                c = (char) (c - ('a' - 'A'));
            }
            if (c != upperAscii.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static boolean isValidName(String s, int start, int end) {
        int length = end - start;
        if (length < Protocol.MIN_NAME_LENGTH || length > Protocol.MAX_NAME_LENGTH) {
            return false;
        }
        for (int i = start; i < end; i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '_' || c == '.' || c == '-';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** An optional sign and 1+ ASCII digits; such a lone HISTORY argument is a count, not a name. */
    private static boolean isInteger(String s, int start, int end) {
        if (start < end && (s.charAt(start) == '-' || s.charAt(start) == '+')) {
            start++;
        }
        if (start == end) {
            return false;
        }
        for (int i = start; i < end; i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    /** Parses a string that passed isInteger; anything beyond the range collapses to -1 (no overflow). */
    private static int parseCount(String s, int start, int end) {
        boolean negative = s.charAt(start) == '-';
        if (negative || s.charAt(start) == '+') {
            start++;
        }
        int value = 0;
        for (int i = start; i < end; i++) {
            value = value * 10 + (s.charAt(i) - '0');
            if (value > Protocol.MAX_HISTORY) {
                return -1;
            }
        }
        return negative ? -value : value;
    }

    /**
     * The length of {@code s} in UTF-8, computed without encoding it (limits are in bytes, lines are
     * already decoded). Any thread.
     *
     * @param s text
     * @return its UTF-8 byte count (an unpaired surrogate counts as the 3 bytes of U+FFFD)
     */
    public static int utf8Length(String s) {
        return utf8Length(s, 0, s.length());
    }

    /** Length in UTF-8 without encoding: the limits are in bytes, the line is already decoded. */
    private static int utf8Length(String s, int start, int end) {
        int bytes = 0;
        for (int i = start; i < end; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                bytes += 1;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < end && Character.isLowSurrogate(s.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }

    private static Map<Verb, ProtocolError> usageErrors() {
        Map<Verb, ProtocolError> usage = new EnumMap<>(Verb.class);
        for (Verb v : Verb.ALL) {
            String args = switch (v) {
                case REGISTER, LOGIN -> " <name> <password>";
                case RESUME -> " <name> <token>";
                case MSG -> " <name> <text>";
                case SAY -> " <text>";
                case HISTORY -> " [<count>] [<name>]";
                case SEEN -> " <id>";
                case PASSWORD -> " <old-password> <new-password>";
                default -> "";
            };
            usage.put(v, new ProtocolError(ProtocolError.BAD_REQUEST, "usage: " + v.name() + args));
        }
        return usage;
    }
}
