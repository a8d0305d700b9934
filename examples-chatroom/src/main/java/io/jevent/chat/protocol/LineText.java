package io.jevent.chat.protocol;

/**
 * Last line of defence for outgoing lines: the parser already rejects control characters in
 * input, but text read back from the database (older data, manual edits) is not trusted to be
 * clean. Any control character becomes U+FFFD so it can never end or forge a line.
 */
final class LineText {
    private LineText() {
    }

    /** Returns {@code s} itself when clean (the common case allocates nothing), else a cleaned copy. */
    static String clean(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (CommandParser.isControl(s.charAt(i))) {
                return replaceFrom(s, i);
            }
        }
        return s;
    }

    private static String replaceFrom(String s, int first) {
        StringBuilder sb = new StringBuilder(s.length());
        sb.append(s, 0, first);
        for (int i = first; i < s.length(); i++) {
            char c = s.charAt(i);
            sb.append(CommandParser.isControl(c) ? '\uFFFD' : c);
        }
        return sb.toString();
    }
}
