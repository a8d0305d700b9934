package io.jevent.core.listener;

import java.nio.channels.SocketChannel;

/**
 * Receives each accepted connection; libevent's {@code evconnlistener_cb}. Runs on the loop thread.
 * The channel is connected and non-blocking, and now belongs to the callback: it must close it or
 * hand it on (to a {@code BufferEvent}, or to another loop through a msgqueue). If the callback
 * throws, the listener closes the channel (so a failing callback cannot leak the connection) and the
 * exception goes on to the base's {@code CallbackExceptionHandler}.
 */
@FunctionalInterface
public interface AcceptCallback {
    /**
     * Handles a new connection.
     *
     * @param listener the listener that accepted it; the callback may {@code disable()} it
     * @param channel  the accepted connection
     */
    void onAccept(ConnectionListener listener, SocketChannel channel);
}
