package io.jevent.examples.echo;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.jevent.core.Event;
import io.jevent.core.EventBase;
import io.jevent.core.bufferevent.TlsOptions;
import io.jevent.core.listener.AcceptCallback;
import io.jevent.core.listener.ConnectionListener;
import io.jevent.msgqueue.EventLoopGroup;

/**
 * A TCP echo server on one loop: a {@link ConnectionListener} on 127.0.0.1 and an {@link EchoHandler}
 * per connection, all on the same base. Every byte a client sends comes back, in order; backpressure,
 * the stall timeout and half-close are the handler's (see {@link EchoHandler}). Used by the loopback
 * tests and by the echo benchmark; {@link GroupEchoServer} is the same server spread over several loops.
 *
 * <p>Threading: a server belongs to its base's loop thread, like every core object. {@link #port()},
 * {@link #openConnections()} and {@link #acceptedConnections()} may be read from any thread, so a test
 * can watch a server running on its own thread ({@link #startInThread(int)}).
 */
public final class EchoServer implements AutoCloseable {
    /** The listen backlog: 1,000 clients connecting at once must not overflow it (default 511). */
    static final int BACKLOG = 1024;

    private final EventBase base;
    private final LoopConnections connections;
    private final ConnectionListener listener;
    private final int port;

    private EchoServer(EventBase base, int port, EchoTransport transport) {
        this.base = base;
        this.connections = new LoopConnections(transport);
        this.listener = listen(base, port, (l, channel) -> connections.serve(base, channel));
        this.port = listener.localAddress().getPort();
    }

    /**
     * Starts an echo server on {@code base}, listening on 127.0.0.1. It serves while the base's loop runs.
     *
     * @param port 0 for any free port (see {@link #port()})
     * @throws java.io.UncheckedIOException if the port cannot be bound
     * @throws IllegalStateException        off the base's loop thread
     */
    public static EchoServer start(EventBase base, int port) {
        return start(base, port, EchoTransport.plain());
    }

    /**
     * {@link #start(EventBase, int)} with the connections over {@code transport} (plain TCP or TLS).
     *
     * @throws java.io.UncheckedIOException if the port cannot be bound
     * @throws IllegalStateException        off the base's loop thread
     */
    public static EchoServer start(EventBase base, int port, EchoTransport transport) {
        return new EchoServer(base, port, Objects.requireNonNull(transport, "transport"));
    }

    /**
     * Starts a server on a new thread with its own base (created and looped there).
     *
     * @throws IllegalStateException if it fails to start within 10 s; the cause says why
     */
    public static Running startInThread(int port) {
        return startInThread(port, EchoTransport.plain());
    }

    /**
     * {@link #startInThread(int)} with the connections over {@code transport} (plain TCP or TLS).
     *
     * @throws IllegalStateException if it fails to start within 10 s; the cause says why
     */
    public static Running startInThread(int port, EchoTransport transport) {
        Objects.requireNonNull(transport, "transport");
        CompletableFuture<EchoServer> started = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            EchoServer server;
            EventBase base;
            try {
                base = new EventBase();
                server = start(base, port, transport);
            } catch (RuntimeException e) {
                started.completeExceptionally(e);
                return;
            }
            started.complete(server);
            try {
                base.loop(EventBase.LOOP_NO_EXIT_ON_EMPTY);
            } finally {
                server.close();
                base.close();
            }
        }, "echo-server");
        thread.start();
        try {
            return new Running(started.get(10, TimeUnit.SECONDS), thread);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting the echo server", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("echo server did not start", e);
        }
    }

    /** Binds the listener both servers use: 127.0.0.1, {@link #BACKLOG}. Loop thread of {@code base}. */
    static ConnectionListener listen(EventBase base, int port, AcceptCallback onAccept) {
        return ConnectionListener.bind(base, new InetSocketAddress(InetAddress.getLoopbackAddress(), port),
                onAccept, new ConnectionListener.Options().backlog(BACKLOG));
    }

    /** The bound port. Thread-safe. */
    public int port() {
        return port;
    }

    /** Connections accepted and not yet closed. Thread-safe (a snapshot). */
    public int openConnections() {
        return connections.openConnections();
    }

    /** Connections accepted so far. Thread-safe (a snapshot). */
    public long acceptedConnections() {
        return connections.acceptedConnections();
    }

    /** Stops listening and closes every connection. Idempotent. Loop thread. */
    @Override
    public void close() {
        listener.close();
        connections.closeAll();
    }

    /** A server running on its own thread. */
    public static final class Running implements AutoCloseable {
        private final EchoServer server;
        private final Thread thread;

        private Running(EchoServer server, Thread thread) {
            this.server = server;
            this.thread = thread;
        }

        /** The bound port. Thread-safe. */
        public int port() {
            return server.port();
        }

        /** Connections accepted and not yet closed. Thread-safe. */
        public int openConnections() {
            return server.openConnections();
        }

        /** Connections accepted so far. Thread-safe. */
        public long acceptedConnections() {
            return server.acceptedConnections();
        }

        /**
         * Breaks the server's loop; its thread closes every connection and the base, and ends. Waits up
         * to 10 s for that. Any thread.
         *
         * @throws IllegalStateException if the thread did not stop in time, or the wait was interrupted
         *                               (the interrupt flag is kept)
         */
        @Override
        public void close() {
            server.base.loopBreak();
            try {
                thread.join(TimeUnit.SECONDS.toMillis(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while stopping the echo server", e);
            }
            if (thread.isAlive()) {
                throw new IllegalStateException("echo server thread did not stop within 10 s");
            }
        }
    }

    /**
     * Runs an echo server until SIGINT or SIGTERM, then exits 0. Usage:
     * {@code EchoServer [--port P] [--loops N] [TLS flags] [--tls-tasks loop|executor]}; port 0 (the
     * default) picks a free port. Prints {@code port N} once listening.
     *
     * <p>With the TLS flags of {@link EchoTls.Flags} every connection is a TLS buffer event; its
     * delegated tasks (the handshake's signing and key agreement) run on the library's default executor,
     * or on the connection's own loop with {@code --tls-tasks loop}, as Netty's {@code SslHandler} runs
     * them by default.
     *
     * <p>{@code --loops 1} (the default) is this class: listener and connections on the main thread's
     * base. {@code --loops N} for N &gt; 1 is a {@link GroupEchoServer}: the listener stays on the main
     * thread's base and every connection goes to one of N loop threads. The listener does not take one
     * of the N: that is the shape of Netty's boss group of one plus N workers, so {@code --loops 2}
     * compares with two Netty workers thread for thread; the accepting thread sleeps once the
     * connections are open, and its base is also where the signals arrive.
     */
    public static void main(String[] args) {
        int port = 0;
        int loops = 1;
        EchoTls.Flags tlsFlags = new EchoTls.Flags();
        boolean tasksOnLoop = false;
        for (int i = 0; i < args.length; i += 2) {
            if (i + 1 >= args.length) {
                usage();
            } else if (args[i].equals("--port")) {
                port = Integer.parseInt(args[i + 1]);
            } else if (args[i].equals("--loops")) {
                loops = Integer.parseInt(args[i + 1]);
            } else if (args[i].equals("--tls-tasks") && (args[i + 1].equals("loop") || args[i + 1].equals("executor"))) {
                tasksOnLoop = args[i + 1].equals("loop");
            } else if (!tlsFlags.take(args[i], args[i + 1])) {
                usage();
            }
        }
        if (loops < 1) {
            usage();
        }
        EchoTls tls = tlsFlags.load();
        EchoTransport transport = tls == null ? EchoTransport.plain()
                : EchoTransport.tls(tls, tasksOnLoop
                        ? TlsOptions.builder().delegatedTaskExecutor(Runnable::run).build()
                        : TlsOptions.defaults());
        try (EventBase base = new EventBase()) {
            if (loops == 1) {
                EchoServer server = start(base, port, transport);
                runUntilSignalled(base, server.port());
                server.close();
            } else {
                try (EventLoopGroup group = new EventLoopGroup(loops, "echo-loop")) {
                    GroupEchoServer server = GroupEchoServer.start(base, group, port, transport);
                    runUntilSignalled(base, server.port());
                    server.close();
                }
            }
        }
    }

    private static void usage() {
        System.err.println("usage: EchoServer [--port P] [--loops N] " + EchoTls.Flags.usage()
                + " [--tls-tasks loop|executor]   (port 0 = any free port; loops >= 1)");
        System.exit(2);
    }

    /** Prints the port and loops {@code base} until SIGINT or SIGTERM. Loop thread of {@code base}. */
    private static void runUntilSignalled(EventBase base, int port) {
        Event stopOnInt = base.newSignal("INT", (ev, what) -> base.loopBreak());
        Event stopOnTerm = base.newSignal("TERM", (ev, what) -> base.loopBreak());
        stopOnInt.add();
        stopOnTerm.add();
        System.out.println("port " + port);
        System.out.flush();
        base.dispatch();
        stopOnInt.free();
        stopOnTerm.free();
    }
}
