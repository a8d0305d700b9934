package io.jevent.msgqueue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static io.jevent.msgqueue.TestSupport.PATIENCE;
import static io.jevent.msgqueue.TestSupport.onLoop;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A full bounded queue: reject at once, or wait off the loop thread for room. */
@ParameterizedClass
@EnumSource(QueueVariant.class)
class BoundedQueueTest {

    @Parameter
    QueueVariant queues;

    private EventLoopThread loop;
    private final CountDownLatch holding = new CountDownLatch(1);
    private final CountDownLatch release = new CountDownLatch(1);
    private final List<Integer> got = new ArrayList<>(); // loop thread

    static List<WakeupStrategy> strategies() {
        return WakeupProtocolTest.allStrategies();
    }

    @BeforeEach
    void startLoop() {
        loop = TestSupport.startedLoop("bounded-loop");
    }

    @AfterEach
    void stopLoop() throws InterruptedException {
        release.countDown();
        TestSupport.shutdown(loop);
    }

    /** A queue whose consumer holds the loop on message -1 until released. */
    private MsgQueue<Integer> heldQueue(WakeupStrategy s, int capacity) throws Exception {
        MsgQueue<Integer> q = onLoop(loop, () -> MsgQueue.<Integer>builder(loop.base(), m -> {
            if (m == -1) {
                holding.countDown();
                try {
                    release.await(PATIENCE.toSeconds(), TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return;
            }
            got.add(m);
        }).wakeup(s).queues(queues).bounded(capacity).build());
        assertThat(q.push(-1)).isTrue();
        assertThat(holding.await(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isTrue();
        return q;
    }

    @ParameterizedTest
    @MethodSource("strategies")
    void aFullQueueRefusesAtOnceThenAWaitingPushSucceedsWhenDrained(WakeupStrategy s) throws Exception {
        MsgQueue<Integer> q = heldQueue(s, 16);
        assertThat(q.capacity()).isEqualTo(16);
        for (int i = 0; i < 16; i++) {
            assertThat(q.push(i)).as("push %d fits", i).isTrue();
        }
        assertThat(q.push(99)).as("full: refused at once").isFalse();
        assertThat(q.pushLazy(99)).isFalse();
        assertThat(q.pushAll(List.of(99, 100))).isZero();
        assertThat(q.pending()).isEqualTo(16);

        long t0 = System.nanoTime();
        assertThat(q.push(99, Duration.ofMillis(20))).as("still full after the wait").isFalse();
        assertThat(System.nanoTime() - t0).as("it did wait").isGreaterThanOrEqualTo(Duration.ofMillis(20).toNanos());

        CompletableFuture<Boolean> waiting = CompletableFuture.supplyAsync(() -> {
            try {
                return q.push(16, PATIENCE);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        });
        release.countDown(); // the loop drains; the waiting producer gets room
        assertThat(waiting.get(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isTrue();
        TestSupport.spinUntil(() -> q.messagesDelivered() == 18, "all messages");
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i <= 16; i++) {
            expected.add(i);
        }
        assertThat(onLoop(loop, () -> List.copyOf(got))).containsExactlyElementsOf(expected);
        onLoop(loop, q::close);
    }

    @Test
    void capacityIsRoundedUpToAPowerOfTwo() throws Exception {
        MsgQueue<Integer> q = onLoop(loop, () -> MsgQueue.<Integer>builder(loop.base(), m -> { }).queues(queues).bounded(10).build());
        assertThat(q.capacity()).isEqualTo(16);
        MsgQueue<Integer> tiny = onLoop(loop, () -> MsgQueue.<Integer>builder(loop.base(), m -> { }).queues(queues).bounded(1).build());
        assertThat(tiny.capacity()).isEqualTo(4);
        MsgQueue<Integer> unbounded = onLoop(loop, () -> MsgQueue.<Integer>builder(loop.base(), m -> { }).queues(queues).build());
        assertThat(unbounded.capacity()).isEqualTo(MsgQueue.UNBOUNDED);
        onLoop(loop, () -> {
            q.close();
            tiny.close();
            unbounded.close();
        });
    }

    @Test
    void waitingOnTheLoopThreadIsRefused() throws Exception {
        MsgQueue<Integer> q = onLoop(loop, () -> MsgQueue.<Integer>builder(loop.base(), m -> { }).queues(queues).bounded(4).build());
        Throwable thrown = onLoop(loop, () -> {
            try {
                q.push(1, Duration.ofSeconds(1));
                return null;
            } catch (IllegalStateException e) {
                return e;
            }
        });
        assertThat(thrown).isInstanceOf(IllegalStateException.class).hasMessageContaining("loop thread");
        onLoop(loop, q::close);
    }

    @Test
    void badArgumentsAreRefusedClearly() throws Exception {
        MsgQueueBuilder<Integer> b = MsgQueue.builder(loop.base(), m -> { });
        assertThatThrownBy(() -> b.bounded(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.batchLimit(0, Duration.ofMillis(1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.batchLimit(1, Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(b::build).as("built off the base's thread").isInstanceOf(IllegalStateException.class);
        MsgQueue<Integer> q = onLoop(loop, () -> b.build());
        assertThatThrownBy(() -> q.push(null)).isInstanceOf(NullPointerException.class);
        List<Integer> withNull = new ArrayList<>(List.of(1, 2));
        withNull.add(null);
        assertThatThrownBy(() -> q.pushAll(withNull)).isInstanceOf(NullPointerException.class);
        assertThat(q.pending()).as("nothing of the bad batch was queued").isZero();
        assertThat(q.push(3)).as("and the queue still works").isTrue();
        onLoop(loop, q::close);
    }
}
