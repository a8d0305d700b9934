package io.jevent.chat.client;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a client printed, for a test to wait on: {@link #expect} blocks (wait/notify, no polling)
 * until the text appears after the previous match, so a test reads the output in order like a person
 * would, and fails with the whole transcript when it does not come.
 */
final class Screen extends OutputStream {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private int cursor;

    @Override
    public synchronized void write(int b) {
        bytes.write(b);
        notifyAll();
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
        bytes.write(b, off, len);
        notifyAll();
    }

    /** Everything printed so far. */
    synchronized String text() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /** Everything printed after the last match. */
    synchronized String unread() {
        return text().substring(cursor);
    }

    /**
     * Waits until {@code expected} appears after the previous match and moves past it.
     *
     * @return the text from the previous match up to and including this one
     */
    synchronized String expect(String expected) throws InterruptedException {
        return expectMatch(Pattern.compile(Pattern.quote(expected))).group();
    }

    private static String threadDump() {
        StringBuilder sb = new StringBuilder();
        for (java.lang.management.ThreadInfo t : java.lang.management.ManagementFactory.getThreadMXBean()
                .dumpAllThreads(true, true)) {
            sb.append(t.getThreadName()).append(' ').append(t.getThreadState());
            if (t.getLockOwnerName() != null) {
                sb.append(" waiting for ").append(t.getLockName()).append(" held by ").append(t.getLockOwnerName());
            }
            sb.append('\n');
            for (StackTraceElement e : t.getStackTrace()) {
                sb.append("    at ").append(e).append('\n');
            }
        }
        return sb.toString();
    }

    /** Like {@link #expect(String)} for a regular expression; returns the match. */
    synchronized Matcher expectMatch(Pattern pattern) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            String all = text();
            Matcher m = pattern.matcher(all);
            if (m.find(cursor)) {
                cursor = m.end();
                return m;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("no '" + pattern + "' after position " + cursor + " in:\n" + all
                        + "\n--- threads ---\n" + threadDump());
            }
            wait(Math.max(1, left / 1_000_000));
        }
    }
}
