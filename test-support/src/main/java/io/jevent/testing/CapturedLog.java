package io.jevent.testing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/**
 * Keeps what one logger logs while open, instead of printing it: for a test that makes the library
 * log on purpose (a callback that throws, a failing selector) and asserts the record.
 *
 * <p>Attached through java.util.logging, which backs {@code System.Logger} by default, to the logger
 * named after the logging class ({@code System.getLogger(Foo.class.getName())}). While open, that
 * logger's records go to this handler only: its parents' handlers (the console, and
 * {@link FailOnCallbackException}'s recorder) do not see them, which is the point — the test
 * asserts them itself. Records at every level are kept; {@link #close()} restores the logger.
 *
 * <pre>{@code
 * try (CapturedLog log = CapturedLog.of(EventLoopThread.class)) {
 *     ... provoke ...
 *     assertThat(log.messages(Level.WARNING)).singleElement().asString().contains("threw");
 * }
 * }</pre>
 *
 * <p>Records arrive on whatever thread logs; read them once that thread is known to have logged
 * (after a join, a latch, or a task queued behind the one that logs).
 */
public final class CapturedLog extends Handler implements AutoCloseable {
    /** Held strongly: java.util.logging keeps loggers only weakly, and the handler lives on this one. */
    private final Logger logger;
    private final boolean useParentHandlers;
    private final Level level;
    private final List<LogRecord> records = new CopyOnWriteArrayList<>();

    private CapturedLog(String name) {
        logger = Logger.getLogger(name);
        useParentHandlers = logger.getUseParentHandlers();
        level = logger.getLevel();
        logger.setUseParentHandlers(false);
        logger.addHandler(this);
    }

    /** Captures the logger of {@code loggingClass}: {@code System.getLogger(loggingClass.getName())}. */
    public static CapturedLog of(Class<?> loggingClass) {
        return new CapturedLog(loggingClass.getName());
    }

    /** Captures the logger named {@code name} (and so the loggers below it). */
    public static CapturedLog of(String name) {
        return new CapturedLog(name);
    }

    /** Every record so far, in the order logged. */
    public List<LogRecord> records() {
        return List.copyOf(records);
    }

    /** The records at {@code level} or above. */
    public List<LogRecord> records(Level level) {
        return records.stream().filter(r -> r.getLevel().intValue() >= level.intValue()).collect(Collectors.toList());
    }

    /** The messages of the records at {@code level} or above. */
    public List<String> messages(Level level) {
        return records(level).stream().map(LogRecord::getMessage).collect(Collectors.toList());
    }

    @Override
    public void publish(LogRecord record) {
        records.add(record);
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        logger.removeHandler(this);
        logger.setUseParentHandlers(useParentHandlers);
        logger.setLevel(level);
    }
}
