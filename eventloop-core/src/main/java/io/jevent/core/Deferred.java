package io.jevent.core;

/**
 * A task that runs once on the loop thread after the callbacks of the current iteration and before
 * the loop polls again; made by {@link EventBase#newDeferred(Runnable)}. libevent uses the same idea
 * internally (its deferred callbacks) and Netty calls it flushing before the poll: a buffered writer
 * schedules its flush here, so every write made during one iteration leaves in one system call, with
 * no selector interest change, and never from inside the caller's own {@code write()}.
 *
 * <h2>Contract</h2>
 * <ul>
 * <li>{@link #schedule()} queues the task; scheduling it again before it runs changes nothing, so it
 *     runs once however often it was scheduled. Tasks run in the order they were first scheduled.</li>
 * <li>The loop runs the tasks scheduled before it starts running them; a task scheduled by a task
 *     runs in the next iteration, whose poll does not block. So a task that keeps rescheduling itself
 *     cannot starve I/O.</li>
 * <li>A scheduled task is work: the loop neither sleeps nor returns for lack of events while one is
 *     scheduled. {@link EventBase#LOOP_ONCE} counts a task run as a callback run.</li>
 * <li>{@link EventBase#loopBreak()} from a task leaves the tasks after it scheduled, for the next
 *     loop. {@link EventBase#close()} drops every scheduled task.</li>
 * <li>A task that throws is reported to the base's {@link CallbackExceptionHandler} with a
 *     {@code null} event, and the loop goes on.</li>
 * </ul>
 *
 * <p>Threading: loop thread only, like the base; every method throws {@link IllegalStateException}
 * on another thread. The links below belong to the base's loop thread, so nothing is locked.
 */
public final class Deferred {
    final EventBase base;
    final Runnable task;
    /** Intrusive links in the base's {@link DeferredQueue}: no allocation per schedule. */
    Deferred prev;
    Deferred next;
    boolean scheduled;

    Deferred(EventBase base, Runnable task) {
        this.base = base;
        this.task = task;
    }

    /**
     * Queues the task to run before the loop next polls; does nothing if it is already queued.
     *
     * @throws IllegalStateException off the loop thread or after the base was closed
     */
    public void schedule() {
        base.checkThread();
        if (!scheduled) {
            base.scheduleDeferred(this);
        }
    }

    /**
     * Takes the task out of the queue if it is there; it may be scheduled again later. Does nothing
     * once the base is closed (closing dropped every scheduled task).
     *
     * @throws IllegalStateException off the loop thread of an open base
     */
    public void cancel() {
        if (base.isClosed()) {
            return;
        }
        base.checkThread();
        if (scheduled) {
            base.cancelDeferred(this);
        }
    }

    /**
     * Whether the task is queued and has not run yet. Loop thread.
     *
     * @return {@code true} between {@code schedule()} and the run (or a cancel)
     * @throws IllegalStateException off the loop thread
     */
    public boolean isScheduled() {
        base.checkThread();
        return scheduled;
    }

    @Override
    public String toString() {
        return "Deferred[" + task + (scheduled ? ", scheduled" : "") + "]";
    }
}
