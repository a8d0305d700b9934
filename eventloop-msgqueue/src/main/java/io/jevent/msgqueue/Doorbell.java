package io.jevent.msgqueue;

import io.jevent.core.Event;

/**
 * One queue's wake-up channel into its loop, made by {@link WakeupStrategy#install}.
 */
public interface Doorbell {

    /**
     * The added, persistent event whose callback drains the queue. The queue activates it (loop thread)
     * when it sees messages after a poll, and may set its priority.
     *
     * @return the drain event; the same object every call
     */
    Event event();

    /**
     * Makes the loop's poll return now, or its next poll return at once if it is not polling.
     *
     * <p>Any thread; several threads may ring at once. Must not throw: if the channel is broken or
     * closed, fall back to {@link io.jevent.core.EventBase#wakeup()} or do nothing when closed.
     */
    void ring();

    /**
     * Deletes and frees the event and releases the channel. A {@link #ring()} running concurrently on
     * another thread must stay harmless.
     *
     * <p>Loop thread. Idempotent.
     */
    void close();
}
