package io.jevent.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.channels.Pipe;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Behaviour 6 of the libevent map: {@code once}. */
class OnceTest {

    @Test
    @DisplayName("6. a read-once, a 50 ms once and two zero-timeout onces each run exactly once with the right what (test_event_once)")
    void onceRunsExactlyOnce() throws IOException {
        Pipe pipe = Pipe.open();
        try (EventBase base = new EventBase()) {
            Channels.write(pipe.sink(), "x");
            List<String> calls = new ArrayList<>();
            base.once(pipe.source(), Event.READ, null, (e, w) -> calls.add("read:" + Event.describe(w)));
            base.once(Duration.ofMillis(50), (e, w) -> calls.add("50ms:" + Event.describe(w)));
            base.once(Duration.ZERO, (e, w) -> calls.add("zero1:" + Event.describe(w)));
            base.once(null, Event.TIMEOUT, Duration.ZERO, (e, w) -> calls.add("zero2:" + Event.describe(w)));

            assertThat(base.dispatch()).as("all onces are gone afterwards").isEqualTo(1);

            assertThat(calls).containsExactlyInAnyOrder("read:READ", "50ms:TIMEOUT", "zero1:TIMEOUT", "zero2:TIMEOUT");
            int[] left = {0};
            base.forEachEvent(e -> left[0]++);
            assertThat(left[0]).isZero();
        } finally {
            pipe.source().close();
            pipe.sink().close();
        }
    }

    @Test
    @DisplayName("6b. a once whose time never comes never runs, and close() releases it (test_event_once_never)")
    void onceNever() {
        ManualClock clock = new ManualClock();
        EventBase base = ManualClock.base(clock, 1);
        int[] called = {0};
        base.once(Duration.ofSeconds(10), (e, w) -> called[0]++);
        base.loopExit(Duration.ofMillis(75));
        while (!base.gotExit()) {
            clock.advance(Duration.ofMillis(25));
            base.loop(EventBase.LOOP_NONBLOCK);
        }
        assertThat(called[0]).isZero();
        int[] pending = {0};
        base.forEachEvent(e -> pending[0]++);
        assertThat(pending[0]).isEqualTo(1);
        base.close();
        assertThat(called[0]).isZero();
    }
}
