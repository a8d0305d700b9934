package io.jevent.core.examples;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.jevent.core.Event;
import io.jevent.core.EventBase;
import io.jevent.core.bufferevent.BufferEvent;
import io.jevent.core.listener.ConnectionListener;

/**
 * A TCP echo server built from {@link ConnectionListener} and {@link BufferEvent}: every byte a client
 * sends comes back, in order. Used by the loopback tests and, later, by the benchmarks.
 *
 * <p>Backpressure: a connection stops reading while its output holds {@link #OUTPUT_HIGH} bytes (the
 * client is not reading its echo) and resumes from the write callback once the output has drained to
 * {@link #OUTPUT_LOW}. So a client that sends without reading costs the server at most about
 * {@code OUTPUT_HIGH} plus one read of memory. A connection whose output makes no progress for
 * {@link #STALL_TIMEOUT} is dropped. On EOF (the client shut down its output) the server sends what is
 * still queued, then closes.
 *
 * <p>Threading: a server belongs to its base's loop thread, like every core object. {@link #port()} and
 * {@link #openConnections()} may be read from any thread, so a test can watch a server running on its
 * own thread ({@link #startInThread(int)}).
 */
public final class EchoServer implements AutoCloseable {
    /** Output size at which a connection stops reading. */
    public static final long OUTPUT_HIGH = 256 * 1024;
    /** Output size at which it reads again. */
    public static final long OUTPUT_LOW = 64 * 1024;
    /** How long queued output may make no progress before the connection is dropped. */
    public static final Duration STALL_TIMEOUT = Duration.ofSeconds(30);

    private final EventBase base;
    private final ConnectionListener listener;
    private final int port;
    /** Loop thread only. */
    private final Set<BufferEvent> connections = new HashSet<>();
    /** Connections at EOF whose echo is still being written. Loop thread only. */
    private final Set<BufferEvent> finishing = new HashSet<>();
    /** Written on the loop thread only, after every change of {@code connections}; read anywhere. */
    private volatile int openConnections;
    private volatile long acceptedConnections;

    private EchoServer(EventBase base, int port) {
        this.base = base;
        this.listener = ConnectionListener.bind(base, new InetSocketAddress(InetAddress.getLoopbackAddress(), port),
                (l, channel) -> accept(channel), new ConnectionListener.Options().backlog(1024));
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
        return new EchoServer(base, port);
    }

    /**
     * Starts a server on a new thread with its own base (created and looped there).
     *
     * @throws IllegalStateException if it fails to start within 10 s; the cause says why
     */
    public static Running startInThread(int port) {
        CompletableFuture<EchoServer> started = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            EchoServer server;
            EventBase base;
            try {
                base = new EventBase();
                server = start(base, port);
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

    /** The bound port. Thread-safe. */
    public int port() {
        return port;
    }

    /** Connections accepted and not yet closed. Thread-safe (a snapshot). */
    public int openConnections() {
        return openConnections;
    }

    /** Connections accepted so far. Thread-safe (a snapshot). */
    public long acceptedConnections() {
        return acceptedConnections;
    }

    /** Stops listening and closes every connection. Idempotent. Loop thread. */
    @Override
    public void close() {
        listener.close();
        for (BufferEvent bev : new ArrayList<>(connections)) {
            drop(bev);
        }
    }

    private void accept(SocketChannel channel) {
        BufferEvent bev = BufferEvent.socket(base, channel);
        bev.setWriteWatermarks(OUTPUT_LOW, OUTPUT_HIGH);
        bev.setTimeouts(null, STALL_TIMEOUT);
        bev.setCallbacks(this::echo, this::drained, this::status);
        bev.enable(Event.READ);
        connections.add(bev);
        openConnections = connections.size();
        acceptedConnections++;
    }

    private void echo(BufferEvent bev) {
        bev.write(bev.input());                 // moves the segments, no copy
        if (bev.isOutputFull()) {
            bev.disable(Event.READ);
        }
    }

    /** Write callback: the output is down to OUTPUT_LOW (it runs again at each write until empty). */
    private void drained(BufferEvent bev) {
        if (finishing.contains(bev)) {
            if (bev.output().isEmpty()) {
                drop(bev);
            }
        } else if ((bev.enabled() & Event.READ) == 0) {
            bev.enable(Event.READ);
        }
    }

    private void status(BufferEvent bev, int what, Throwable cause) {
        if ((what & BufferEvent.EOF) != 0 && !bev.output().isEmpty()) {
            finishing.add(bev);     // the client half-closed: send the rest of its echo, then close
        } else {
            drop(bev);              // EOF with nothing left to send, ERROR, or a stalled write (TIMEOUT)
        }
    }

    private void drop(BufferEvent bev) {
        bev.close();
        finishing.remove(bev);
        if (connections.remove(bev)) {
            openConnections = connections.size();
        }
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

        /** Breaks the server's loop; its thread closes every connection and the base, and ends. Any thread. */
        @Override
        public void close() throws InterruptedException {
            server.base.loopBreak();
            thread.join(TimeUnit.SECONDS.toMillis(10));
            if (thread.isAlive()) {
                throw new IllegalStateException("echo server thread did not stop within 10 s");
            }
        }
    }

    /**
     * Runs an echo server until SIGINT or SIGTERM. Usage: {@code EchoServer [--port P]}; port 0 (the
     * default) picks a free port. Prints {@code port N} once listening.
     */
    public static void main(String[] args) {
        int port = 0;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--port") && i + 1 < args.length) {
                port = Integer.parseInt(args[++i]);
            } else {
                System.err.println("usage: EchoServer [--port P]   (0 = any free port)");
                System.exit(2);
            }
        }
        try (EventBase base = new EventBase()) {
            EchoServer server = start(base, port);
            Event stopOnInt = base.newSignal("INT", (ev, what) -> base.loopBreak());
            Event stopOnTerm = base.newSignal("TERM", (ev, what) -> base.loopBreak());
            stopOnInt.add();
            stopOnTerm.add();
            System.out.println("port " + server.port());
            System.out.flush();
            base.dispatch();
            stopOnInt.free();
            stopOnTerm.free();
            server.close();
        }
    }
}
