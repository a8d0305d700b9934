package io.jevent.chat.server;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The password-hashing threads, scheduled so that logging in stays possible while registrations
 * flood in. Two bounded queues:
 * <ul>
 *   <li>{@link Priority#LOGIN} (verifying a LOGIN's password): always taken first, by any worker;</li>
 *   <li>{@link Priority#BACKGROUND} (hashing a REGISTER's password, re-hashing after a login):
 *       taken only when no LOGIN waits, and by at most {@code threads - 1} workers at a time, so
 *       one worker is always free for LOGIN (with a single thread there is nothing to reserve:
 *       a LOGIN then waits for at most the one background hash under way).</li>
 * </ul>
 * With one FIFO queue, a flood of REGISTERs would put every LOGIN behind its hashes.
 *
 * <p>Threading: {@link #execute} and the lifecycle methods may be called from any thread; one lock
 * guards both queues and the counters. Tasks run on the pool's daemon threads.
 */
final class HashingPool {
    private static final System.Logger LOG = System.getLogger(HashingPool.class.getName());

    /** Which queue a task goes to. */
    enum Priority {
        /** LOGIN password checks: served before any background task. */
        LOGIN,
        /** REGISTER hashes and re-hashes: never on every worker at once. */
        BACKGROUND
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<Runnable> logins = new ArrayDeque<>();
    private final ArrayDeque<Runnable> background = new ArrayDeque<>();
    private final int queueCapacity;
    private final int maxBackgroundRunning;
    private final List<Thread> threads = new ArrayList<>();
    // Guarded by lock.
    private int backgroundRunning;
    private int alive;
    private boolean shutdown;

    /**
     * Starts the threads.
     *
     * @param threadCount   worker threads, at least 1
     * @param queueCapacity most tasks each queue holds; {@link #execute} refuses more
     * @param namePrefix    thread names are this plus a number
     */
    HashingPool(int threadCount, int queueCapacity, String namePrefix) {
        if (threadCount < 1 || queueCapacity < 1) {
            throw new IllegalArgumentException("threads and queue capacity must be positive");
        }
        this.queueCapacity = queueCapacity;
        this.maxBackgroundRunning = Math.max(1, threadCount - 1);
        this.alive = threadCount;
        for (int i = 0; i < threadCount; i++) {
            Thread t = new Thread(this::work, namePrefix + i);
            t.setDaemon(true);
            threads.add(t);
        }
        threads.forEach(Thread::start);
    }

    /**
     * Queues {@code task}. Any thread.
     *
     * @param priority which queue
     * @param task     the work; an exception it throws is logged and the worker goes on
     * @throws RejectedExecutionException if that queue is full or the pool is shut down (reply ERR 503)
     */
    void execute(Priority priority, Runnable task) {
        lock.lock();
        try {
            ArrayDeque<Runnable> queue = priority == Priority.LOGIN ? logins : background;
            if (shutdown) {
                throw new RejectedExecutionException("hashing pool shut down");
            }
            if (queue.size() >= queueCapacity) {
                throw new RejectedExecutionException(priority + " queue full");
            }
            queue.addLast(task);
            changed.signalAll();   // a worker idle only for lack of background share may not take a LOGIN otherwise
        } finally {
            lock.unlock();
        }
    }

    /**
     * Tasks waiting (not running) in a queue, for tests and metrics. Any thread.
     *
     * @param priority which queue
     * @return its length
     */
    int queued(Priority priority) {
        lock.lock();
        try {
            return priority == Priority.LOGIN ? logins.size() : background.size();
        } finally {
            lock.unlock();
        }
    }

    /** Refuses new tasks; queued ones still run, then the threads end. Any thread. */
    void shutdown() {
        lock.lock();
        try {
            shutdown = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Refuses new tasks, drops the queued ones and interrupts the running ones. Any thread. */
    void shutdownNow() {
        lock.lock();
        try {
            shutdown = true;
            logins.clear();
            background.clear();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        threads.forEach(Thread::interrupt);
    }

    /**
     * Waits for the threads to end after a shutdown. Any thread but a worker.
     *
     * @return true if they all ended within the timeout
     * @throws InterruptedException if interrupted while waiting
     */
    boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        lock.lock();
        try {
            while (alive > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                changed.awaitNanos(left);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    private void work() {
        try {
            Runnable task;
            while ((task = take()) != null) {
                boolean isBackground = task instanceof Background;
                try {
                    task.run();
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.ERROR, "hashing task failed", e);
                } finally {
                    if (isBackground) {
                        finishedBackground();
                    }
                }
            }
        } finally {
            lock.lock();
            try {
                alive--;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    /** The next task, LOGIN first; background ones come wrapped in {@link Background}; null to stop. */
    private Runnable take() {
        lock.lock();
        try {
            while (true) {
                Runnable login = logins.pollFirst();
                if (login != null) {
                    return login;
                }
                if (backgroundRunning < maxBackgroundRunning && !background.isEmpty()) {
                    backgroundRunning++;
                    return new Background(background.pollFirst());
                }
                if (shutdown && background.isEmpty()) {
                    return null;
                }
                try {
                    changed.await();
                } catch (InterruptedException e) {
                    if (shutdown) {
                        return null;   // shutdownNow
                    }
                }
            }
        } finally {
            lock.unlock();
        }
    }

    private void finishedBackground() {
        lock.lock();
        try {
            backgroundRunning--;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Marks a task taken from the background queue, so its end frees a background slot. */
    private record Background(Runnable task) implements Runnable {
        @Override
        public void run() {
            task.run();
        }
    }
}
