package io.jevent.chat.server;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

import io.jevent.chat.protocol.ProtocolError;

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
    private final ArrayDeque<Job> logins = new ArrayDeque<>();
    private final ArrayDeque<Job> background = new ArrayDeque<>();
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
     * Queues {@code task}, which nobody waits for if the pool drops it. Any thread.
     *
     * @param priority which queue
     * @param task     the work; an exception it throws is logged and the worker goes on
     * @throws RejectedExecutionException if that queue is full or the pool is shut down (reply ERR 503)
     */
    void execute(Priority priority, Runnable task) {
        ProtocolError refusal = tryQueue(priority, new Job(task, null));
        if (refusal != null) {
            throw new RejectedExecutionException(refusal.equals(ProtocolError.BUSY) ? priority + " queue full"
                    : "hashing pool shut down");
        }
    }

    /**
     * Queues {@code task} for a command that waits for it. Any thread.
     *
     * @param priority which queue
     * @param task     the work; an exception it throws is logged and the worker goes on
     * @param refused  called instead of the task ever running, with the reply the command gets
     *                 ({@code ERR 503}): at once on this thread if the queue is full or the pool shut
     *                 down, or later on the thread that shuts the pool down if that drops the task
     */
    void execute(Priority priority, Runnable task, Consumer<ProtocolError> refused) {
        ProtocolError refusal = tryQueue(priority, new Job(task, refused));
        if (refusal != null) {
            refused.accept(refusal);
        }
    }

    /** @return null once queued; otherwise why not: the pool shut down, or the queue is full */
    private ProtocolError tryQueue(Priority priority, Job job) {
        lock.lock();
        try {
            ArrayDeque<Job> queue = priority == Priority.LOGIN ? logins : background;
            if (shutdown) {
                return ProtocolError.SHUTTING_DOWN;
            }
            if (queue.size() >= queueCapacity) {
                return ProtocolError.BUSY;
            }
            queue.addLast(job);
            changed.signalAll();   // a worker idle only for lack of background share may not take a LOGIN otherwise
            return null;
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

    /**
     * Refuses new tasks and drops the queued ones, telling each one's {@code refused} here;
     * tasks already running finish, then the threads end. No worker is interrupted: a task may be
     * posting its result to an event loop, and an interrupt would close a pipe wake-up under it. Any
     * thread.
     */
    void shutdown() {
        List<Job> dropped = new ArrayList<>();
        lock.lock();
        try {
            shutdown = true;
            dropped.addAll(logins);
            dropped.addAll(background);
            logins.clear();
            background.clear();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        // Outside the lock: a notice posts to a loop, and must not hold up execute() meanwhile.
        for (Job job : dropped) {
            if (job.refused() != null) {
                job.refused().accept(ProtocolError.SHUTTING_DOWN);
            }
        }
    }

    /**
     * {@link #shutdown()}, and interrupts the running tasks too: only once no event loop is left
     * to post to. Any thread.
     */
    void shutdownNow() {
        shutdown();
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
                Job login = logins.pollFirst();
                if (login != null) {
                    return login.task();
                }
                if (backgroundRunning < maxBackgroundRunning && !background.isEmpty()) {
                    backgroundRunning++;
                    return new Background(background.pollFirst().task());
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

    /** A queued task, and whom to tell if a shutdown drops it (or null: nobody waits for it). */
    private record Job(Runnable task, Consumer<ProtocolError> refused) {
    }

    /** Marks a task taken from the background queue, so its end frees a background slot. */
    private record Background(Runnable task) implements Runnable {
        @Override
        public void run() {
            task.run();
        }
    }
}
