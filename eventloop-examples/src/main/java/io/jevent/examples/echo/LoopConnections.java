package io.jevent.examples.echo;

import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Consumer;

import io.jevent.core.EventBase;

/**
 * The open echo connections of one loop, kept so they can all be closed at shutdown; the per-message
 * path never touches this set.
 *
 * <p>Threading: {@link #serve} and {@link #closeAll} on the loop thread that owns the connections; the
 * counters may be read from any thread (the loop thread is their only writer).
 */
final class LoopConnections {
    private final EchoTransport transport;
    private final Set<EchoHandler> open = new HashSet<>();
    private final Consumer<EchoHandler> onClosed = this::closed;
    private volatile int openCount;
    private volatile long acceptedCount;

    LoopConnections(EchoTransport transport) {
        this.transport = transport;
    }

    /** Starts echoing an accepted connection on {@code base}. Loop thread. */
    // NonAtomicVolatileUpdate: the counters here have a single writer, the loop thread, so the
    // read-modify-write loses nothing; volatile only lets other threads read them.
    @SuppressWarnings("NonAtomicVolatileUpdate")
    void serve(EventBase base, SocketChannel channel) {
        open.add(EchoHandler.serve(base, channel, transport, onClosed));
        openCount = open.size();
        acceptedCount = acceptedCount + 1;      // single writer: no lost update
    }

    /** Closes every open connection. Loop thread. */
    void closeAll() {
        for (EchoHandler h : new ArrayList<>(open)) {
            h.close();
        }
    }

    /** Connections served and not yet closed. Any thread (a snapshot). */
    int openConnections() {
        return openCount;
    }

    /** Connections served so far. Any thread (a snapshot). */
    long acceptedConnections() {
        return acceptedCount;
    }

    private void closed(EchoHandler h) {
        if (open.remove(h)) {
            openCount = open.size();
        }
    }
}
