package io.jevent.core;

import java.util.List;
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
 * <p>The loop catches what a callback throws and gives it to the base's
 * {@link CallbackExceptionHandler}; the default one, {@link CallbackExceptionHandler#LOG}, only
 * logs it at ERROR on the {@code System.Logger} "io.jevent.core". So an assertion that fails inside
 * a callback would otherwise be logged and the test would pass. This extension listens on that
 * logger (through java.util.logging, which backs {@code System.Logger} by default) for the whole
 * test, whatever thread logs, and turns every ERROR it sees into a failure of the test. A test that
 * makes callbacks throw on purpose says so with {@link CallbacksMayThrow}.
 *
 * <p>Registered for every test of the module by {@code META-INF/services} and
 * {@code junit.jupiter.extensions.autodetection.enabled} in {@code junit-platform.properties}, so
 * no test class has to remember it. Tests whose bases have their own handler (the buffer-event
 * tests' {@code Loops}) are unaffected: nothing reaches the logger.
 */
public final class FailOnCallbackException implements BeforeEachCallback, AfterEachCallback {
    /** Held strongly: java.util.logging keeps loggers only weakly, and the handler lives on it. */
    private static final Logger CORE = Logger.getLogger("io.jevent.core");

    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(FailOnCallbackException.class);

    @Override
    public void beforeEach(ExtensionContext context) {
        Recorder recorder = new Recorder();
        CORE.addHandler(recorder);
        context.getStore(NS).put(Recorder.class, recorder);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        Recorder recorder = context.getStore(NS).remove(Recorder.class, Recorder.class);
        if (recorder == null) {
            return;
        }
        CORE.removeHandler(recorder);
        if (recorder.errors.isEmpty() || optedOut(context)) {
            return;
        }
        LogRecord first = recorder.errors.get(0);
        AssertionError failure = new AssertionError("a callback threw into the default handler ("
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

    /** Collects ERROR (SEVERE) records from any thread; read on the test thread after the test. */
    private static final class Recorder extends Handler {
        final List<LogRecord> errors = new CopyOnWriteArrayList<>();

        @Override
        public void publish(LogRecord record) {
            if (record.getLevel().intValue() >= Level.SEVERE.intValue()) {
                errors.add(record);
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
