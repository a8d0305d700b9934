package io.jevent.msgqueue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/** Shared helpers: waiting without sleeping, running code on a loop, counting fds. */
final class TestSupport {
    /** Generous: a loaded 2-core machine always meets it; a lost wake-up never does. */
    static final Duration PATIENCE = Duration.ofSeconds(30);

    private TestSupport() { }

    /**
     * Waits until {@code condition} holds: spinning, then yielding, then parking for a few
     * microseconds at a time. The partner thread is usually a loop that answers within microseconds,
     * so the first phases keep the common case fast; the parking phase matters on an oversubscribed
     * machine, where a yielding waiter keeps losing its core to other work while the loop it waits
     * for cannot run.
     */
    // Thread.yield is deliberate (ThreadPriorityCheck): on a loaded two-core machine the thread this
    // one waits for needs the core, and a test may not sleep to give it up.
    @SuppressWarnings("ThreadPriorityCheck")
    static void spinUntil(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        int spins = 0;
        while (!condition.getAsBoolean()) {
            spins++;
            if (spins < 200) {
                Thread.onSpinWait();
            } else if (spins < 300) {
                Thread.yield();
            } else {
                java.util.concurrent.locks.LockSupport.parkNanos(20_000);
                if ((spins & 63) == 0 && System.nanoTime() - deadline > 0) {
                    fail("timed out after " + PATIENCE + " waiting for " + what);
                }
            }
        }
    }

    static void awaitValue(AtomicLong value, long expected, String what) {
        spinUntil(() -> value.get() == expected, what + " to reach " + expected);
    }

    /** Runs {@code task} on the loop thread and returns its result. */
    static <V> V onLoop(EventLoopThread loop, Callable<V> task) throws Exception {
        return loop.submit(task).get(PATIENCE.toNanos(), TimeUnit.NANOSECONDS);
    }

    static void onLoop(EventLoopThread loop, Runnable task) throws Exception {
        onLoop(loop, () -> {
            task.run();
            return null;
        });
    }

    static EventLoopThread startedLoop(String name) {
        EventLoopThread loop = new EventLoopThread(name);
        loop.start();
        return loop;
    }

    static void shutdown(EventLoopThread loop) throws InterruptedException {
        assertThat(loop.shutdown(Duration.ZERO, PATIENCE)).as("loop %s stops cleanly", loop.name()).succeedsWithin(PATIENCE);
        assertThat(loop.awaitTermination(PATIENCE)).as("loop %s terminates", loop.name()).isTrue();
    }

    /** Pipe ends open in this process: what a PIPE queue would leak. Exact, unlike a count of all fds. */
    static long openPipes() {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.filter(fd -> {
                try {
                    return Files.readSymbolicLink(fd).toString().startsWith("pipe:");
                } catch (IOException gone) {
                    return false; // closed while we listed
                }
            }).count();
        } catch (IOException e) {
            throw new AssertionError("cannot list /proc/self/fd", e);
        }
    }

    static long encode(int producer, long seq) {
        return ((long) producer << 40) | seq;
    }

    static int producerOf(long msg) {
        return (int) (msg >>> 40);
    }

    static long seqOf(long msg) {
        return msg & ((1L << 40) - 1);
    }
}
