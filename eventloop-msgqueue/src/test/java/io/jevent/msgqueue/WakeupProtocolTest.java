package io.jevent.msgqueue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.stream.IntStream;

import static io.jevent.msgqueue.TestSupport.PATIENCE;
import static io.jevent.msgqueue.TestSupport.awaitValue;
import static io.jevent.msgqueue.TestSupport.spinUntil;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The wake-up protocol: no lost wake-up under any interleaving of producer and loop, and at most one
 * signal per sleep of the loop. Once per {@link QueueVariant}: the argument depends on the queue.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES) // a lost wake-up or a pause never released hangs: fail instead
@ParameterizedClass
@EnumSource(QueueVariant.class)
class WakeupProtocolTest {

    @Parameter
    QueueVariant queues;

    /** Round trips per strategy in the normal build; {@link SoakTest} does the 1,000,000. */
    static final int ROUND_TRIPS = 50_000;

    private final List<EventLoopThread> loops = new ArrayList<>();

    static List<WakeupStrategy> allStrategies() {
        return List.of(WakeupStrategy.SELECTOR, WakeupStrategy.PIPE);
    }

    static List<WakeupStrategy> coalescedStrategies() {
        return List.of(WakeupStrategy.SELECTOR, WakeupStrategy.PIPE);
    }

    @AfterEach
    void stopLoops() throws InterruptedException {
        for (EventLoopThread loop : loops) {
            TestSupport.shutdown(loop);
        }
    }

    /** A loop with one queue built on it before it starts. */
    private <T> MsgQueue<T> queueOnNewLoop(WakeupStrategy s, Consumer<T> consumer, ProtocolHooks hooks) {
        EventLoopThread loop = new EventLoopThread("wakeup-" + s);
        loops.add(loop);
        MsgQueue<T> q = MsgQueue.<T>builder(loop.base(), consumer).wakeup(s).queues(queues).hooks(hooks).build();
        loop.start();
        return q;
    }

    private EventLoopThread lastLoop() {
        return loops.get(loops.size() - 1);
    }

    private static void awaitAsleep(MsgQueue<?> q) {
        CoalescedMsgQueue<?> c = (CoalescedMsgQueue<?>) q;
        spinUntil(c::loopMayBeAsleep, "the loop to publish that it sleeps");
    }

    // ------------------------------------------------------------------ round trips

    @ParameterizedTest
    @MethodSource("allStrategies")
    void roundTripsToASleepingLoopAllComplete(WakeupStrategy s) {
        AtomicLong echo = new AtomicLong(-1);
        MsgQueue<Long> q = queueOnNewLoop(s, echo::set, ProtocolHooks.NONE);
        for (long i = 0; i < ROUND_TRIPS; i++) {
            awaitAsleep(q); // force the loop all the way to sleep between round trips
            assertThat(q.push(i)).isTrue();
            awaitValue(echo, i, "reply");
        }
        assertThat(q.messagesDelivered()).isEqualTo(ROUND_TRIPS);
        // Nearly every round trip had to ring a sleeping loop: the test exercised the sleep path.
        // Not all: a ring that lands just before a non-blocking poll is spent by the next poll,
        // which then finds the next message without a signal — one signal per sleep at most.
        assertThat(q.wakeupsSent()).isBetween(ROUND_TRIPS * 9L / 10, (long) ROUND_TRIPS)
                .isLessThanOrEqualTo(((CoalescedMsgQueue<Long>) q).sleepsPublished());
    }

    @ParameterizedTest
    @MethodSource("allStrategies")
    void roundTripsInAFreeRhythmComplete(WakeupStrategy s) {
        AtomicLong echo = new AtomicLong(-1);
        MsgQueue<Long> q = queueOnNewLoop(s, echo::set, ProtocolHooks.NONE);
        for (long i = 0; i < ROUND_TRIPS; i++) {
            assertThat(q.push(i)).isTrue();
            awaitValue(echo, i, "reply");
        }
        assertThat(q.wakeupsSent()).isLessThanOrEqualTo(ROUND_TRIPS);
        System.out.printf("free round trips %s: %,d wake-ups for %,d round trips%n", s, q.wakeupsSent(), ROUND_TRIPS);
    }

    /**
     * Random pauses at every step of the protocol, on both sides, while a timer wakes the loop every
     * millisecond: the interleavings a unit test never hits by luck.
     */
    @ParameterizedTest
    @MethodSource("coalescedStrategies")
    void roundTripsSurviveRandomPausesAndTimers(WakeupStrategy s) throws Exception {
        AtomicLong echo = new AtomicLong(-1);
        ProtocolHooks randomPauses = new ProtocolHooks() {
            @Override public void afterEnqueue() { pauseAtRandom(); }
            @Override public void beforePublishSleep() { pauseAtRandom(); }
            @Override public void beforeRecheck() { pauseAtRandom(); }
        };
        MsgQueue<Long> q = queueOnNewLoop(s, echo::set, randomPauses);
        EventLoopThread loop = loops.get(loops.size() - 1);
        AtomicLong ticks = new AtomicLong();
        TestSupport.onLoop(loop, () -> loop.base().newEvent(null, io.jevent.core.Event.PERSIST,
                (ev, what) -> ticks.incrementAndGet()).add(Duration.ofMillis(1)));
        int n = ROUND_TRIPS / 2;
        for (long i = 0; i < n; i++) {
            assertThat(q.push(i)).isTrue();
            awaitValue(echo, i, "reply");
        }
        assertThat(ticks.get()).as("timers fired during the run").isPositive();
        assertThat(q.wakeupsSent()).isLessThanOrEqualTo(((CoalescedMsgQueue<Long>) q).sleepsPublished());
    }

    /**
     * Stretches the current protocol step by a random amount. Mostly by spinning, which keeps the
     * thread on its core so the other side runs concurrently through the window; rarely by yielding,
     * for scheduler-sized gaps. (Yielding every time made the test take minutes on an oversubscribed
     * machine, where each yield hands a whole time slice to unrelated work.)
     */
    // Thread.yield is deliberate (ThreadPriorityCheck): on a loaded two-core machine the thread this
    // one waits for needs the core, and a test may not sleep to give it up.
    @SuppressWarnings("ThreadPriorityCheck")
    private static void pauseAtRandom() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        int kind = r.nextInt(64);
        if (kind == 0) {
            Thread.yield();
            return;
        }
        int spins = switch (kind & 3) {
            case 0 -> 0;
            case 1 -> r.nextInt(50);
            case 2 -> r.nextInt(500);
            default -> r.nextInt(5_000);
        };
        for (int i = 0; i < spins; i++) {
            Thread.onSpinWait();
        }
    }

    // ------------------------------------------------------------------ forced interleavings

    /** Pauses one chosen protocol step once, on request, and tells when it is paused. */
    static final class OneShotPause implements ProtocolHooks {
        final AtomicReference<String> armedAt = new AtomicReference<>();
        final CountDownLatch paused = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        void arm(String step) {
            armedAt.set(step);
        }

        private void maybePause(String step) {
            if (armedAt.compareAndSet(step, null)) {
                paused.countDown();
                try {
                    if (!release.await(PATIENCE.toSeconds(), TimeUnit.SECONDS)) {
                        throw new AssertionError("never released from " + step);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        void awaitPaused() throws InterruptedException {
            assertThat(paused.await(PATIENCE.toSeconds(), TimeUnit.SECONDS)).as("reached the pause").isTrue();
        }

        @Override public void afterEnqueue() { maybePause("afterEnqueue"); }
        @Override public void beforePublishSleep() { maybePause("beforePublishSleep"); }
        @Override public void beforeRecheck() { maybePause("beforeRecheck"); }
    }

    @ParameterizedTest
    @MethodSource("coalescedStrategies")
    void pushBetweenTheLoopsLastLookAndItsPublishIsSeenByTheRecheck(WakeupStrategy s) throws Exception {
        OneShotPause pause = new OneShotPause();
        AtomicLong echo = new AtomicLong(-1);
        MsgQueue<Long> q = queueOnNewLoop(s, echo::set, pause);
        awaitAsleep(q);
        pause.arm("beforePublishSleep");
        q.push(0L); // wakes the loop; after delivering it heads for sleep and stops at the pause
        pause.awaitPaused();
        long signalsBefore = q.wakeupsSent();
        q.push(1L); // the loop looked (empty) but has not published: the producer sees AWAKE
        assertThat(q.wakeupsSent()).as("no signal: the loop is not asleep yet").isEqualTo(signalsBefore);
        pause.release.countDown();
        awaitValue(echo, 1L, "the message pushed in the window"); // only the re-check can find it
        assertThat(q.wakeupsSent()).isEqualTo(signalsBefore);
    }

    @ParameterizedTest
    @MethodSource("coalescedStrategies")
    void pushBetweenPublishAndRecheckIsSignalledAndDelivered(WakeupStrategy s) throws Exception {
        OneShotPause pause = new OneShotPause();
        AtomicLong echo = new AtomicLong(-1);
        MsgQueue<Long> q = queueOnNewLoop(s, echo::set, pause);
        // Armed by the loop thread itself, so the pause catches a sleep published after the arming.
        // Not "awaitAsleep, then arm": awaitAsleep sees MAY_SLEEP, which the loop writes *before* it
        // calls the beforeRecheck hook, so a loop preempted between the two still reaches the hook of
        // the sleep already observed; the pause caught that one, the next push spent its signal on it,
        // and the push below found AWAKE. Not "arm before start" either: start() waits for the loop
        // to run its first task, which a pause in the loop's first sleep would hold up for ever.
        lastLoop().execute(() -> pause.arm("beforeRecheck"));
        pause.awaitPaused();
        assertThat(((CoalescedMsgQueue<Long>) q).loopMayBeAsleep()).as("published, not re-checked yet").isTrue();
        long signalsBefore = q.wakeupsSent();
        q.push(1L); // sees MAY_SLEEP: must signal, whatever the loop does next
        assertThat(q.wakeupsSent()).isEqualTo(signalsBefore + 1);
        pause.release.countDown();
        awaitValue(echo, 1L, "the message pushed in the window");
        // The early signal is spent by one non-blocking poll; the protocol still works afterwards.
        awaitAsleep(q);
        q.push(2L);
        awaitValue(echo, 2L, "a later message");
    }

    @ParameterizedTest
    @MethodSource("coalescedStrategies")
    void producerPausedBetweenEnqueueAndFlagStillWakesTheLoop(WakeupStrategy s) throws Exception {
        OneShotPause pause = new OneShotPause();
        AtomicLong echo = new AtomicLong(-1);
        MsgQueue<Long> q = queueOnNewLoop(s, echo::set, pause);
        awaitAsleep(q);
        pause.arm("afterEnqueue");
        Thread producer = new Thread(() -> q.push(7L), "paused-producer");
        producer.start();
        pause.awaitPaused();
        // The message is queued but nobody rang: the loop is still asleep (nothing else can wake it).
        assertThat(((CoalescedMsgQueue<Long>) q).loopMayBeAsleep()).isTrue();
        assertThat(q.wakeupsSent()).isZero();
        pause.release.countDown();
        producer.join(PATIENCE.toMillis());
        awaitValue(echo, 7L, "the paused producer's message");
        assertThat(q.wakeupsSent()).isEqualTo(1);
    }

    @ParameterizedTest
    @MethodSource("coalescedStrategies")
    void producerPausedAfterEnqueueWhileAnotherWakesTheLoopLosesNothing(WakeupStrategy s) throws Exception {
        OneShotPause pause = new OneShotPause();
        List<Long> got = new ArrayList<>(); // loop thread; read after the latch below
        CountDownLatch both = new CountDownLatch(2);
        MsgQueue<Long> q = queueOnNewLoop(s, m -> {
            got.add(m);
            both.countDown();
        }, pause);
        awaitAsleep(q);
        pause.arm("afterEnqueue");
        Thread slow = new Thread(() -> q.push(1L), "paused-producer");
        slow.start();
        pause.awaitPaused();
        q.push(2L); // another producer rings; the loop drains both and goes back to sleep
        assertThat(both.await(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isTrue();
        assertThat(got).containsExactlyInAnyOrder(1L, 2L);
        awaitAsleep(q);
        pause.release.countDown(); // the slow producer now sees MAY_SLEEP: one spare signal, harmless
        slow.join(PATIENCE.toMillis());
        assertThat(q.wakeupsSent()).as("the ring for 2, and the slow producer's spare one").isEqualTo(2);
        awaitAsleep(q);
        q.push(3L);
        TestSupport.spinUntil(() -> q.messagesDelivered() == 3, "a later message");
        assertThat(q.wakeupsSent()).isEqualTo(3);
    }

    // ------------------------------------------------------------------ counting signals

    @ParameterizedTest
    @MethodSource("allStrategies")
    void aBurstToASleepingLoopCostsOneSignal(WakeupStrategy s) throws Exception {
        int burst = 10_000;
        CountDownLatch firstDelivered = new CountDownLatch(1);
        CountDownLatch burstQueued = new CountDownLatch(1);
        CountDownLatch all = new CountDownLatch(burst);
        MsgQueue<Integer> q = queueOnNewLoop(s, m -> {
            if (m == 0) {
                firstDelivered.countDown();
                awaitQuietly(burstQueued); // hold the loop awake while the rest is pushed
            }
            all.countDown();
        }, ProtocolHooks.NONE);
        awaitAsleep(q);
        q.push(0);
        assertThat(firstDelivered.await(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isTrue();
        for (int i = 1; i < burst; i++) {
            q.push(i);
        }
        burstQueued.countDown();
        assertThat(all.await(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isTrue();
        assertThat(q.wakeupsSent()).as("one signal for the whole burst").isEqualTo(1);
    }

    @ParameterizedTest
    @MethodSource("coalescedStrategies")
    void pushAllToASleepingLoopCostsOneSignal(WakeupStrategy s) {
        MsgQueue<Integer> q = queueOnNewLoop(s, m -> { }, ProtocolHooks.NONE);
        awaitAsleep(q);
        assertThat(q.pushAll(IntStream.range(0, 1000).boxed().toList())).isEqualTo(1000);
        spinUntil(() -> q.messagesDelivered() == 1000, "the batch");
        assertThat(q.wakeupsSent()).isEqualTo(1);
    }

    @ParameterizedTest
    @MethodSource("coalescedStrategies")
    void pushLazyWaitsForTheNextTurnWithoutSignalling(WakeupStrategy s) {
        List<Integer> got = new ArrayList<>();
        AtomicLong count = new AtomicLong();
        MsgQueue<Integer> q = queueOnNewLoop(s, m -> {
            got.add(m);
            count.incrementAndGet();
        }, ProtocolHooks.NONE);
        awaitAsleep(q);
        assertThat(q.pushLazy(1)).isTrue();
        assertThat(q.wakeupsSent()).isZero();
        assertThat(((CoalescedMsgQueue<Integer>) q).loopMayBeAsleep()).as("nothing woke the loop").isTrue();
        assertThat(q.pending()).isEqualTo(1);
        q.push(2); // the next natural turn picks up both, in order
        awaitValue(count, 2, "both messages");
        assertThat(got).containsExactly(1, 2);
        assertThat(q.wakeupsSent()).isEqualTo(1);
    }

    @Test
    void pushesFromTheLoopThreadNeverSignal() {
        AtomicLong last = new AtomicLong(-1);
        AtomicReference<MsgQueue<Long>> self = new AtomicReference<>();
        MsgQueue<Long> q = queueOnNewLoop(WakeupStrategy.SELECTOR, m -> {
            last.set(m);
            if (m < 1000) {
                self.get().push(m + 1); // the loop feeds itself
            }
        }, ProtocolHooks.NONE);
        self.set(q);
        awaitAsleep(q);
        q.push(0L);
        awaitValue(last, 1000, "the self-fed chain");
        assertThat(q.wakeupsSent()).as("only the first, external push").isEqualTo(1);
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            if (!latch.await(PATIENCE.toSeconds(), TimeUnit.SECONDS)) {
                throw new AssertionError("latch not released");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
