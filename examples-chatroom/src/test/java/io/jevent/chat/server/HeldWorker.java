package io.jevent.chat.server;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.jevent.chat.server.HashingPool.Priority;

/**
 * A hashing worker held busy by a test, so that the PBKDF2 work of the commands it sends queues up
 * behind it in a known order ({@link HashingPool#queued} counts them). Released by {@link #close},
 * or after a minute, so a test that fails before releasing it does not leave the worker blocked.
 */
final class HeldWorker implements AutoCloseable {
    private final CountDownLatch release = new CountDownLatch(1);

    private HeldWorker() {
    }

    /**
     * Queues a task of {@code priority} that holds its worker, and returns once a worker runs it.
     * A {@link Priority#BACKGROUND} hold takes the background share of a pool of two workers, and
     * leaves LOGIN the other.
     */
    static HeldWorker hold(HashingPool pool, Priority priority) throws InterruptedException {
        HeldWorker held = new HeldWorker();
        CountDownLatch running = new CountDownLatch(1);
        pool.execute(priority, () -> {
            running.countDown();
            try {
                held.release.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        if (!running.await(30, TimeUnit.SECONDS)) {
            throw new AssertionError("no hashing worker took the hold");
        }
        return held;
    }

    /** Lets the worker go. */
    @Override
    public void close() {
        release.countDown();
    }
}
