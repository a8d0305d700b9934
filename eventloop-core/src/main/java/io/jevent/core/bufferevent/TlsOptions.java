package io.jevent.core.bufferevent;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executor;

/**
 * Settings of a TLS buffer event ({@link BufferEvent#tls}, {@link BufferEvent#tlsServer},
 * {@link BufferEvent#tlsClient}). Immutable and thread-safe; one instance may serve any number of
 * buffer events.
 *
 * <pre>{@code
 * TlsOptions opts = TlsOptions.builder()
 *         .handshakeTimeout(Duration.ofSeconds(5))
 *         .delegatedTaskExecutor(myPool)
 *         .build();
 * }</pre>
 */
public final class TlsOptions {
    /** The handshake timeout unless one is set: {@value #DEFAULT_HANDSHAKE_TIMEOUT_SECONDS} seconds. */
    public static final long DEFAULT_HANDSHAKE_TIMEOUT_SECONDS = 10;

    private static final TlsOptions DEFAULTS = builder().build();

    private final Executor delegatedTaskExecutor;
    private final boolean hostnameVerification;
    private final Duration handshakeTimeout;

    private TlsOptions(Builder b) {
        this.delegatedTaskExecutor = b.delegatedTaskExecutor;
        this.hostnameVerification = b.hostnameVerification;
        this.handshakeTimeout = b.handshakeTimeout;
    }

    /**
     * The defaults: delegated tasks on a small shared executor of daemon threads, hostname
     * verification on (client mode), a handshake timeout of
     * {@value #DEFAULT_HANDSHAKE_TIMEOUT_SECONDS} seconds.
     *
     * @return the shared default options
     */
    public static TlsOptions defaults() {
        return DEFAULTS;
    }

    /**
     * A builder starting from the defaults.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Where the engine's delegated tasks ({@link javax.net.ssl.SSLEngine#getDelegatedTask()}: key
     * exchange, certificate checks) run; {@code null} means the shared default executor.
     *
     * @return the executor given to the builder, or {@code null}
     */
    public Executor delegatedTaskExecutor() {
        return delegatedTaskExecutor;
    }

    /**
     * Whether a client checks that the server's certificate names the host it was asked for
     * (endpoint identification {@code "HTTPS"}, RFC 2818). Ignored in server mode and by
     * {@link BufferEvent#tls}, which uses the engine as configured.
     *
     * @return {@code true} unless turned off
     */
    public boolean hostnameVerification() {
        return hostnameVerification;
    }

    /**
     * How long the handshake may take from the moment it can start (connected) until it is done.
     *
     * @return a positive duration
     */
    public Duration handshakeTimeout() {
        return handshakeTimeout;
    }

    @Override
    public String toString() {
        return "TlsOptions[executor=" + (delegatedTaskExecutor == null ? "default" : delegatedTaskExecutor)
                + ", hostnameVerification=" + hostnameVerification + ", handshakeTimeout=" + handshakeTimeout + "]";
    }

    /** Builds {@link TlsOptions}; not thread-safe. */
    public static final class Builder {
        private Executor delegatedTaskExecutor;
        private boolean hostnameVerification = true;
        private Duration handshakeTimeout = Duration.ofSeconds(DEFAULT_HANDSHAKE_TIMEOUT_SECONDS);

        private Builder() {
        }

        /**
         * Runs the engine's delegated tasks on {@code executor} instead of the shared default. The
         * loop never waits for them: it goes on serving other connections and resumes this one's
         * handshake once a task is done. An executor that runs the task in the calling thread
         * ({@code Runnable::run}) runs it on the loop thread, as Netty does by default: cheaper per
         * handshake, but the loop stalls for each task's duration.
         *
         * @param executor where tasks run; {@code null} for the shared default
         * @return this builder
         */
        public Builder delegatedTaskExecutor(Executor executor) {
            this.delegatedTaskExecutor = executor;
            return this;
        }

        /**
         * Turns the client's hostname verification on (the default) or off. Off, any certificate the
         * trust managers accept is accepted, whatever name it carries: for tests and pinned
         * certificates only.
         *
         * @param on whether to verify
         * @return this builder
         */
        public Builder hostnameVerification(boolean on) {
            this.hostnameVerification = on;
            return this;
        }

        /**
         * Bounds the handshake; when it expires the status callback gets {@link BufferEvent#ERROR}
         * with an {@link javax.net.ssl.SSLHandshakeException} saying so.
         *
         * @param timeout a positive duration
         * @return this builder
         * @throws IllegalArgumentException if not positive
         * @throws NullPointerException     if null
         */
        public Builder handshakeTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("handshake timeout must be positive: " + timeout);
            }
            this.handshakeTimeout = timeout;
            return this;
        }

        /**
         * Makes the options.
         *
         * @return new immutable options
         */
        public TlsOptions build() {
            return new TlsOptions(this);
        }
    }
}
