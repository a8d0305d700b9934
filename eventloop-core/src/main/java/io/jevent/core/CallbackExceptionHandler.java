package io.jevent.core;

/**
 * Receives what an {@link EventCallback} threw, so that one failing callback does not end the loop.
 *
 * <p>Called on the loop thread, right after the failing callback, before the next one runs. Every
 * {@link Throwable} reaches the handler except {@link VirtualMachineError}s (out of memory, stack
 * overflow, internal JVM errors): after one of those the process state is suspect, so it propagates
 * out of {@link EventBase#loop(int)} instead. If the handler itself throws, that is logged and the
 * loop goes on.
 *
 * @see EventConfig.Builder#exceptionHandler(CallbackExceptionHandler)
 */
@FunctionalInterface
public interface CallbackExceptionHandler {
    /**
     * Handles a callback failure.
     *
     * @param ev    the event whose callback threw, or {@code null} when a loop observer (see {@code EventBase}) or a
     *              {@link Deferred} task threw
     * @param error what it threw
     */
    void onCallbackException(Event ev, Throwable error);

    /**
     * The default: logs the throwable at ERROR, naming the event, through the {@link System.Logger}
     * named after this interface, {@code io.jevent.core.CallbackExceptionHandler}.
     */
    CallbackExceptionHandler LOG = (ev, error) -> System.getLogger(CallbackExceptionHandler.class.getName())
            .log(System.Logger.Level.ERROR, (ev == null ? "a loop observer or deferred task" : "callback of " + ev) + " threw; the loop goes on", error);
}
