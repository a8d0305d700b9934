package io.jevent.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Signals reach their callback on the loop thread. */
class SignalEventTest {

    @Test
    @DisplayName("SIGUSR2 sent to this JVM with kill reaches the callback on the loop thread (test_simplesignal)")
    void signalReachesLoopThread() throws Exception {
        List<String> calls = new ArrayList<>();
        try (EventBase base = new EventBase()) {
            Thread loopThread = Thread.currentThread();
            Event sig = base.newSignal("SIGUSR2", (e, what) -> {
                calls.add(Event.flagsToString(what) + "@" + (Thread.currentThread() == loopThread));
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
