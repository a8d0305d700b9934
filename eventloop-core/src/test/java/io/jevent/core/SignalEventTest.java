package io.jevent.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Signals reach their callback on the loop thread. */
class SignalEventTest {

    @Test
    @DisplayName("SIGUSR2 sent to this JVM with kill reaches the callback on the loop thread (test_simplesignal)")
    void signalReachesLoopThread() throws Exception {
        List<String> calls = new ArrayList<>();
        try (EventBase base = new EventBase()) {
            Thread loopThread = Thread.currentThread();
            Event sig = base.newSignal("SIGUSR2", (e, what) -> {
                calls.add(Event.describe(what) + "@" + (Thread.currentThread() == loopThread));
                base.loopBreak();
            });
            sig.add();
            assertThat(sig.isPending(Event.SIGNAL)).isTrue();
            // Sent once the loop is polling: from a timer callback, so the test needs no sleep.
            base.once(Duration.ZERO, (e, w) -> kill("USR2"));
            Event bound = base.newTimer((e, w) -> calls.add("gave up waiting"));
            bound.add(Duration.ofSeconds(30));      // a bound, should the signal never come

            base.dispatch();

            assertThat(calls).containsExactly("SIGNAL@true");
            assertThat(base.gotBreak()).isTrue();
            sig.free();
        }
    }

    @Test
    @Timeout(60)
    @DisplayName("a signal that arrived three times stops calling back once the first call deletes the event (libevent's ev_pncalls)")
    void deleteStopsRepeatedCalls() {
        int[] calls = {0};
        try (EventBase base = new EventBase()) {
            Event sig = base.newSignal("USR2", (e, what) -> {
                calls[0]++;
                e.del();
            });
            sig.add();
            arrive(sig, 3);

            // Non-blocking loops throughout: the arrivals are counted already, and a regression
            // must fail, not leave the loop waiting for a signal that will not come.
            base.loop(EventBase.LOOP_NONBLOCK);

            assertThat(calls[0]).isEqualTo(1);
            assertThat(sig.isPending(Event.SIGNAL)).isFalse();
        }
    }

    @Test
    @Timeout(60)
    @DisplayName("loopBreak between the calls of a signal that arrived three times: one call per loop, none lost")
    void breakBetweenRepeatedCalls() {
        int[] calls = {0};
        try (EventBase base = new EventBase()) {
            Event sig = base.newSignal("USR2", (e, what) -> {
                calls[0]++;
                base.loopBreak();
            });
            sig.add();
            arrive(sig, 3);

            base.loop(EventBase.LOOP_NONBLOCK);
            assertThat(base.gotBreak()).isTrue();
            assertThat(calls[0]).as("the break is honoured between calls").isEqualTo(1);

            base.loop(EventBase.LOOP_NONBLOCK);
            base.loop(EventBase.LOOP_NONBLOCK);
            assertThat(calls[0]).as("the other arrivals are delivered by the next loops").isEqualTo(3);
            sig.free();
        }
    }

    @Test
    @Timeout(60)
    @DisplayName("a deleted signal event stops watching: the handler installed before it gets the signal again")
    void deletedSignalEventNoLongerSwallowsTheSignal() {
        CountDownLatch previousGotIt = new CountDownLatch(1);
        JdkSignals.Handler original = JdkSignals.install("USR2", previousGotIt::countDown);
        int[] calls = {0};
        try (EventBase base = new EventBase()) {
            Event sig = base.newSignal("USR2", (e, what) -> calls[0]++);
            sig.add();
            sig.del();

            kill("USR2");

            assertThat(previousGotIt.await(20, TimeUnit.SECONDS)).as("the previous handler ran").isTrue();
            base.loop(EventBase.LOOP_NONBLOCK);
            assertThat(calls[0]).isZero();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } finally {
            JdkSignals.restore("USR2", original);
        }
    }

    @Test
    @Timeout(60)
    @DisplayName("two events on one signal in one base are both called for an arrival")
    void everyEventOnASignalIsCalled() {
        List<String> calls = new ArrayList<>();
        try (EventBase base = new EventBase()) {
            Event one = base.newSignal("USR2", (e, what) -> {
                calls.add("one");
                e.del();
            });
            Event two = base.newSignal("USR2", (e, what) -> {
                calls.add("two");
                e.del();
            });
            one.add();
            two.add();
            kill("USR2");
            await().atMost(Duration.ofSeconds(20)).until(() -> two.signalWatch.arrivals.get() == 1);

            base.loop(EventBase.LOOP_NONBLOCK);

            assertThat(calls).containsExactlyInAnyOrder("one", "two");
        }
    }

    /** Sends {@code n} signals, each counted by the event's watch before the next, so none coalesce. */
    private static void arrive(Event sig, int n) {
        for (int i = 1; i <= n; i++) {
            int expected = i;
            kill("USR2");
            await().atMost(Duration.ofSeconds(20)).until(() -> sig.signalWatch.arrivals.get() == expected);
        }
    }

    @Test
    @DisplayName("an unknown signal is refused clearly when added")
    void unknownSignal() {
        try (EventBase base = new EventBase()) {
            Event ev = base.newSignal("NOSUCHSIG", (e, w) -> { });
            org.assertj.core.api.Assertions.assertThatThrownBy(ev::add).isInstanceOf(IllegalArgumentException.class);
        }
    }

    private static void kill(String signal) {
        try {
            Process p = new ProcessBuilder("kill", "-" + signal, Long.toString(ProcessHandle.current().pid()))
                    .inheritIO().start();
            assertThat(p.waitFor()).isZero();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
