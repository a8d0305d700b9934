package io.jevent.msgqueue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import io.jevent.core.EventBase;

/** The spin before sleep is bounded, optional, and keeps every message flowing either way. */
class SpinBeforeSleepTest {

    @Test
    void spinIsBoundedToAMillisecond() {
        try (EventBase base = new EventBase()) {
            MsgQueueBuilder<Object> b = MsgQueue.builder(base, m -> { });
            assertThatThrownBy(() -> b.spinBeforeSleep(Duration.ofNanos(-1))).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> b.spinBeforeSleep(Duration.ofMillis(2))).isInstanceOf(IllegalArgumentException.class);
            b.spinBeforeSleep(Duration.ZERO).spinBeforeSleep(Duration.ofMillis(1));
        }
    }

    @Test
    void roundTripsCompleteWithAndWithoutTheSpin() throws Exception {
        for (Duration spin : new Duration[] {Duration.ZERO, Duration.ofMillis(1)}) {
            EventLoopThread loop = TestSupport.startedLoop("spin-" + spin.toNanos());
            try {
                AtomicLong answered = new AtomicLong();
                MsgQueue<Long> q = TestSupport.onLoop(loop, () -> MsgQueue.<Long>builder(loop.base(), answered::set)
                        .spinBeforeSleep(spin).build());
                for (long i = 1; i <= 5_000; i++) {
                    assertThat(q.push(i)).isTrue();
                    TestSupport.awaitValue(answered, i, "answer " + i + " with spin " + spin);
                }
                assertThat(q.wakeupsSent()).as("never more than one signal per message").isLessThanOrEqualTo(5_000);
                TestSupport.onLoop(loop, q::close);
            } finally {
                loop.shutdown(Duration.ZERO, TestSupport.PATIENCE).get();
            }
        }
    }
}
