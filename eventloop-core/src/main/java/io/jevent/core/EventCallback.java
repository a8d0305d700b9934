package io.jevent.core;

/**
 * What an {@link Event} runs when it becomes active; libevent's {@code event_callback_fn}.
 *
 * <p>Called on the base's loop thread only. {@code what} holds the bits that fired, a subset of
 * {@link Event#TIMEOUT}, {@link Event#READ}, {@link Event#WRITE} and {@link Event#SIGNAL} (plus any
 * bits passed to {@link Event#activate(int)}). A callback may add, delete, free or activate any event
 * of its base, including its own, and may call {@link EventBase#loopBreak()} or
 * {@link EventBase#loopExit(java.time.Duration)}; it must not call {@link EventBase#loop(int)} of the
 * same base. A callback that throws does not stop the loop: see {@link CallbackExceptionHandler}.
 */
@FunctionalInterface
public interface EventCallback {
    /**
     * Handles the event.
     *
     * @param ev   the event that fired
     * @param what the bits that fired
     */
    void onEvent(Event ev, int what);
}
