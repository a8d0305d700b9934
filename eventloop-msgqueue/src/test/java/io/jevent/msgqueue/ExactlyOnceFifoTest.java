package io.jevent.msgqueue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import static io.jevent.msgqueue.TestSupport.PATIENCE;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Several producers flood one loop: every message arrives exactly once, and each producer's messages
 * arrive in the order it pushed them.
 */
@ParameterizedClass
@EnumSource(QueueVariant.class)
class ExactlyOnceFifoTest {

    @Parameter
    QueueVariant queues;

    static final int PRODUCERS = 4;

    static Stream<Arguments> variants() {
        List<Arguments> all = new ArrayList<>();
        for (WakeupStrategy s : List.of(WakeupStrategy.SELECTOR, WakeupStrategy.PIPE)) {
            all.add(Arguments.of(s, false));
            all.add(Arguments.of(s, true));
        }
        return all.stream();
    }

    /**
     * Sized so the whole module's tests stay well under two minutes on a loaded 2-core machine; the
     * soak variant ({@link SoakTest}) runs the full 4 x 1,000,000 for every strategy.
     */
    static int perProducer(WakeupStrategy s) {
        // The coalesced queues do the full 1,000,000 per producer in well under a second.
        return 1_000_000;
    }

    @ParameterizedTest(name = "{0}, bounded={1}")
    @MethodSource("variants")
    void everyMessageOnceInProducerOrder(WakeupStrategy strategy, boolean bounded) throws Exception {
        Result r = run(strategy, queues, bounded, perProducer(strategy));
        assertThat(r.outOfOrder).as("messages out of order or duplicated").isZero();
        assertThat(r.delivered).isEqualTo((long) PRODUCERS * perProducer(strategy));
        assertThat(r.wakeups).as("coalesced: at most one signal per published sleep").isLessThanOrEqualTo(r.sleeps);
    }

    record Result(long delivered, long outOfOrder, long wakeups, long sleeps, long batches, long nanos) { }

    static Result run(WakeupStrategy strategy, QueueVariant queues, boolean bounded, int perProducer) throws Exception {
        long total = (long) PRODUCERS * perProducer;
        EventLoopThread loop = new EventLoopThread("fifo-loop");
        long[] nextSeq = new long[PRODUCERS]; // loop thread only until `done` opens
        long[] counters = new long[2];         // delivered, out of order: loop thread only
        CountDownLatch done = new CountDownLatch(1);
        MsgQueueBuilder<Long> b = MsgQueue.<Long>builder(loop.base(), msg -> {
            int p = TestSupport.producerOf(msg);
            if (TestSupport.seqOf(msg) != nextSeq[p]) {
                counters[1]++;
            }
            nextSeq[p] = TestSupport.seqOf(msg) + 1;
            if (++counters[0] == total) {
                done.countDown();
            }
        }).wakeup(strategy).queues(queues);
        if (bounded) {
            b.bounded(1024);
        }
        MsgQueue<Long> q = b.build(); // on the creator thread, before the loop starts
        loop.start();
        AtomicReference<Throwable> producerFailure = new AtomicReference<>();
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> producers = new ArrayList<>();
        for (int p = 0; p < PRODUCERS; p++) {
            int id = p;
            Thread t = new Thread(() -> {
                try {
                    go.await();
                    for (long seq = 0; seq < perProducer; seq++) {
                        Long msg = TestSupport.encode(id, seq);
                        if (!q.push(msg) && !q.push(msg, PATIENCE)) {
                            throw new AssertionError("push refused by an open queue: " + seq);
                        }
                    }
                } catch (Throwable e) {
                    producerFailure.compareAndSet(null, e);
                }
            }, "producer-" + p);
            producers.add(t);
            t.start();
        }
        long start = System.nanoTime();
        go.countDown();
        for (Thread t : producers) {
            t.join(PATIENCE.toMillis());
        }
        assertThat(producerFailure.get()).isNull();
        assertThat(done.await(PATIENCE.toSeconds(), TimeUnit.SECONDS)).as("all messages delivered").isTrue();
        long nanos = System.nanoTime() - start;
        long sleeps = q instanceof CoalescedMsgQueue<Long> c ? c.sleepsPublished() : 0;
        Result r = new Result(counters[0], counters[1], q.wakeupsSent(), sleeps, q.batches(), nanos);
        TestSupport.onLoop(loop, q::close);
        assertThat(loop.shutdown(Duration.ZERO, PATIENCE)).succeedsWithin(PATIENCE);
        assertThat(loop.awaitTermination(PATIENCE)).isTrue();
        System.out.printf("fifo %s bounded=%s: %,d msgs in %d ms, %,d wake-ups, %,d sleeps, %,d batches%n",
                strategy, bounded, r.delivered, r.nanos / 1_000_000, r.wakeups, r.sleeps, r.batches);
        return r;
    }
}
