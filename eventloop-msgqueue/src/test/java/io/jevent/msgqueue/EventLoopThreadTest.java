package io.jevent.msgqueue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import io.jevent.testing.CapturedLog;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;

import static io.jevent.msgqueue.TestSupport.PATIENCE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EventLoopThreadTest {

    private final List<EventLoopThread> loops = new ArrayList<>();

    private EventLoopThread newLoop(String name) {
        EventLoopThread loop = new EventLoopThread(name);
        loops.add(loop);
        return loop;
    }

    @AfterEach
    void stopLoops() throws InterruptedException {
        for (EventLoopThread loop : loops) {
            assertThat(loop.shutdown(Duration.ZERO, PATIENCE)).as("%s stops cleanly", loop.name()).succeedsWithin(PATIENCE);
            assertThat(loop.awaitTermination(PATIENCE)).isTrue();
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(PATIENCE.toSeconds(), TimeUnit.SECONDS)) {
                throw new AssertionError("latch timed out");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void shutdownRunsEveryQueuedTaskAndRejectsLaterOnes() throws Exception {
        EventLoopThread loop = newLoop("shutdown");
        loop.start();
        CountDownLatch release = new CountDownLatch(1);
        loop.execute(() -> await(release)); // hold the loop so the tasks pile up
        AtomicInteger ran = new AtomicInteger();
        for (int i = 0; i < 10_000; i++) {
            loop.execute(ran::incrementAndGet);
        }
        CompletableFuture<List<Runnable>> terminated = loop.shutdown(Duration.ZERO, PATIENCE);
        assertThat(loop.isShutdown()).isTrue();
        assertThatThrownBy(() -> loop.execute(ran::incrementAndGet)).isInstanceOf(RejectedExecutionException.class);
        assertThatThrownBy(() -> loop.submit(() -> 1)).isInstanceOf(RejectedExecutionException.class);
        assertThatThrownBy(() -> loop.schedule(ran::incrementAndGet, Duration.ZERO))
                .isInstanceOf(RejectedExecutionException.class);
        release.countDown();
        assertThat(terminated.get(PATIENCE.toSeconds(), TimeUnit.SECONDS)).as("nothing left over").isEmpty();
        assertThat(ran.get()).isEqualTo(10_000);
        assertThat(loop.isTerminated()).isTrue();
        assertThat(loop.base().isClosed()).isTrue();
    }

    @Test
    void tasksExecutedBeforeStartRunFirstThenInitThenTheRest() throws Exception {
        EventLoopThread loop = newLoop("init");
        List<String> order = Collections.synchronizedList(new ArrayList<>());
        loop.execute(() -> order.add("early-1"));
        loop.execute(() -> order.add("early-2"));
        CompletableFuture<Void> init = loop.start(base -> {
            assertThat(base.inLoopThread()).isTrue();
            base.newTimer((ev, what) -> { }).add(Duration.ofHours(1)); // the base is usable here
            order.add("init");
        });
        assertThat(loop.base().inLoopThread()).as("start() handed the base to the loop thread").isFalse();
        loop.execute(() -> order.add("late"));
        init.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        TestSupport.onLoop(loop, () -> { });
        assertThat(order).containsExactly("early-1", "early-2", "init", "late");
        assertThatThrownBy(loop::start).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void anInitThatThrowsShutsTheLoopDown() throws Exception {
        try (CapturedLog log = CapturedLog.of(EventLoopThread.class)) {
            EventLoopThread loop = newLoop("bad-init");
            CompletableFuture<Void> init = loop.start(base -> {
                throw new IllegalStateException("no config");
            });
            assertThatThrownBy(() -> init.get(PATIENCE.toSeconds(), TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).hasRootCauseMessage("no config");
            assertThat(loop.awaitTermination(PATIENCE)).isTrue();
            assertThat(log.records(Level.WARNING)).singleElement().satisfies(r -> {
                assertThat(r.getLevel()).isEqualTo(Level.SEVERE);
                assertThat(r.getMessage()).isEqualTo("init of loop thread bad-init threw; shutting down");
                assertThat(r.getThrown()).hasMessage("no config");
            });
        }
    }

    @Test
    void submitCompletesWithTheResultOrTheException() throws Exception {
        try (CapturedLog log = CapturedLog.of(EventLoopThread.class)) {
            submitCompletesWithTheResultOrTheException(log);
        }
    }

    private void submitCompletesWithTheResultOrTheException(CapturedLog log) throws Exception {
        EventLoopThread loop = newLoop("submit");
        loop.start();
        assertThat(loop.submit(() -> loop.inLoopThread()).get(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isTrue();
        CompletableFuture<Object> failing = loop.submit(() -> {
            throw new java.io.IOException("disk");
        });
        assertThatThrownBy(() -> failing.get(PATIENCE.toSeconds(), TimeUnit.SECONDS)).hasRootCauseMessage("disk");
        // A throwing task does not hurt the loop.
        loop.execute(() -> {
            throw new IllegalStateException("boom");
        });
        assertThat(loop.submit(() -> 42).get(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isEqualTo(42);
        // Only the executed task's failure is logged: the submitted one's is in its future.
        assertThat(log.records(Level.WARNING)).singleElement().satisfies(r -> {
            assertThat(r.getMessage()).endsWith("threw on loop thread submit");
            assertThat(r.getThrown()).hasMessage("boom");
        });
    }

    @Test
    void scheduledTasksRunAfterTheirDelayAndCancelledOnesNever() throws Exception {
        EventLoopThread loop = newLoop("schedule");
        loop.start();
        AtomicBoolean cancelledRan = new AtomicBoolean();
        CompletableFuture<Void> cancelled = loop.schedule(() -> cancelledRan.set(true), Duration.ofMillis(30));
        assertThat(cancelled.cancel(false)).isTrue();
        long t0 = System.nanoTime();
        AtomicReference<Boolean> onLoopThread = new AtomicReference<>();
        CompletableFuture<Void> later = loop.schedule(() -> onLoopThread.set(loop.inLoopThread()), Duration.ofMillis(60));
        later.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        assertThat(System.nanoTime() - t0).as("not before its delay").isGreaterThanOrEqualTo(Duration.ofMillis(60).toNanos());
        assertThat(onLoopThread.get()).isTrue();
        assertThat(cancelledRan.get()).as("a cancelled task due earlier never ran").isFalse();
    }

    @Test
    void aShutdownThatTimesOutReturnsWhatDidNotRun() throws Exception {
        EventLoopThread loop = newLoop("timeout");
        loop.start();
        Runnable pending = () -> { };
        CompletableFuture<Void> scheduled = loop.schedule(pending, Duration.ofHours(1));
        TestSupport.onLoop(loop, () -> { }); // the timer is armed
        // A task that keeps resubmitting itself from the loop thread (still allowed while shutting
        // down) keeps the loop from ever being quiet, so only the timeout stops it.
        Runnable[] again = new Runnable[1];
        again[0] = () -> loop.execute(again[0]);
        loop.execute(again[0]);
        List<Runnable> left = loop.shutdown(Duration.ofMillis(10), Duration.ofMillis(100))
                .get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        assertThat(left).contains(pending, again[0]);
        assertThat(scheduled).isCancelled();
        assertThatThrownBy(scheduled::join).isInstanceOf(CancellationException.class);
    }

    @Test
    void closeWaitsForTerminationAndRefusesTheLoopThread() throws Exception {
        EventLoopThread loop = newLoop("close");
        loop.start();
        Throwable fromLoop = TestSupport.onLoop(loop, () -> {
            try {
                loop.close();
                return null;
            } catch (IllegalStateException e) {
                return e;
            }
        });
        assertThat(fromLoop).isInstanceOf(IllegalStateException.class);
        AtomicInteger ran = new AtomicInteger();
        loop.execute(ran::incrementAndGet);
        loop.close();
        assertThat(loop.isTerminated()).isTrue();
        assertThat(ran.get()).isEqualTo(1);
    }

    @Test
    void aLoopNeverStartedStillRunsItsTasksWhenShutDown() throws Exception {
        EventLoopThread loop = newLoop("never-started");
        AtomicInteger ran = new AtomicInteger();
        loop.execute(ran::incrementAndGet);
        assertThat(loop.shutdown(Duration.ZERO, PATIENCE).get(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isEmpty();
        assertThat(ran.get()).isEqualTo(1);
    }
}
