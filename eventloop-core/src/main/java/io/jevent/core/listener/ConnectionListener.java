package io.jevent.core.listener;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.UnknownHostException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;
import java.util.Objects;

import io.jevent.core.Event;
import io.jevent.core.EventBase;

/**
 * Accepts TCP connections on a loop; libevent's {@code evconnlistener}.
 *
 * <p>Each time the server channel is readable the listener accepts up to {@link
 * Options#acceptBatch(int)} connections and hands each to the {@link AcceptCallback}. When
 * {@code accept()} fails (out of file descriptors, say) it reports the error once to the {@link
 * AcceptErrorCallback}, stops watching the channel for {@link Options#retryPause(Duration)}, then
 * tries again: the loop never spins on a listening socket it cannot serve.
 *
 * <p>Threading: like every core object, a listener belongs to its base's loop thread; all methods
 * must be called there and throw {@link IllegalStateException} elsewhere.
 */
public final class ConnectionListener implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ConnectionListener.class.getName());
    private final EventBase base;
    private final ServerSocketChannel server;
    private final AcceptCallback onAccept;
    private final int acceptBatch;
    private final Duration retryPause;
    private final Event readable;
    private final Event retry;
    private AcceptErrorCallback onError;
    private boolean enabled;
    private boolean paused;
    private boolean failing;
    private long accepted;
    private long failures;
    private boolean closed;

    private ConnectionListener(EventBase base, ServerSocketChannel server, AcceptCallback onAccept, Options options) {
        this.base = base;
        this.server = server;
        this.onAccept = onAccept;
        this.acceptBatch = options.acceptBatch;
        this.retryPause = options.retryPause;
        this.onError = options.onError;
        this.readable = base.newEvent(server, Event.READ | Event.PERSIST, (ev, what) -> acceptSome());
        this.retry = base.newTimer((ev, what) -> resume());
    }

    /**
     * Opens a server socket bound to {@code address}, and starts accepting on {@code base};
     * libevent's {@code evconnlistener_new_bind}. Port 0 picks a free port: see
     * {@link #localAddress()}.
     *
     * <p>The base's thread only. The base owns the listener and closes it with itself.
     *
     * @param base     the loop that accepts
     * @param address  where to listen; port 0 for any free port
     * @param onAccept runs on the loop thread with each accepted, non-blocking connection, which it
     *                 then owns (to close, or to wrap in a {@code BufferEvent})
     * @return the listener, enabled
     * @throws NullPointerException  if an argument is null
     * @throws UncheckedIOException  if the socket cannot be opened or bound (the port is taken, say);
     *                               for an unresolved address its cause is an {@link UnknownHostException}
     *                               naming the host
     * @throws IllegalStateException off the base's loop thread
     */
    public static ConnectionListener bind(EventBase base, InetSocketAddress address, AcceptCallback onAccept) {
        return bind(base, address, onAccept, new Options());
    }

    /**
     * As {@link #bind(EventBase, InetSocketAddress, AcceptCallback)}, with options.
     *
     * @param base     the loop that accepts
     * @param address  where to listen; port 0 for any free port
     * @param onAccept runs on the loop thread with each accepted connection, which it then owns
     * @param options  backlog, batch size, error handling; read once, here
     * @return the listener, enabled unless {@link Options#startDisabled()} was set
     * @throws NullPointerException  if an argument is null
     * @throws UncheckedIOException  if the socket cannot be opened or bound
     * @throws IllegalStateException off the base's loop thread
     */
    public static ConnectionListener bind(EventBase base, InetSocketAddress address, AcceptCallback onAccept,
                                          Options options) {
        Objects.requireNonNull(base, "base");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(onAccept, "onAccept");
        Objects.requireNonNull(options, "options");
        base.requireLoopThread();
        ServerSocketChannel server = null;
        try {
            server = ServerSocketChannel.open();
            server.setOption(StandardSocketOptions.SO_REUSEADDR, options.reuseAddress);
            server.bind(address, options.backlog);
            server.configureBlocking(false);
            ConnectionListener listener = new ConnectionListener(base, server, onAccept, options);
            base.addOwnedResource(listener);
            if (!options.startDisabled) {
                listener.enable();
            }
            return listener;
        } catch (IOException e) {
            closeQuietly(server);
            throw new UncheckedIOException("cannot listen on " + address + ": " + e.getMessage(), e);
        } catch (UnresolvedAddressException e) {
            // The JDK's exception has no message; without this the caller would print "null".
            closeQuietly(server);
            throw new UncheckedIOException("cannot listen on " + address.getHostString() + ":" + address.getPort()
                    + ": cannot resolve host " + address.getHostString(),
                    new UnknownHostException(address.getHostString()));
        } catch (RuntimeException e) {
            closeQuietly(server);
            throw e;
        }
    }

    /**
     * The bound address, with the real port when bound to port 0. Loop thread.
     *
     * @return the local address of the server socket
     * @throws IllegalStateException off the loop thread or after close
     * @throws UncheckedIOException  if the socket cannot report it
     */
    public InetSocketAddress localAddress() {
        checkOpen();
        try {
            return (InetSocketAddress) server.getLocalAddress();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts (or resumes) accepting; libevent's {@code evconnlistener_enable}. Idempotent. Loop thread. */
    public void enable() {
        checkOpen();
        enabled = true;
        if (!paused) {
            readable.add();
        }
    }

    /**
     * Stops accepting; connections wait in the kernel's backlog. Takes effect at once, also from inside
     * the accept callback, where it ends the current batch. Idempotent. Loop thread.
     */
    public void disable() {
        checkOpen();
        enabled = false;
        readable.del();
    }

    /**
     * Whether the listener is enabled (it may still be pausing after an error). Loop thread.
     *
     * @return {@code true} between {@link #enable()} and {@link #disable()}
     * @throws IllegalStateException off the loop thread or after close
     */
    public boolean isEnabled() {
        checkOpen();
        return enabled;
    }

    /**
     * Sets or replaces the error callback. Loop thread.
     *
     * @param callback told of the first failed {@code accept()} of each run of failures (the listener
     *                 then pauses for the retry pause); {@code null}: a warning is logged instead
     * @throws IllegalStateException off the loop thread or after close
     */
    public void setErrorCallback(AcceptErrorCallback callback) {
        checkOpen();
        this.onError = callback;
    }

    /**
     * Connections accepted so far. Loop thread.
     *
     * @return the count since the listener was created
     * @throws IllegalStateException off the loop thread
     */
    public long acceptedCount() {
        base.requireLoopThread();
        return accepted;
    }

    /**
     * {@code accept()} calls that failed so far (each is followed by a pause). Loop thread.
     *
     * @return the count since the listener was created
     * @throws IllegalStateException off the loop thread
     */
    public long failureCount() {
        base.requireLoopThread();
        return failures;
    }

    /**
     * The base it runs on. Thread-safe.
     *
     * @return the base given to {@code bind}; never changes
     */
    public EventBase base() {
        return base;
    }

    /**
     * Stops accepting and closes the server socket; idempotent. Accepted connections stay open. The
     * base's {@link EventBase#closeOwnedResources()} calls it for a listener still open then.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        if (!base.isClosed()) {
            base.requireLoopThread();
            base.removeOwnedResource(this);
            readable.free();
            retry.free();
        }
        closed = true;
        closeQuietly(server);
    }

    private void acceptSome() {
        for (int i = 0; i < acceptBatch && enabled && !closed; i++) {
            SocketChannel ch;
            try {
                ch = server.accept();
            } catch (IOException e) {
                pauseAfter(e);
                return;
            }
            if (ch == null) {
                return;
            }
            failing = false;
            accepted++;
            try {
                ch.configureBlocking(false);
            } catch (IOException e) {
                closeQuietly(ch);
                continue;
            }
            try {
                onAccept.onAccept(this, ch);
            } catch (Throwable t) {
                // The callback failed before it could own the connection: nobody else holds it.
                closeQuietly(ch);
                throw t;
            }
        }
    }

    private void pauseAfter(IOException e) {
        failures++;
        paused = true;
        readable.del();
        retry.add(retryPause);
        if (!failing) {
            failing = true;
            AcceptErrorCallback cb = onError;
            if (cb != null) {
                cb.onError(this, e);
            } else {
                LOG.log(System.Logger.Level.WARNING,
                        "accept failed on " + server + "; pausing " + retryPause.toMillis() + " ms", e);
            }
        }
    }

    private void resume() {
        paused = false;
        if (enabled && !closed) {
            readable.add();
        }
    }

    private void checkOpen() {
        base.requireLoopThread();
        if (closed) {
            throw new IllegalStateException("listener is closed");
        }
    }

    private static void closeQuietly(java.io.Closeable c) {
        if (c != null) {
            try {
                c.close();
            } catch (IOException ignored) {
                // nothing useful to do: the channel is being abandoned
            }
        }
    }

    /** Listener settings; libevent's {@code LEV_OPT_*} flags and backlog. Not thread-safe. */
    public static final class Options {
        private int backlog = 511;
        private boolean reuseAddress = true;
        private int acceptBatch = 64;
        private Duration retryPause = Duration.ofMillis(100);
        private boolean startDisabled;
        private AcceptErrorCallback onError;

        /** Options with the defaults given on each setter. */
        public Options() {
        }

        /**
         * The listen backlog; default 511 (the kernel caps it at somaxconn).
         *
         * @param backlog connections the kernel may queue before they are accepted
         * @return these options
         * @throws IllegalArgumentException if below 1
         */
        public Options backlog(int backlog) {
            if (backlog < 1) {
                throw new IllegalArgumentException("backlog must be >= 1");
            }
            this.backlog = backlog;
            return this;
        }

        /**
         * {@code SO_REUSEADDR}, so a restarted server can bind while old connections linger; default on.
         *
         * @param on whether to set it
         * @return these options
         */
        public Options reuseAddress(boolean on) {
            this.reuseAddress = on;
            return this;
        }

        /**
         * At most this many accepts per readiness, so a connection storm cannot starve other events;
         * default 64.
         *
         * @param n accepts per loop iteration
         * @return these options
         * @throws IllegalArgumentException if below 1
         */
        public Options acceptBatch(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("acceptBatch must be >= 1");
            }
            this.acceptBatch = n;
            return this;
        }

        /**
         * How long to stop accepting after a failure (out of file descriptors, say) before trying
         * again; default 100 ms.
         *
         * @param pause the pause
         * @return these options
         * @throws IllegalArgumentException if zero or negative
         */
        public Options retryPause(Duration pause) {
            if (pause.isNegative() || pause.isZero()) {
                throw new IllegalArgumentException("retryPause must be positive");
            }
            this.retryPause = pause;
            return this;
        }

        /**
         * Create the listener disabled; {@link ConnectionListener#enable()} starts it.
         *
         * @return these options
         */
        public Options startDisabled() {
            this.startDisabled = true;
            return this;
        }

        /**
         * The error callback; default: log a warning once per run of failures.
         *
         * @param callback told of the first failed {@code accept()} of each run of failures;
         *                 {@code null} for the default
         * @return these options
         */
        public Options onError(AcceptErrorCallback callback) {
            this.onError = callback;
            return this;
        }
    }
}
