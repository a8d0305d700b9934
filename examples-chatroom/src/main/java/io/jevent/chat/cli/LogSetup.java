package io.jevent.chat.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import picocli.CommandLine;

/**
 * Routes java.util.logging (which also backs {@code System.Logger}) to stderr, one line per record:
 * {@code 2026-01-01T12:00:00.123 INFO  [chat-io-0] open #1 127.0.0.1:50000 on chat-io-0}. A stack
 * trace, if any, follows on its own lines.
 */
public final class LogSetup {
    /**
     * Every level name the command line accepts, lower case: the names people type (SLF4J's, plus
     * {@code warning}) and java.util.logging's own. The one place they are mapped.
     */
    private static final Map<String, Level> LEVELS = Map.ofEntries(
            Map.entry("off", Level.OFF),
            Map.entry("error", Level.SEVERE), Map.entry("severe", Level.SEVERE),
            Map.entry("warn", Level.WARNING), Map.entry("warning", Level.WARNING),
            Map.entry("info", Level.INFO),
            Map.entry("config", Level.CONFIG),
            Map.entry("debug", Level.FINE), Map.entry("fine", Level.FINE),
            Map.entry("finer", Level.FINER),
            Map.entry("trace", Level.FINEST), Map.entry("finest", Level.FINEST),
            Map.entry("all", Level.ALL));

    /** The names listed in messages and help, most used first. */
    static final String LEVEL_NAMES = "off, error, warn, info, debug, trace, all"
            + " (or severe, warning, config, fine, finer, finest)";

    private LogSetup() {
    }

    /**
     * Parses a level name, in any case: {@code error warn info debug trace off all} (mapped to
     * SEVERE, WARNING, INFO, FINE, FINEST, OFF, ALL), {@code warning}, and the java.util.logging names.
     *
     * @param name the name typed
     * @return the level
     * @throws IllegalArgumentException for any other name; the message lists the accepted ones
     */
    public static Level parseLevel(String name) {
        Level level = LEVELS.get(name.trim().toLowerCase(Locale.ROOT));
        if (level == null) {
            throw new IllegalArgumentException("unknown log level '" + name + "'; use one of " + LEVEL_NAMES);
        }
        return level;
    }

    /** {@link #parseLevel} as a picocli converter, so a bad name is a usage error (exit 2). */
    static final class LevelConverter implements CommandLine.ITypeConverter<Level> {
        @Override
        public Level convert(String value) {
            try {
                return parseLevel(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
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
