package io.jevent.msgqueue;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The full counts: 4 producers x 1,000,000 messages and 1,000,000 round trips, for every
 * strategy. Left out of the normal build (tag "soak"); run with
 * {@code mvn -B -pl eventloop-msgqueue -am verify -Dmsgqueue.excludedGroups=none -Dgroups=soak -Dtest=SoakTest -Dsurefire.failIfNoSpecifiedTests=false}.
 * Prints the wake-up signals each strategy needed.
 */
@Tag("soak")
class SoakTest {

    static final int MILLION = 1_000_000;

    @ParameterizedTest
    @MethodSource("io.jevent.msgqueue.WakeupProtocolTest#allStrategies")
    void fourProducersAMillionMessagesEach(WakeupStrategy s) throws Exception {
        for (boolean bounded : new boolean[] {false, true}) {
            for (QueueVariant v : QueueVariant.values()) {
                ExactlyOnceFifoTest.Result r = ExactlyOnceFifoTest.run(s, v, bounded, MILLION);
                assertThat(r.outOfOrder()).isZero();
                assertThat(r.delivered()).isEqualTo(4L * MILLION);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("io.jevent.msgqueue.WakeupProtocolTest#allStrategies")
    void aMillionRoundTripsToASleepingLoop(WakeupStrategy s) throws Exception {
        EventLoopThread loop = new EventLoopThread("soak-" + s);
        AtomicLong echo = new AtomicLong(-1);
        MsgQueue<Long> q = MsgQueue.<Long>builder(loop.base(), echo::set).wakeup(s).build();
        loop.start();
        long t0 = System.nanoTime();
        for (long i = 0; i < MILLION; i++) {
            if (q instanceof CoalescedMsgQueue<Long> c) {
                TestSupport.spinUntil(c::loopMayBeAsleep, "the loop to sleep");
            }
            q.push(i);
            TestSupport.awaitValue(echo, i, "reply");
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        System.out.printf("soak round trips %s: %,d in %d ms, %,d wake-ups%n", s, MILLION, ms, q.wakeupsSent());
        assertThat(q.messagesDelivered()).isEqualTo(MILLION);
        TestSupport.onLoop(loop, q::close);
        TestSupport.shutdown(loop);
    }
}
