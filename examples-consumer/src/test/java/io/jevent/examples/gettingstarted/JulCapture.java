package io.jevent.examples.gettingstarted;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Records what jevent logs through java.util.logging (the default {@code System.Logger} backend) while
 * open: a handler on the "io.jevent" logger, which hears every jevent class's logger below it. The
 * records are kept, not printed: the parent handlers are cut off meanwhile.
 */
final class JulCapture extends Handler implements AutoCloseable {
    /** Held strongly: JUL keeps loggers only weakly, and the handler lives on this one. */
    private final Logger logger = Logger.getLogger("io.jevent");
    private final boolean parentHandlers;
    final List<LogRecord> records = new CopyOnWriteArrayList<>();

    JulCapture() {
        parentHandlers = logger.getUseParentHandlers();
        logger.setUseParentHandlers(false);
        logger.addHandler(this);
    }

    @Override
    public void publish(LogRecord record) {
        records.add(record);            // any thread: the loop thread logs
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        logger.removeHandler(this);
        logger.setUseParentHandlers(parentHandlers);
    }
}
