package io.jevent.examples.echo;

import java.nio.channels.SocketChannel;

import io.jevent.core.EventBase;
import io.jevent.core.bufferevent.BufferEvent;
import io.jevent.core.bufferevent.TlsOptions;

/**
 * How an echo server turns an accepted connection into a buffer event: plain TCP, or TLS with the
 * server's key. The echo handler sees plaintext either way.
 *
 * <p>Threading: {@link #open} runs on the loop thread of {@code base}, the connection's loop;
 * implementations here are stateless and may be shared by every loop.
 */
@FunctionalInterface
public interface EchoTransport {
    /**
     * Wraps {@code accepted} in a buffer event on {@code base}, which owns it from then on.
     *
     * @throws IllegalStateException off the base's loop thread
     */
    BufferEvent open(EventBase base, SocketChannel accepted);

    /** Plain TCP: {@link BufferEvent#socket}. */
    static EchoTransport plain() {
        return BufferEvent::socket;
    }

    /**
     * TLS: {@link BufferEvent#tls} with a new server engine from {@code tls} per connection.
     *
     * @param tls     the server's key, protocol and cipher suite
     * @param options where delegated tasks run, the handshake timeout
     */
    static EchoTransport tls(EchoTls tls, TlsOptions options) {
        return (base, accepted) -> BufferEvent.tls(base, accepted, tls.newServerEngine(), options);
    }
}
