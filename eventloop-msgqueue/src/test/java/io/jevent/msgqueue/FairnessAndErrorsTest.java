package io.jevent.msgqueue;

import io.jevent.core.Event;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import io.jevent.testing.CapturedLog;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;

import static io.jevent.msgqueue.TestSupport.PATIENCE;
import static io.jevent.msgqueue.TestSupport.onLoop;
import static org.assertj.core.api.Assertions.assertThat;

/** A flood of messages shares the loop with I/O and timers; a failing consumer loses nothing. */
class FairnessAndErrorsTest {

    static final int BATCH = 256;

    private EventLoopThread loop;

    static List<WakeupStrategy> coalesced() {
        return WakeupProtocolTest.coalescedStrategies();
    }

    @BeforeEach
    void startLoop() {
        loop = TestSupport.startedLoop("fair-loop");
    }

    @AfterEach
    void stopLoop() throws InterruptedException {
        TestSupport.shutdown(loop);
    }

    /**
     * While a producer floods the queue, the consumer makes a socket readable (and a 10 ms timer
     * comes due): the READ and the timer callbacks run before the loop has started more than one
     * further batch.
     */
    @ParameterizedTest
    @MethodSource("coalesced")
    // Thread.yield is deliberate (ThreadPriorityCheck): on a loaded two-core machine the thread this
    // one waits for needs the core, and a test may not sleep to give it up.
    @SuppressWarnings("ThreadPriorityCheck")
    void aFloodDelaysReadsAndTimersByAtMostOneBatch(WakeupStrategy s) throws Exception {
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            try (SocketChannel client = SocketChannel.open(server.getLocalAddress());
                 SocketChannel accepted = server.accept()) {
                // Loop-thread state.
                long[] batchesAtWrite = {-1};
                long[] batchesAtTimerDue = {-1};
                long[] readDelayBatches = {-1};
                long[] timerDelayBatches = {-1};
                long[] timerDue = new long[1];
                AtomicBoolean stop = new AtomicBoolean();
                CountDownLatch bothRan = new CountDownLatch(2);
                AtomicReference<MsgQueue<Long>> holder = new AtomicReference<>();
                MsgQueue<Long> q = onLoop(loop, () -> {
                    MsgQueue<Long> made = MsgQueue.<Long>builder(loop.base(), m -> {
                        MsgQueue<Long> self = holder.get();
                        if (m == 5_000 && batchesAtWrite[0] < 0) {
                            batchesAtWrite[0] = self.batches();
                            try {
                                client.write(ByteBuffer.wrap(new byte[] {42}));
                            } catch (java.io.IOException e) {
                                throw new java.io.UncheckedIOException(e);
                            }
                        }
                        if (batchesAtTimerDue[0] < 0 && timerDue[0] != 0 && System.nanoTime() - timerDue[0] >= 0) {
                            batchesAtTimerDue[0] = self.batches();
                        }
                    }).wakeup(s).batchLimit(BATCH, Duration.ofSeconds(1)).build();
                    holder.set(made);
                    Event read = loop.base().newEvent(accepted, Event.READ, (ev, what) -> {
                        readDelayBatches[0] = made.batches() - batchesAtWrite[0];
                        bothRan.countDown();
                    });
                    read.add();
                    Event timer = loop.base().newTimer((ev, what) -> {
                        // Not yet noticed as due by the consumer: it fired within the current batch.
                        timerDelayBatches[0] = batchesAtTimerDue[0] < 0 ? 0 : made.batches() - batchesAtTimerDue[0];
                        bothRan.countDown();
                    });
                    timer.add(Duration.ofMillis(10));
                    timerDue[0] = timer.deadline().getAsLong(); // the base's clock is System.nanoTime()
                    return made;
                });
                Thread flooder = new Thread(() -> {
                    long i = 0;
                    while (!stop.get()) {
                        if (!q.push(i++)) {
                            break;
                        }
                        if ((i & 1023) == 0 && q.pending() > 100_000) {
                            Thread.yield(); // keep memory bounded; the flood still outruns the loop
                        }
                    }
                }, "flooder");
                flooder.start();
                boolean ran = bothRan.await(PATIENCE.toSeconds(), TimeUnit.SECONDS);
                stop.set(true);
                flooder.join(PATIENCE.toMillis());
                assertThat(ran).as("READ and timer ran during the flood").isTrue();
                long[] delays = onLoop(loop, () -> new long[] {readDelayBatches[0], timerDelayBatches[0]});
                // The batch the write happened in counts as finished before the READ can run; at most
                // one more may start (if it was queued ahead of the READ in the same iteration).
                assertThat(delays[0]).as("batches between readable and READ callback").isBetween(0L, 2L);
                assertThat(delays[1]).as("batches between timer due and its callback").isBetween(0L, 2L);
                onLoop(loop, q::close);
            }
        }
    }

    @Test
    void aThrowingConsumerIsReportedAndTheBatchGoesOn() throws Exception {
        try (CapturedLog log = CapturedLog.of(AbstractMsgQueue.class)) {
            aThrowingConsumerIsReportedAndTheBatchGoesOn(log);
        }
    }

    private void aThrowingConsumerIsReportedAndTheBatchGoesOn(CapturedLog log) throws Exception {
        List<Integer> got = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        AtomicLong done = new AtomicLong();
        MsgQueue<Integer> q = onLoop(loop, () -> MsgQueue.<Integer>builder(loop.base(), m -> {
            done.incrementAndGet();
            if (m % 3 == 0) {
                throw new IllegalArgumentException("bad " + m);
            }
            got.add(m);
        }).onError((m, e) -> {
            errors.add(m + ":" + e.getMessage());
            if (m == 9) {
                throw new IllegalStateException("the handler fails too"); // logged, batch goes on
            }
        }).build());
        for (int i = 1; i <= 10; i++) {
            q.push(i);
        }
        TestSupport.awaitValue(done, 10, "every delivery");
        assertThat(onLoop(loop, () -> List.copyOf(got))).containsExactly(1, 2, 4, 5, 7, 8, 10);
        assertThat(onLoop(loop, () -> List.copyOf(errors))).containsExactly("3:bad 3", "6:bad 6", "9:bad 9");
        assertThat(q.messagesDelivered()).isEqualTo(10);
        onLoop(loop, q::close);
        assertThat(log.records(Level.WARNING)).singleElement().satisfies(r -> {
            assertThat(r.getMessage()).isEqualTo("msgqueue error handler threw");
            assertThat(r.getThrown()).hasMessage("the handler fails too");
        });
    }

    @Test
    void batchesRespectTheCountLimit() throws Exception {
        CountDownLatch all = new CountDownLatch(10_000);
        MsgQueue<Integer> q = onLoop(loop, () -> MsgQueue.<Integer>builder(loop.base(), m -> all.countDown())
                .batchLimit(100, Duration.ofSeconds(1)).build());
        onLoop(loop, () -> {
            for (int i = 0; i < 10_000; i++) {
                q.push(i); // queued from the loop thread: all there when draining starts
            }
        });
        assertThat(all.await(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isTrue();
        TestSupport.spinUntil(() -> q.messagesDelivered() == 10_000, "the last batch to be counted");
        assertThat(q.largestBatch()).isEqualTo(100);
        assertThat(q.batches()).isEqualTo(100);
        onLoop(loop, q::close);
    }
}
