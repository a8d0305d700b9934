package io.jevent.chat.server;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

import io.jevent.chat.auth.AuthLimits;
import io.jevent.chat.auth.PasswordHasher;
import io.jevent.chat.store.StoreConfig;

/**
 * Settings of a {@link ChatServer}. Immutable; start from {@link #defaults(Path)} and change fields
 * with the {@code with...} methods, or several at once with {@link #toBuilder()}. The {@code with...}
 * methods go through the {@link Builder}, so a new setting is a component, a builder field with its
 * setter, and a line each in {@link #toBuilder()} and {@link Builder#build()}; no other method changes.
 *
 * @param bind               address and port to listen on; port 0 picks a free port
 * @param database           the SQLite file, created and migrated on first start
 * @param durability         what an acknowledged message survives (see {@link StoreConfig.Durability})
 * @param ioThreads          event loops; connections are spread over them round-robin
 * @param workers            password-hashing threads (PBKDF2 never runs on a loop)
 * @param pbkdf2Iterations   rounds for new password hashes
 * @param idleTimeout        a connection not logged in this long after connecting (or logging out)
 *                           gets {@code BYE idle timeout} and is closed
 * @param readHighWatermark  most unprocessed input bytes held per connection; reading pauses above
 * @param writeHighWatermark output bytes a connection may have queued, beyond the reply blocks it
 *                           asked for since its output last drained, before an event for it counts
 *                           as proof of a slow consumer (it is disconnected)
 * @param flushTimeout       how long a closing connection (QUIT, BYE) may take to flush its output
 *                           and, after its end of stream, for the client to close its side
 * @param shutdownTimeout    how long a graceful shutdown may take: connections get until then to
 *                           finish, the database whatever is left (at least a second); writes the
 *                           database has not finished by then are abandoned (see ChatServer)
 * @param handleSignals      whether SIGTERM/SIGINT start a graceful shutdown (the command line
 *                           does; in-process tests do not, so they never take the JVM's handlers)
 * @param sendLimits         per-user flood control of SAY and MSG ({@code ERR 429 slow down})
 * @param keepalive          probes of quiet logged-in connections, and when they are given up
 * @param replyBacklog       pipelining backpressure: while this many output bytes of a connection are
 *                           unsent, the server starts none of its further commands and stops reading
 *                           from it, until its output drains to a quarter of this; at least 8 KiB
 *                           and at most {@code writeHighWatermark}
 * @param outputBudget       server-wide bound on unsent output bytes over all connections, checked
 *                           before anything is queued; each of the {@code ioThreads} loops enforces an
 *                           equal share by dropping its connections with the most unsent output
 *                           ({@code BYE output budget exceeded}); at least {@code writeHighWatermark}
 * @param authLimits         LOGIN, RESUME, PASSWORD and REGISTER attempt limits, and the lifetime and
 *                           number per user of resume tokens
 */
public record ServerConfig(InetSocketAddress bind, Path database, StoreConfig.Durability durability,
                           int ioThreads, int workers, int pbkdf2Iterations, Duration idleTimeout,
                           int readHighWatermark, int writeHighWatermark, Duration flushTimeout,
                           Duration shutdownTimeout, boolean handleSignals, SendLimits sendLimits,
                           Keepalive keepalive, int replyBacklog, long outputBudget, AuthLimits authLimits) {
    /** Default TCP port of the chat server. */
    public static final int DEFAULT_PORT = 7777;

    /** Validates every field. */
    public ServerConfig {
        Objects.requireNonNull(bind, "bind");
        Objects.requireNonNull(database, "database");
        Objects.requireNonNull(durability, "durability");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        Objects.requireNonNull(flushTimeout, "flushTimeout");
        Objects.requireNonNull(shutdownTimeout, "shutdownTimeout");
        Objects.requireNonNull(sendLimits, "sendLimits");
        Objects.requireNonNull(keepalive, "keepalive");
        Objects.requireNonNull(authLimits, "authLimits");
        if (ioThreads < 1 || workers < 1 || pbkdf2Iterations < 1) {
            throw new IllegalArgumentException("io threads, workers and iterations must be positive");
        }
        if (readHighWatermark < 8192 || writeHighWatermark < 8192) {
            throw new IllegalArgumentException("watermarks must be at least 8 KiB (a line is 4 KiB)");
        }
        if (shutdownTimeout.isNegative() || shutdownTimeout.isZero()) {
            throw new IllegalArgumentException("shutdown timeout must be positive");
        }
        if (replyBacklog < 8192 || replyBacklog > writeHighWatermark) {
            throw new IllegalArgumentException("reply backlog must be 8 KiB to the write high watermark, not " + replyBacklog);
        }
        if (outputBudget < writeHighWatermark) {
            throw new IllegalArgumentException("output budget must be at least the write high watermark, not " + outputBudget);
        }
        if (idleTimeout.isNegative() || idleTimeout.isZero()) {
            throw new IllegalArgumentException("idle timeout must be positive");
        }
    }

    /**
     * Production defaults: 127.0.0.1:7777, power-loss durability, 1 loop, 2 workers, the OWASP
     * PBKDF2 round count, 60 s login idle timeout, 64 KiB read and 1 MiB write high watermarks,
     * 5 s flush, 10 s shutdown, signals handled, {@link SendLimits#DEFAULTS},
     * {@link Keepalive#DEFAULTS}, 64 KiB reply backlog, an output budget of half the JVM's
     * direct memory limit ({@link #defaultOutputBudget()}), and {@link AuthLimits#defaults()}.
     *
     * @param database the database file
     * @return the config
     */
    public static ServerConfig defaults(Path database) {
        return new ServerConfig(new InetSocketAddress(InetAddress.getLoopbackAddress(), DEFAULT_PORT), database,
                StoreConfig.Durability.SURVIVES_POWER_LOSS, 1, 2, PasswordHasher.DEFAULT_ITERATIONS,
                Duration.ofSeconds(60), 64 * 1024, 1024 * 1024, Duration.ofSeconds(5),
                Duration.ofSeconds(10), true, SendLimits.DEFAULTS, Keepalive.DEFAULTS, 64 * 1024, defaultOutputBudget(),
                AuthLimits.defaults());
    }

    /**
     * Half of the JVM's direct memory limit ({@code -XX:MaxDirectMemorySize}, which defaults to the
     * heap limit), but at least 8 MiB. Output buffers are direct memory; the other half is left for
     * input buffers and the buffer pool, so that running out of direct memory (which kills a loop
     * thread) is not how a flood of unread output ends.
     *
     * @return the default {@link #outputBudget} in bytes
     */
    public static long defaultOutputBudget() {
        return Math.max(8L << 20, maxDirectMemory() / 2);
    }

    private static long maxDirectMemory() {
        try {
            var diagnostics = java.lang.management.ManagementFactory.getPlatformMXBean(
                    com.sun.management.HotSpotDiagnosticMXBean.class);
            long configured = Long.parseLong(diagnostics.getVMOption("MaxDirectMemorySize").getValue());
            if (configured > 0) {
                return configured;
            }
        } catch (RuntimeException | LinkageError e) {
            // Not HotSpot, or no management module: the JDK's own default is the heap limit.
        }
        return Runtime.getRuntime().maxMemory();
    }

    /** @param value new listen address @return a copy with it */
    public ServerConfig withBind(InetSocketAddress value) {
        return toBuilder().bind(value).build();
    }

    /** @param value new durability @return a copy with it */
    public ServerConfig withDurability(StoreConfig.Durability value) {
        return toBuilder().durability(value).build();
    }

    /**
     * A copy with other thread counts.
     *
     * @param loops event loops
     * @param hashers hashing threads
     * @return a copy with them
     */
    public ServerConfig withThreads(int loops, int hashers) {
        return toBuilder().ioThreads(loops).workers(hashers).build();
    }

    /** @param value PBKDF2 rounds for new hashes @return a copy with it */
    public ServerConfig withPbkdf2Iterations(int value) {
        return toBuilder().pbkdf2Iterations(value).build();
    }

    /** @param value new login idle timeout @return a copy with it */
    public ServerConfig withIdleTimeout(Duration value) {
        return toBuilder().idleTimeout(value).build();
    }

    /**
     * A copy with other high watermarks.
     *
     * @param read  read high watermark
     * @param write write high watermark
     * @return a copy with them
     * @throws IllegalArgumentException if the reply backlog is now above the write high watermark,
     *         or the output budget below it: change those first with {@link #withOutputLimits}
     */
    public ServerConfig withWatermarks(int read, int write) {
        return toBuilder().readHighWatermark(read).writeHighWatermark(write).build();
    }

    /** @param value how long a closing connection may take to flush @return a copy with it */
    public ServerConfig withFlushTimeout(Duration value) {
        return toBuilder().flushTimeout(value).build();
    }

    /** @param value how long a graceful shutdown may take (see ChatServer) @return a copy with it */
    public ServerConfig withShutdownTimeout(Duration value) {
        return toBuilder().shutdownTimeout(value).build();
    }

    /**
     * @param backlog pipelining bound per connection (see {@link #replyBacklog})
     * @param budget  server-wide output bound (see {@link #outputBudget})
     * @return a copy with them
     */
    public ServerConfig withOutputLimits(int backlog, long budget) {
        return toBuilder().replyBacklog(backlog).outputBudget(budget).build();
    }

    /** @param value whether SIGTERM/SIGINT are handled @return a copy with it */
    public ServerConfig withSignals(boolean value) {
        return toBuilder().handleSignals(value).build();
    }

    /** @param value per-user flood control ({@link SendLimits#OFF} for none) @return a copy with it */
    public ServerConfig withSendLimits(SendLimits value) {
        return toBuilder().sendLimits(value).build();
    }

    /** @param value keepalive of logged-in connections ({@link Keepalive#OFF} for none) @return a copy with it */
    public ServerConfig withKeepalive(Keepalive value) {
        return toBuilder().keepalive(value).build();
    }

    /** @param value attempt limits and resume token policy @return a copy with them */
    public ServerConfig withAuthLimits(AuthLimits value) {
        return toBuilder().authLimits(value).build();
    }

    /**
     * A builder holding a copy of this config's fields: set any of them, then {@link Builder#build()}.
     *
     * @return a new builder, independent of this config
     */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.bind = bind;
        b.database = database;
        b.durability = durability;
        b.ioThreads = ioThreads;
        b.workers = workers;
        b.pbkdf2Iterations = pbkdf2Iterations;
        b.idleTimeout = idleTimeout;
        b.readHighWatermark = readHighWatermark;
        b.writeHighWatermark = writeHighWatermark;
        b.flushTimeout = flushTimeout;
        b.shutdownTimeout = shutdownTimeout;
        b.handleSignals = handleSignals;
        b.sendLimits = sendLimits;
        b.keepalive = keepalive;
        b.replyBacklog = replyBacklog;
        b.outputBudget = outputBudget;
        b.authLimits = authLimits;
        return b;
    }

    /**
     * Collects settings for a new {@link ServerConfig}; get one from {@link ServerConfig#toBuilder()}
     * (of {@link ServerConfig#defaults(Path)}, say). Not thread-safe; {@link #build()} validates.
     */
    public static final class Builder {
        private InetSocketAddress bind;
        private Path database;
        private StoreConfig.Durability durability;
        private int ioThreads;
        private int workers;
        private int pbkdf2Iterations;
        private Duration idleTimeout;
        private int readHighWatermark;
        private int writeHighWatermark;
        private Duration flushTimeout;
        private Duration shutdownTimeout;
        private boolean handleSignals;
        private SendLimits sendLimits;
        private Keepalive keepalive;
        private int replyBacklog;
        private long outputBudget;
        private AuthLimits authLimits;

        private Builder() {
        }

        /** @param value see {@link ServerConfig#bind()} @return this builder */
        public Builder bind(InetSocketAddress value) {
            this.bind = value;
            return this;
        }

        /** @param value see {@link ServerConfig#database()} @return this builder */
        public Builder database(Path value) {
            this.database = value;
            return this;
        }

        /** @param value see {@link ServerConfig#durability()} @return this builder */
        public Builder durability(StoreConfig.Durability value) {
            this.durability = value;
            return this;
        }

        /** @param value see {@link ServerConfig#ioThreads()} @return this builder */
        public Builder ioThreads(int value) {
            this.ioThreads = value;
            return this;
        }

        /** @param value see {@link ServerConfig#workers()} @return this builder */
        public Builder workers(int value) {
            this.workers = value;
            return this;
        }

        /** @param value see {@link ServerConfig#pbkdf2Iterations()} @return this builder */
        public Builder pbkdf2Iterations(int value) {
            this.pbkdf2Iterations = value;
            return this;
        }

        /** @param value see {@link ServerConfig#idleTimeout()} @return this builder */
        public Builder idleTimeout(Duration value) {
            this.idleTimeout = value;
            return this;
        }

        /** @param value see {@link ServerConfig#readHighWatermark()} @return this builder */
        public Builder readHighWatermark(int value) {
            this.readHighWatermark = value;
            return this;
        }

        /** @param value see {@link ServerConfig#writeHighWatermark()} @return this builder */
        public Builder writeHighWatermark(int value) {
            this.writeHighWatermark = value;
            return this;
        }

        /** @param value see {@link ServerConfig#flushTimeout()} @return this builder */
        public Builder flushTimeout(Duration value) {
            this.flushTimeout = value;
            return this;
        }

        /** @param value see {@link ServerConfig#shutdownTimeout()} @return this builder */
        public Builder shutdownTimeout(Duration value) {
            this.shutdownTimeout = value;
            return this;
        }

        /** @param value see {@link ServerConfig#handleSignals()} @return this builder */
        public Builder handleSignals(boolean value) {
            this.handleSignals = value;
            return this;
        }

        /** @param value see {@link ServerConfig#sendLimits()} @return this builder */
        public Builder sendLimits(SendLimits value) {
            this.sendLimits = value;
            return this;
        }

        /** @param value see {@link ServerConfig#keepalive()} @return this builder */
        public Builder keepalive(Keepalive value) {
            this.keepalive = value;
            return this;
        }

        /** @param value see {@link ServerConfig#replyBacklog()} @return this builder */
        public Builder replyBacklog(int value) {
            this.replyBacklog = value;
            return this;
        }

        /** @param value see {@link ServerConfig#outputBudget()} @return this builder */
        public Builder outputBudget(long value) {
            this.outputBudget = value;
            return this;
        }

        /** @param value see {@link ServerConfig#authLimits()} @return this builder */
        public Builder authLimits(AuthLimits value) {
            this.authLimits = value;
            return this;
        }

        /**
         * @return the config with these settings
         * @throws NullPointerException     if a setting was set to null
         * @throws IllegalArgumentException as the {@link ServerConfig} constructor
         */
        public ServerConfig build() {
            return new ServerConfig(bind, database, durability, ioThreads, workers, pbkdf2Iterations, idleTimeout,
                    readHighWatermark, writeHighWatermark, flushTimeout, shutdownTimeout, handleSignals, sendLimits,
                    keepalive, replyBacklog, outputBudget, authLimits);
        }
    }
}
