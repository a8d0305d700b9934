package io.jevent.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;
import io.jevent.testing.CallbacksMayThrow;
import io.jevent.testing.CapturedLog;

/**
 * The suite-wide {@link io.jevent.testing.FailOnCallbackException} works: a test whose assertion fails inside a
 * callback, on a base with the default handler, fails; without the extension it would pass. The
 * sample tests are run through the JUnit launcher; they are {@code @Disabled} so the build never
 * runs them directly (the launcher here switches that condition off).
 */
@Timeout(60)
class FailOnCallbackExceptionTest {

    @Test
    @DisplayName("an assertion that fails inside a callback fails the test, though the loop caught it")
    @CallbacksMayThrow("the sample it runs does, and logs on the same logger")
    void assertionFailingInACallbackFailsTheTest() {
        TestExecutionSummary summary = run(AssertsInsideACallback.class);
        assertThat(summary.getTestsFailedCount()).as("the sample test failed").isEqualTo(1);
        Throwable failure = summary.getFailures().get(0).getException();
        assertThat(failure).isInstanceOf(AssertionError.class).hasMessageContaining("callback");
        assertThat(failure.getCause()).as("the callback's own assertion")
                .isInstanceOf(AssertionError.class).hasMessageContaining("wrong on the loop");

        TestExecutionSummary without = run(AssertsInsideACallback.class, false);
        assertThat(without.getTestsSucceededCount()).as("without the extension the loop's catch hides it").isEqualTo(1);
    }

    @Test
    @DisplayName("a msgqueue consumer or task failure, which msgqueue logs at WARNING, fails the test too")
    @CallbacksMayThrow("the sample it runs does, and logs on the same logger")
    void msgqueueFailureFailsTheTest() {
        TestExecutionSummary summary = run(MsgqueueLogsAFailure.class);
        assertThat(summary.getTestsFailedCount()).isEqualTo(1);
        assertThat(summary.getFailures().get(0).getException().getCause()).hasMessage("consumer assertion");
    }

    @Test
    @DisplayName("a test that lets callbacks throw on purpose opts out with @CallbacksMayThrow")
    @CallbacksMayThrow("the sample it runs does, and logs on the same logger")
    void optOutAndQuietCallbacksPass() {
        TestExecutionSummary summary = run(OptsOut.class);
        assertThat(summary.getTestsSucceededCount()).isEqualTo(1);
        assertThat(summary.getTestsFailedCount()).isZero();
        summary = run(PassingCallback.class);
        assertThat(summary.getTestsSucceededCount()).isEqualTo(1);
        assertThat(summary.getTestsFailedCount()).isZero();
    }

    @Test
    @DisplayName("the default handler logs under its own class's name, below io.jevent.core, where the extension hears it")
    @CallbacksMayThrow("the test checks the record the default handler logs")
    void defaultHandlerLogsUnderItsClassName() {
        List<LogRecord> records = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord r) {
                records.add(r);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger parent = Logger.getLogger("io.jevent.core");   // held: JUL keeps loggers weakly
        parent.addHandler(capture);
        CapturedLog quiet = CapturedLog.of("io.jevent");      // kept from the console, not from the parent
        try {
            runOnLoop((ev, what) -> {
                throw new IllegalStateException("on purpose");
            });
        } finally {
            parent.removeHandler(capture);
            quiet.close();
        }
        assertThat(records).singleElement().satisfies(r -> {
            assertThat(r.getLoggerName()).isEqualTo(CallbackExceptionHandler.class.getName());
            assertThat(r.getLevel()).isEqualTo(java.util.logging.Level.SEVERE);
            assertThat(r.getThrown()).hasMessage("on purpose");
        });
    }

    private static TestExecutionSummary run(Class<?> sample) {
        return run(sample, true);
    }

    private static TestExecutionSummary run(Class<?> sample, boolean withExtension) {
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                .selectors(DiscoverySelectors.selectClass(sample))
                .configurationParameter("junit.jupiter.extensions.autodetection.enabled", String.valueOf(withExtension))
                .configurationParameter("junit.jupiter.conditions.deactivate", "org.junit.*DisabledCondition")
                .build();
        SummaryGeneratingListener listener = new SummaryGeneratingListener();
        // The samples' records still reach io.jevent.core and io.jevent.msgqueue, where the extension
        // listens, but stop at "io.jevent" instead of being printed: the summary says what happened.
        CapturedLog quiet = CapturedLog.of("io.jevent");
        try {
            LauncherFactory.create().execute(request, listener);
        } finally {
            quiet.close();
        }
        return listener.getSummary();
    }

    /** Runs {@code cb} once as a timer callback on a base with the default handler. */
    private static void runOnLoop(EventCallback cb) {
        try (EventBase base = new EventBase()) {
            base.newTimer(cb).add(java.time.Duration.ZERO);
            base.dispatch();
        }
    }

    @Disabled("sample: run by FailOnCallbackExceptionTest only")
    static class AssertsInsideACallback {
        @Test
        void callbackAsserts() {
            runOnLoop((ev, what) -> assertThat(List.of("wrong on the loop")).isEmpty());
        }
    }

    @Disabled("sample: run by FailOnCallbackExceptionTest only")
    static class OptsOut {
        @Test
        @CallbacksMayThrow("the sample checks the opt-out")
        void callbackThrowsOnPurpose() {
            runOnLoop((ev, what) -> {
                throw new IllegalStateException("on purpose");
            });
        }
    }

    @Disabled("sample: run by FailOnCallbackExceptionTest only")
    static class MsgqueueLogsAFailure {
        @Test
        void consumerThrew() {
            // What MsgQueueBuilder's default error handler does with a consumer's exception.
            System.getLogger("io.jevent.msgqueue.MsgQueueBuilder").log(System.Logger.Level.WARNING,
                    "msgqueue consumer threw on a message", new AssertionError("consumer assertion"));
        }
    }

    @Disabled("sample: run by FailOnCallbackExceptionTest only")
    static class PassingCallback {
        @Test
        void callbackAssertsTruth() {
            runOnLoop((ev, what) -> assertThat(List.of()).isEmpty());
        }
    }
}
