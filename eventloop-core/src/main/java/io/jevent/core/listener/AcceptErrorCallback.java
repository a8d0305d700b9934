package io.jevent.core.listener;

import java.io.IOException;

/**
 * Told when accepting fails, typically because the process ran out of file descriptors
 * ({@code EMFILE}); libevent's {@code evconnlistener_errorcb}. Runs on the loop thread, once per run
 * of failures: the listener pauses and retries by itself, and reports again only after an accept has
 * succeeded in between.
 */
@FunctionalInterface
public interface AcceptErrorCallback {
    /**
     * Handles an accept failure.
     *
     * @param listener the listener; still open, and it will retry after its pause
     * @param error    what {@code accept()} threw
     */
    void onError(ConnectionListener listener, IOException error);
}
