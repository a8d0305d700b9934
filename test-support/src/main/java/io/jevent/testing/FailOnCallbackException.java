package io.jevent.testing;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * Fails a test when a callback threw into the library's default handling during it.
 *
 * <p>jevent catches what a callback throws so that one failure does not stop a loop, and by default
 * only logs it: the core's {@code CallbackExceptionHandler.LOG} at ERROR on the {@code System.Logger}
 * "io.jevent.core.CallbackExceptionHandler"; the msgqueue module at WARNING (a consumer, task or
 * connection initialiser that threw) or ERROR on its classes' loggers. So an assertion that fails
 * inside a callback would be logged and the test would pass. This extension listens, through
 * java.util.logging (which backs {@code System.Logger} by default), on the parents "io.jevent.core"
 * and "io.jevent.msgqueue" of every class's logger: JUL hands each record to the handlers of the
 * logger's ancestors too, so one handler per module hears every class, whatever thread logs. Each such
 * record becomes a failure of the test. A test that makes callbacks throw on purpose says so with
 * {@link CallbacksMayThrow}.
 *
 * <p>Registered for a whole test suite by this jar's {@code META-INF/services} entry together with
 * {@code junit.jupiter.extensions.autodetection.enabled=true} in the suite's
 * {@code junit-platform.properties}, so no test class has to remember it. Tests whose bases have
 * their own handler (the buffer-event tests' {@code Loops}) are unaffected: nothing reaches the
 * loggers. ServiceLoader ignores {@code META-INF/services} inside named modules, so the suite must
 * run on the class path.
 */
public final class FailOnCallbackException implements BeforeEachCallback, AfterEachCallback {
    /**
     * The loggers listened on and the level from which a record means a callback failed. Held
     * strongly: java.util.logging keeps loggers only weakly, and the handler lives on them.
     */
    private static final Map<Logger, Level> WATCHED = Map.of(
            Logger.getLogger("io.jevent.core"), Level.SEVERE,
            Logger.getLogger("io.jevent.msgqueue"), Level.WARNING);

    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(FailOnCallbackException.class);

    @Override
    public void beforeEach(ExtensionContext context) {
        Recorder recorder = new Recorder();
        WATCHED.keySet().forEach(logger -> logger.addHandler(recorder));
        context.getStore(NS).put(Recorder.class, recorder);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        Recorder recorder = context.getStore(NS).remove(Recorder.class, Recorder.class);
        if (recorder == null) {
            return;
        }
        WATCHED.keySet().forEach(logger -> logger.removeHandler(recorder));
        if (recorder.errors.isEmpty() || optedOut(context)) {
            return;
        }
        LogRecord first = recorder.errors.get(0);
        AssertionError failure = new AssertionError("a callback threw into the library's default handling ("
                + recorder.errors.size() + " in all): " + first.getMessage(), first.getThrown());
        recorder.errors.stream().skip(1).map(FailOnCallbackException::asThrowable).forEach(failure::addSuppressed);
        throw failure;
    }

    private static boolean optedOut(ExtensionContext context) {
        return context.getTestMethod().map(m -> AnnotationSupport.isAnnotated(m, CallbacksMayThrow.class)).orElse(false)
                || context.getTestClass().map(c -> AnnotationSupport.isAnnotated(c, CallbacksMayThrow.class)).orElse(false);
    }

    private static Throwable asThrowable(LogRecord r) {
        return r.getThrown() != null ? r.getThrown() : new AssertionError(r.getMessage());
    }

    /**
     * Collects the records at or above the watched level of the logger they reached (a record of
     * "io.jevent.msgqueue.EventLoopThread" reaches the handler on "io.jevent.msgqueue"). Written by
     * any thread; read on the test thread after the test.
     */
    private static final class Recorder extends Handler {
        final List<LogRecord> errors = new CopyOnWriteArrayList<>();

        @Override
        public void publish(LogRecord record) {
            String name = record.getLoggerName() == null ? "" : record.getLoggerName();
            for (Map.Entry<Logger, Level> w : WATCHED.entrySet()) {
                String watched = w.getKey().getName();
                boolean under = name.equals(watched) || name.startsWith(watched + ".");
                if (under && record.getLevel().intValue() >= w.getValue().intValue()) {
                    errors.add(record);
                    return;
                }
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    }
}
