package io.jevent.chat.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Routes java.util.logging (which also backs {@code System.Logger}) to stderr, one line per record:
 * {@code 2026-01-01T12:00:00.123 INFO  [chat-io-0] open #1 127.0.0.1:50000 on chat-io-0}. A stack
 * trace, if any, follows on its own lines.
 */
public final class LogSetup {
    private LogSetup() {
    }

    /**
     * Replaces the root logger's handlers with one stderr handler at {@code level}. Call once at
     * start-up, from the main thread.
     *
     * @param level the least severe level shown
     */
    public static void configure(Level level) {
        Logger root = Logger.getLogger("");
        for (Handler h : root.getHandlers()) {
            root.removeHandler(h);
        }
        ConsoleHandler handler = new ConsoleHandler();   // writes to System.err
        handler.setLevel(level);
        handler.setFormatter(new OneLineFormatter());
        root.addHandler(handler);
        root.setLevel(level);
    }

    /** One record, one line (plus the stack trace of a thrown exception). */
    static final class OneLineFormatter extends Formatter {
        private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS")
                .withZone(ZoneId.systemDefault());

        @Override
        public String format(LogRecord r) {
            StringBuilder sb = new StringBuilder(128);
            sb.append(TIME.format(Instant.ofEpochMilli(r.getMillis()))).append(' ')
                    .append(String.format("%-7s", r.getLevel().getName()))
                    .append('[').append(Thread.currentThread().getName()).append("] ")
                    .append(formatMessage(r)).append(System.lineSeparator());
            if (r.getThrown() != null) {
                StringWriter trace = new StringWriter();
                r.getThrown().printStackTrace(new PrintWriter(trace));
                sb.append(trace);
            }
            return sb.toString();
        }
    }
}
