package io.jevent.core.spi;

import io.jevent.core.CallbackExceptionHandler;
import io.jevent.core.EventBase;

/**
 * A hook around the blocking poll of each loop iteration: the seam on which cross-thread hand-off
 * (the {@code io.jevent.msgqueue} module) is built. libuv calls the same idea prepare/check handles.
 *
 * <p><b>Not supported API.</b> The package {@code io.jevent.core.spi} is exported only to
 * {@code io.jevent.msgqueue}: as named modules, no other module can see it. On the class path it is
 * reachable, but it may change or go away in any release without notice; hand work to a loop with
 * {@code io.jevent.msgqueue.MsgQueue} or {@code EventLoopThread} instead.
 *
 * <p>Both methods are called on the loop thread, once per iteration, in the order observers were
 * added. They must be quick and must not throw; an observer that throws is reported to the base's
 * {@link CallbackExceptionHandler} with a {@code null} event. Observers do not keep a loop alive: a
 * base with only observers and no pending event has nothing to wait for and {@code dispatch()} returns.
 *
 * @see LoopObservers#add(EventBase, LoopObserver)
 */
public interface LoopObserver {
    /**
     * Called just before the base polls for I/O, possibly blocking until a timer is due or another
     * thread calls {@link EventBase#wakeup()}.
     *
     * @return {@code true} when this observer already has work, so the poll must not block
     */
    boolean beforePoll();

    /** Called right after the poll returns (woken, timed out or I/O ready), before timers expire. */
    void afterPoll();
}
