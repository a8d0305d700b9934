package io.jevent.msgqueue;

import io.jevent.core.Event;
import io.jevent.core.EventBase;
import io.jevent.core.spi.LoopObserver;
import io.jevent.core.spi.LoopObservers;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.LongConsumer;

/**
 * An {@link EventBase} running on a thread of its own, fed through a {@link MsgQueue} of tasks.
 *
 * <p>It is an {@link Executor}: {@link #execute} runs a task on the loop thread, between I/O callbacks,
 * in bounded batches. Use it to touch the base (add events, write to a {@code BufferEvent}) from other
 * threads — the base itself is confined to the loop thread.
 *
 * <p>Lifecycle: <em>new</em> (tasks may already be queued; they run once started) → {@link #start()}
 * → {@link #shutdown(Duration, Duration)} (new tasks from other threads are rejected; queued tasks
 * run; tasks the loop thread submits are still accepted until the loop stops) → <em>terminated</em>
 * (the base is closed; {@link #terminationFuture()} completes with whatever was left unrun).
 *
 * <p>Death: if something escapes the loop that the thread cannot survive (a {@link
 * VirtualMachineError} such as {@link OutOfMemoryError}, or any other {@link Error}), the thread
 * logs it, closes what is open on the base, closes the base and ends; {@link #terminationFuture()}
 * then completes <em>exceptionally</em> with that throwable, so an application can notice that a
 * loop it relies on is gone (and, say, shut down and exit non-zero for a supervisor to restart it)
 * instead of running on without it. From then on {@link #execute} rejects every task.
 *
 * <p>The loop thread owns what is open on its base: at termination, before closing the base, it
 * closes every {@code BufferEvent} and {@code ConnectionListener} still open there ({@link
 * EventBase#closeOwnedResources()}; each buffer event's status callback gets {@code CLOSED}), so no
 * socket outlives its loop, as Netty closes a loop's channels when it terminates.
 *
 * <p>Threads: {@code scheduled}, {@code tasksRun}, {@code finished}, {@code leftovers} and the shutdown
 * fields belong to the loop thread; the flags are atomics/volatile for other threads.
 */
public final class EventLoopThread implements Executor, AutoCloseable {

    private static final System.Logger LOG = System.getLogger(EventLoopThread.class.getName());
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);
    /** The first pause after the loop itself failed; it doubles with each further failure in a row. */
    static final long FIRST_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    /** The longest pause between two failed loops (Netty's handleLoopException pauses 1 s). */
    static final long MAX_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** After this many failed loops in a row the selector is rebuilt (again after as many more). */
    static final int REBUILD_AFTER_FAILURES = 3;

    private final EventBase base;
    private final MsgQueue<Runnable> tasks;
    private final Thread thread;
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean shutdownCalled = new AtomicBoolean();
    private volatile boolean shutdownRequested;
    /** Opened by the first task, which runs once the loop thread owns the base. */
    private final CountDownLatch owning = new CountDownLatch(1);
    private final CompletableFuture<Void> initDone = new CompletableFuture<>();
    private final CompletableFuture<List<Runnable>> termination = new CompletableFuture<>();
    /** Written by the loop thread before {@link #termination} completes; read after it. */
    private volatile List<Runnable> unrunAtTermination = List.of();
    /** How the loop thread waits after a failed loop; a seam so a test can see the pauses. */
    private final LongConsumer backoff;

    // Loop thread only.
    private final Set<ScheduledTask> scheduled = new LinkedHashSet<>();
    private long tasksRun;
    private boolean finished;
    private List<Runnable> leftovers = List.of();
    private Event shutdownTimer;
    private long quietNanos;
    private long shutdownDeadline;
    private long tasksRunAtLastCheck;
    /** Failed loops since the last poll that worked; see {@link #loopFailed}. */
    private int failuresInARow;

    /**
     * Creates a loop thread with a new {@link EventBase}; the thread starts with {@link #start()}.
     *
     * <p>Any thread.
     *
     * @param name the thread's name
     * @throws NullPointerException if {@code name} is null
     */
    public EventLoopThread(String name) {
        this(name, new EventBase());
    }

    /**
     * Creates a loop thread around {@code base}, which it then owns: the thread runs its loop and
     * closes it at termination.
     *
     * <p>The base's thread (its creator, before any loop ran it).
     *
     * @param name the thread's name
     * @param base a base nobody is running
     * @throws NullPointerException  if an argument is null
     * @throws IllegalStateException if called from a thread that does not own {@code base}
     */
    public EventLoopThread(String name, EventBase base) {
        this(name, base, EventLoopThread::pause);
    }

    /** As {@link #EventLoopThread(String, EventBase)}, waiting with {@code backoff} after a failed loop. */
    EventLoopThread(String name, EventBase base, LongConsumer backoff) {
        Objects.requireNonNull(name, "name");
        this.backoff = Objects.requireNonNull(backoff, "backoff");
        this.base = Objects.requireNonNull(base, "base");
        this.tasks = MsgQueue.<Runnable>builder(base, this::runTask)
                .onError((task, error) -> LOG.log(System.Logger.Level.WARNING,
                        "task " + MsgQueueBuilder.describe(task) + " threw on loop thread " + name, error))
                .build();
        this.thread = new Thread(this::run, name);
        // A poll that returns shows the selector works again: the next failure starts a new count.
        LoopObservers.add(base, new LoopObserver() {
            @Override
            public boolean beforePoll() {
                return false;
            }

            @Override
            public void afterPoll() {
                failuresInARow = 0;
            }
        });
        // The base belongs to its creator until the loop thread enters loop(); this first task runs
        // after that, so start() can wait for it and hand over a base that is really confined.
        tasks.push(owning::countDown);
    }

    /**
     * Starts the thread and returns once it runs the base: from then on the base is confined to the
     * loop thread (before, it belonged to the thread that created it). Tasks executed before this call
     * run first, in order.
     *
     * <p>Any thread, once.
     *
     * @throws IllegalStateException if already started (or shut down before it was started)
     */
    public void start() {
        launch(null);
    }

    /**
     * Like {@link #start()}, and runs {@code init} on the loop thread with the base — the place to set
     * up events. It runs after the tasks executed before this call and before any task executed after
     * it.
     *
     * <p>Any thread, once. If {@code init} throws, the loop shuts down at once (see {@link #shutdown})
     * and the returned future completes with that exception.
     *
     * @param init setup code, run on the loop thread with the base; may be null
     * @return completes when {@code init} has run
     * @throws IllegalStateException if already started
     */
    public CompletableFuture<Void> start(Consumer<? super EventBase> init) {
        launch(init);
        return initDone.copy();
    }

    private void launch(Consumer<? super EventBase> init) {
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("loop thread " + thread.getName() + " already started");
        }
        if (init == null) {
            initDone.complete(null);
        } else {
            tasks.push(() -> runInit(init));
        }
        thread.start();
        awaitOwnership();
    }

    private void awaitOwnership() {
        if (Thread.currentThread() == thread) {
            return;
        }
        boolean interrupted = false;
        while (true) {
            try {
                owning.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true; // start() promises a confined base: finish waiting, keep the flag
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    // FutureReturnValueIgnored: the shutdown's result only lists tasks left unrun and completes as
    // terminationFuture() does; init's failure is reported through initDone and logged here.
    @SuppressWarnings("FutureReturnValueIgnored")
    private void runInit(Consumer<? super EventBase> init) {
        try {
            init.accept(base);
            initDone.complete(null);
        } catch (Throwable t) {
            initDone.completeExceptionally(t);
            if (t instanceof VirtualMachineError fatal) {
                throw fatal;            // the JVM's failure, not init's: the loop thread dies (see run())
            }
            LOG.log(System.Logger.Level.ERROR, "init of loop thread " + thread.getName() + " threw; shutting down", t);
            shutdown(Duration.ZERO, Duration.ZERO);
        }
    }

    /**
     * Runs {@code task} on the loop thread, after the tasks queued before it by the same thread.
     *
     * <p>Any thread. After {@link #shutdown} only the loop thread itself may still submit (until the
     * loop stops). A task that throws is logged and the loop goes on.
     *
     * @param task the task
     * @throws RejectedExecutionException if the loop is shutting down or terminated
     * @throws NullPointerException       if {@code task} is null
     */
    @Override
    public void execute(Runnable task) {
        Objects.requireNonNull(task, "task");
        if (shutdownRequested && Thread.currentThread() != thread) {
            throw new RejectedExecutionException("loop thread " + thread.getName() + " is shutting down");
        }
        if (!tasks.push(task)) {
            throw new RejectedExecutionException("loop thread " + thread.getName() + " has stopped");
        }
    }

    /**
     * Runs {@code task} on the loop thread and completes the returned future with its result or its
     * exception. Cancelling the future before the task starts keeps it from running.
     *
     * <p>Any thread.
     *
     * @param task the task
     * @param <V>  the result type
     * @return the task's result
     * @throws RejectedExecutionException as for {@link #execute}
     */
    public <V> CompletableFuture<V> submit(Callable<V> task) {
        Objects.requireNonNull(task, "task");
        CompletableFuture<V> result = new CompletableFuture<>();
        execute(() -> {
            if (result.isDone()) {
                return;
            }
            try {
                result.complete(task.call());
            } catch (Throwable t) {
                result.completeExceptionally(t);
                if (t instanceof VirtualMachineError fatal) {
                    throw fatal;
                }
            }
        });
        return result;
    }

    /**
     * Runs {@code task} on the loop thread once {@code delay} has passed (a timer on the base).
     * Cancelling the returned future removes the timer.
     *
     * <p>Any thread. A task still waiting when the loop stops is not run: it is cancelled and listed by
     * the shutdown's result.
     *
     * @param task  the task
     * @param delay how long from now; zero or negative means as soon as possible
     * @return completes when the task has run (exceptionally if it threw)
     * @throws RejectedExecutionException as for {@link #execute}
     */
    // FutureReturnValueIgnored: whenComplete only registers the cancellation listener below; the
    // stage it returns would report nothing but that listener's own failure, which it catches.
    @SuppressWarnings("FutureReturnValueIgnored")
    public CompletableFuture<Void> schedule(Runnable task, Duration delay) {
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(delay, "delay");
        ScheduledTask s = new ScheduledTask(task, System.nanoTime() + Math.max(0, saturatedNanos(delay)));
        execute(s::arm);
        s.future.whenComplete((v, t) -> {
            if (s.future.isCancelled()) {
                if (Thread.currentThread() == thread) {
                    s.disarm();
                } else {
                    try {
                        execute(s::disarm);
                    } catch (RejectedExecutionException stopped) {
                        // The loop is stopping; its shutdown disarms every timer anyway.
                    }
                }
            }
        });
        return s.future;
    }

    /**
     * Stops the loop gracefully: from now on tasks from other threads are rejected; every task already
     * queued runs; then the loop keeps running (I/O, timers, tasks the loop itself submits) until no
     * task has run for {@code quietPeriod}, or {@code timeout} has passed. It then stops, cancels pending
     * scheduled tasks, closes every buffer event and listener still open on the base (see the class
     * comment), closes the base and ends the thread.
     *
     * <p>Any thread, also the loop thread (it does not block). Calling it again returns the same result
     * and keeps the first call's periods. A loop never started is started, so its queued tasks run.
     *
     * @param quietPeriod how long the loop must be idle before it stops; zero stops it as soon as the
     *                    queue is empty
     * @param timeout     the longest the shutdown may take; tasks still queued then are not run
     * @return completes at termination with the tasks that did not run (queued ones past the timeout,
     *         and pending scheduled ones), in queue order; exceptionally if the thread died instead
     *         (see {@link #terminationFuture()})
     * @throws IllegalArgumentException if a period is negative
     */
    public CompletableFuture<List<Runnable>> shutdown(Duration quietPeriod, Duration timeout) {
        Objects.requireNonNull(quietPeriod, "quietPeriod");
        Objects.requireNonNull(timeout, "timeout");
        if (quietPeriod.isNegative() || timeout.isNegative()) {
            throw new IllegalArgumentException("periods must not be negative: " + quietPeriod + ", " + timeout);
        }
        if (shutdownCalled.compareAndSet(false, true)) {
            shutdownRequested = true;
            long quiet = saturatedNanos(quietPeriod);
            long deadline = System.nanoTime() + saturatedNanos(timeout);
            // The queue closes only in finishShutdown(), which runs after this task: the push succeeds.
            tasks.push(() -> beginShutdown(quiet, deadline));
            if (started.compareAndSet(false, true)) {
                thread.start();
            }
        }
        return termination.copy();
    }

    /**
     * Blocks until the loop has terminated or {@code timeout} has passed.
     *
     * <p>Any thread but the loop thread.
     *
     * @param timeout how long to wait
     * @return {@code true} if terminated
     * @throws InterruptedException if interrupted while waiting
     */
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        try {
            termination.get(saturatedNanos(timeout), TimeUnit.NANOSECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            return true;
        }
    }

    /**
     * How the loop thread ended. It completes once, when the thread has stopped and the base is
     * closed:
     * <ul>
     *   <li><b>normally</b> after a {@link #shutdown}, with the tasks that did not run;</li>
     *   <li><b>exceptionally</b>, with the very throwable, if the thread died because something it
     *       cannot survive escaped the loop (a {@link VirtualMachineError} from a callback or a task,
     *       or any other {@link Error}). What was open on the base is closed all the same; tasks still
     *       queued are not run. An exception from the selector is not a death: the loop retries
     *       (see the class comment).</li>
     * </ul>
     * Dependent actions may run on the dying loop thread: keep them short and never wait there for
     * the loop. Each call returns a new copy, so completing or cancelling it affects nobody else.
     *
     * <p>Any thread, at any time (also before {@link #start()}).
     *
     * @return completes at termination: normally with the tasks that did not run, exceptionally with
     *         what killed the thread
     */
    public CompletableFuture<List<Runnable>> terminationFuture() {
        return termination.copy();
    }

    /**
     * Shuts down with no quiet period and a 30 s timeout, and waits for termination. Returns normally
     * also if the thread had died: the death was logged, and {@link #terminationFuture()} reports it.
     *
     * <p>Any thread but the loop thread.
     *
     * @throws IllegalStateException if called on the loop thread (it would wait for itself)
     */
    @Override
    public void close() {
        if (Thread.currentThread() == thread) {
            throw new IllegalStateException("close() would wait for its own thread; use shutdown()");
        }
        shutdown(Duration.ZERO, CLOSE_TIMEOUT).exceptionally(death -> List.of()).join();
    }

    /**
     * The base, for code already running on the loop thread (in a task or a callback). From any other
     * thread only its thread-safe methods may be used ({@code wakeup}, {@code loopBreak},
     * {@code loopExit}, {@code inLoopThread}).
     *
     * @return the base this thread runs
     */
    public EventBase base() {
        return base;
    }

    /**
     * Any thread.
     *
     * @return {@code true} if the calling thread is this loop's thread
     */
    public boolean inLoopThread() {
        return Thread.currentThread() == thread;
    }

    /**
     * Any thread.
     *
     * @return {@code true} once {@link #shutdown} was called: other threads' tasks are rejected
     */
    public boolean isShutdown() {
        return shutdownRequested;
    }

    /**
     * The tasks that did not run, also when the thread died (then the termination future carries the
     * throwable instead of them). For the group, which must close the channels of unrun hand-offs.
     *
     * <p>Any thread, after termination.
     */
    List<Runnable> unrunTasks() {
        return unrunAtTermination;
    }

    /**
     * Any thread.
     *
     * @return {@code true} once the thread has stopped and the base is closed
     */
    public boolean isTerminated() {
        return termination.isDone();
    }

    /**
     * Any thread; approximate while tasks are being submitted.
     *
     * @return how many executed tasks have not run yet
     */
    public int pendingTasks() {
        return tasks.pending();
    }

    /**
     * Any thread.
     *
     * @return how many wake-up signals task submissions have cost so far (at most one per sleep)
     */
    public long wakeupsSent() {
        return tasks.wakeupsSent();
    }

    /**
     * Any thread.
     *
     * @return the thread's name
     */
    public String name() {
        return thread.getName();
    }

    @Override
    public String toString() {
        return "EventLoopThread[" + thread.getName() + (isTerminated() ? ", terminated" : isShutdown() ? ", shutting down" : "")
                + "]";
    }

    // ---------------------------------------------------------------- loop thread

    private void run() {
        Throwable death = null;
        try {
            while (!finished) {
                try {
                    base.loop(EventBase.LOOP_NO_EXIT_ON_EMPTY);
                } catch (RuntimeException e) {
                    loopFailed(e);
                }
            }
        } catch (Throwable fatal) {
            death = fatal;
            LOG.log(System.Logger.Level.ERROR, "loop thread " + thread.getName() + " dies", fatal);
            if (!finished) {
                leftovers = new ArrayList<>(tasks.closeNow());
            }
        } finally {
            try {
                closeOwnedResources();
            } finally {
                try {
                    base.close();
                } finally {
                    unrunAtTermination = leftovers;
                    if (death == null) {
                        termination.complete(leftovers);
                    } else {
                        termination.completeExceptionally(death);
                    }
                }
            }
        }
    }

    /**
     * Loop thread: the loop itself threw. Callbacks' exceptions never get here (the base reports
     * them), so this is the selector failing, and retrying at once would spin on it. As Netty does:
     * pause, longer after each failure in a row, and after {@link #REBUILD_AFTER_FAILURES} of them
     * move every channel to a new selector. A poll that works resets the count. If the selector
     * cannot be rebuilt while a shutdown is pending, the loop terminates at once, as at the shutdown's
     * timeout, instead of waiting for a loop that cannot run.
     */
    private void loopFailed(RuntimeException e) {
        failuresInARow++;
        if (failuresInARow % REBUILD_AFTER_FAILURES == 0) {
            try {
                base.rebuildSelector();
                LOG.log(System.Logger.Level.WARNING, "loop of " + thread.getName() + " failed " + failuresInARow
                        + " times in a row; rebuilt its selector", e);
                return;                     // try the new selector at once
            } catch (RuntimeException rebuildFailure) {
                rebuildFailure.addSuppressed(e);
                LOG.log(System.Logger.Level.ERROR, "loop of " + thread.getName() + " cannot rebuild its selector",
                        rebuildFailure);
                if (shutdownRequested) {
                    // The shutdown's own steps need a working loop: terminate now, as at its timeout.
                    finishShutdown(true);
                    return;
                }
            }
        } else if (failuresInARow == 1) {
            LOG.log(System.Logger.Level.ERROR, "loop of " + thread.getName() + " threw; retrying after a pause", e);
        }
        int doublings = Math.min(failuresInARow - 1, 30);
        backoff.accept(Math.min(MAX_BACKOFF_NANOS, FIRST_BACKOFF_NANOS << doublings));
    }

    private static void pause(long nanos) {
        try {
            TimeUnit.NANOSECONDS.sleep(nanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();     // keep it for whoever interrupted the loop thread
        }
    }

    /** Loop thread, at termination: best effort, so that the base is closed whatever happens here. */
    private void closeOwnedResources() {
        try {
            base.closeOwnedResources();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "closing what is open on " + thread.getName() + " failed", e);
        }
    }

    private void runTask(Runnable task) {
        tasksRun++;
        task.run();
    }

    private void beginShutdown(long quiet, long deadline) {
        quietNanos = quiet;
        shutdownDeadline = deadline;
        tasksRunAtLastCheck = tasksRun;
        shutdownTimer = base.newTimer((ev, what) -> checkShutdown());
        armShutdownCheck(System.nanoTime());
    }

    /** Loop thread: stop once idle for the quiet period, or when the deadline has passed. */
    private void checkShutdown() {
        long now = System.nanoTime();
        boolean idle = tasks.pending() == 0 && tasksRun == tasksRunAtLastCheck;
        if (idle || now - shutdownDeadline >= 0) {
            finishShutdown(!idle);
            return;
        }
        tasksRunAtLastCheck = tasksRun;
        armShutdownCheck(now);
    }

    private void armShutdownCheck(long now) {
        long untilDeadline = Math.max(0, shutdownDeadline - now);
        shutdownTimer.add(Duration.ofNanos(Math.min(quietNanos, untilDeadline)));
    }

    private void finishShutdown(boolean timedOut) {
        List<Runnable> left = new ArrayList<>();
        if (timedOut) {
            left.addAll(tasks.closeNow());
        } else {
            tasks.close(); // runs what slipped in since the last check
        }
        List<ScheduledTask> pendingTimers = new ArrayList<>(scheduled);
        scheduled.clear();
        for (ScheduledTask s : pendingTimers) {
            s.event.del();
            s.event.free();
            left.add(s.task);
            s.future.cancel(false);
        }
        leftovers = left;
        finished = true;
        base.loopBreak();
    }

    private static long saturatedNanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException e) {
            return d.isNegative() ? Long.MIN_VALUE / 4 : Long.MAX_VALUE / 4;
        }
    }

    /** A task waiting for its timer. Fields other than the final ones belong to the loop thread. */
    private final class ScheduledTask {
        final Runnable task;
        final long dueNanos;
        final CompletableFuture<Void> future = new CompletableFuture<>();
        Event event;

        ScheduledTask(Runnable task, long dueNanos) {
            this.task = task;
            this.dueNanos = dueNanos;
        }

        void arm() {
            if (future.isDone()) {
                return; // cancelled before the loop got to it
            }
            event = base.newTimer((ev, what) -> fire());
            scheduled.add(this);
            event.add(Duration.ofNanos(Math.max(0, dueNanos - System.nanoTime())));
        }

        void fire() {
            scheduled.remove(this);
            event.free();
            if (future.isDone()) {
                return;
            }
            try {
                task.run();
                future.complete(null);
            } catch (Throwable t) {
                future.completeExceptionally(t);
                if (t instanceof VirtualMachineError fatal) {
                    throw fatal;
                }
                LOG.log(System.Logger.Level.WARNING, "scheduled task threw on " + thread.getName(), t);
            }
        }

        void disarm() {
            if (event != null && scheduled.remove(this)) {
                event.del();
                event.free();
            }
        }
    }
}
