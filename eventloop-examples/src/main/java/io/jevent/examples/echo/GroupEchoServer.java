package io.jevent.examples.echo;

import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;

import io.jevent.core.EventBase;
import io.jevent.core.listener.ConnectionListener;
import io.jevent.msgqueue.EventLoopGroup;
import io.jevent.msgqueue.EventLoopThread;

/**
 * The {@link EchoServer} spread over an {@link EventLoopGroup}: a {@link ConnectionListener} on an
 * acceptor base hands each accepted channel to the group's next loop ({@link EventLoopGroup#dispatcher}),
 * where an {@link EchoHandler} serves it for the rest of its life — the memcached dispatcher pattern.
 * Connections never move between loops, so nothing on the per-message path is shared or locked.
 *
 * <p>The group belongs to the caller: the server uses its loops but neither starts nor shuts them
 * down. The acceptor base may be a base of its own (as {@link EchoServer#main} does) or one of the
 * group's loops.
 *
 * <p>Threading: {@link #start} and {@link #close} on the acceptor base's loop thread; the counters from
 * any thread. Each loop's connections are kept on that loop, in its own {@link LoopConnections}.
 */
public final class GroupEchoServer implements AutoCloseable {
    private final EventLoopGroup group;
    /** One entry per loop of the group, keyed by its base; filled before listening, never changed. */
    private final IdentityHashMap<EventBase, LoopConnections> perLoop;
    private final ConnectionListener listener;
    private final int port;

    private GroupEchoServer(EventBase acceptor, EventLoopGroup group, int port, EchoTransport transport) {
        this.group = group;
        IdentityHashMap<EventBase, LoopConnections> map = new IdentityHashMap<>();
        for (EventLoopThread loop : group.loops()) {
            map.put(loop.base(), new LoopConnections(transport));
        }
        // Never changed after this: the final field publishes it safely to the loop threads and to readers
        // of the counters.
        this.perLoop = map;
        this.listener = EchoServer.listen(acceptor, port, group.dispatcher(this::serve));
        this.port = listener.localAddress().getPort();
    }

    /**
     * Starts listening on 127.0.0.1 on {@code acceptor}; connections are served by {@code group}'s
     * loops, round-robin. It accepts while the acceptor's loop runs.
     *
     * @param acceptor the base that accepts; it must be running (or about to run) its loop
     * @param group    the loops that serve the connections; must be started
     * @param port     0 for any free port (see {@link #port()})
     * @throws java.io.UncheckedIOException if the port cannot be bound
     * @throws IllegalStateException        off the acceptor's loop thread
     */
    public static GroupEchoServer start(EventBase acceptor, EventLoopGroup group, int port) {
        return start(acceptor, group, port, EchoTransport.plain());
    }

    /**
     * {@link #start(EventBase, EventLoopGroup, int)} with the connections over {@code transport} (plain
     * TCP or TLS).
     *
     * @throws java.io.UncheckedIOException if the port cannot be bound
     * @throws IllegalStateException        off the acceptor's loop thread
     */
    public static GroupEchoServer start(EventBase acceptor, EventLoopGroup group, int port, EchoTransport transport) {
        Objects.requireNonNull(acceptor, "acceptor");
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(transport, "transport");
        return new GroupEchoServer(acceptor, group, port, transport);
    }

    /** The bound port. Thread-safe. */
    public int port() {
        return port;
    }

    /** Connections accepted and not yet closed, over all loops. Thread-safe (a snapshot). */
    public int openConnections() {
        int n = 0;
        for (LoopConnections c : perLoop.values()) {
            n += c.openConnections();
        }
        return n;
    }

    /** Connections accepted so far, over all loops. Thread-safe (a snapshot). */
    public long acceptedConnections() {
        long n = 0;
        for (long c : acceptedPerLoop()) {
            n += c;
        }
        return n;
    }

    /** Connections each loop has served so far, in the order of {@link EventLoopGroup#loops()}. Thread-safe. */
    public long[] acceptedPerLoop() {
        List<EventLoopThread> loops = group.loops();
        long[] counts = new long[loops.size()];
        for (int i = 0; i < counts.length; i++) {
            counts[i] = perLoop.get(loops.get(i).base()).acceptedConnections();
        }
        return counts;
    }

    /**
     * Stops listening, then closes every connection on its own loop and waits until all are closed.
     * Call it before shutting the group down: a loop that is already shutting down refuses the task,
     * and its connections stay open until the process ends ({@code EventBase.close()} leaves channels
     * to their owners). Idempotent. Acceptor's loop thread.
     */
    @Override
    public void close() {
        listener.close();
        List<CompletableFuture<Void>> closing = new ArrayList<>();
        for (EventLoopThread loop : group.loops()) {
            LoopConnections connections = perLoop.get(loop.base());
            if (loop.inLoopThread()) {
                connections.closeAll();     // the acceptor is one of the group's loops
                continue;
            }
            try {
                closing.add(loop.submit(() -> {
                    connections.closeAll();
                    return null;
                }));
            } catch (RejectedExecutionException shuttingDown) {
                // too late for this loop (see above); the others are still closed
            }
        }
        CompletableFuture.allOf(closing.toArray(CompletableFuture[]::new)).join();
    }

    /** Dispatcher init: runs on the loop the channel was handed to. */
    private void serve(EventBase base, SocketChannel channel) {
        perLoop.get(base).serve(base, channel);
    }
}
