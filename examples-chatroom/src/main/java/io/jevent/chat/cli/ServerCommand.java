package io.jevent.chat.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import java.util.logging.Level;

import io.jevent.chat.auth.AuthLimits;
import io.jevent.chat.auth.LoginRateLimiter;
import io.jevent.chat.auth.PasswordHasher;
import io.jevent.chat.auth.RateLimit;
import io.jevent.chat.auth.RegisterRateLimiter;
import io.jevent.chat.protocol.Protocol;
import io.jevent.chat.server.ChatServer;
import io.jevent.chat.server.Keepalive;
import io.jevent.chat.server.SendLimits;
import io.jevent.chat.server.ServerConfig;
import io.jevent.chat.server.ServerTls;
import io.jevent.chat.store.StoreConfig;
import io.jevent.chat.tls.ServerIdentity;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code chatroom server}: runs the chat server until SIGTERM or SIGINT, then shuts down gracefully
 * and exits 0; 3 if the shutdown timed out on the database and abandoned writes; or, if the server
 * stops on its own because an event loop thread died, {@link ChatroomMain#EXIT_FAILED} after shutting
 * down what it could ({@link ChatServer#awaitExitStatus()}). Prints one line on start with the address
 * and the database path, and with TLS on ({@link ServerTlsOptions}) a second with the certificate's
 * SHA-256 fingerprint.
 */
@Command(name = "server", mixinStandardHelpOptions = true,
        description = "Run the chat server (stop it with Ctrl-C or SIGTERM).")
final class ServerCommand implements Callable<Integer> {
    /** A year: longer is surely a mistake, and far below what {@link Duration#ofSeconds} overflows at. */
    private static final long MAX_IDLE_SECONDS = 365L * 24 * 3600;
    /** Each counted attempt is remembered for its window, so the counts bound memory per address. */
    private static final int MAX_ATTEMPTS = 10_000;
    private static final int MAX_TOKENS_PER_USER = 1_000;

    @Spec
    CommandSpec spec;

    @Option(names = "--port", defaultValue = "7777",
            description = "Plain-text TCP port, 0-65535 (0 picks a free one; default ${DEFAULT-VALUE}). With TLS on,"
                    + " a plain-text listener runs only if this is given.")
    int port;

    @Mixin
    ServerTlsOptions tls;

    @Option(names = "--bind", defaultValue = "127.0.0.1",
            description = "Address to listen on; 0.0.0.0 for every interface (default ${DEFAULT-VALUE}).")
    String bind;

    @Option(names = "--db", defaultValue = "chatroom.db",
            description = "SQLite database file, created on first start (default ${DEFAULT-VALUE}).")
    Path db;

    @Option(names = "--io-threads", defaultValue = "1", description = "Event loops, at least 1 (default ${DEFAULT-VALUE}).")
    int ioThreads;

    @Option(names = "--workers", defaultValue = "2",
            description = "Password-hashing threads, at least 1 (default ${DEFAULT-VALUE}); with 2 or more,"
                    + " one is kept for LOGIN whatever REGISTERs are pending.")
    int workers;

    @Option(names = "--log-level", defaultValue = "info", converter = LogSetup.LevelConverter.class,
            description = "error, warn, info, debug, trace, off or all, in any case; the java.util.logging"
                    + " names (severe, warning, fine...) work too (default ${DEFAULT-VALUE}).")
    Level logLevel;

    @Option(names = "--idle-timeout", defaultValue = "60",
            description = "Seconds a connection may stay without logging in, at least 1 (default ${DEFAULT-VALUE}).")
    long idleTimeoutSeconds;

    @Option(names = "--keepalive", defaultValue = "30",
            description = "Seconds a logged-in connection may stay silent before the server sends it a PING;"
                    + " 0 sends none (default ${DEFAULT-VALUE}).")
    long keepaliveSeconds;

    @Option(names = "--keepalive-timeout", defaultValue = "30",
            description = "Seconds a connection sent a PING has to send anything before it is dropped"
                    + " (BYE ping timeout), at least 1 (default ${DEFAULT-VALUE}).")
    long keepaliveTimeoutSeconds;

    @Option(names = "--send-rate", defaultValue = "20",
            description = "Messages (SAY, MSG) a user may send per second, sustained; faster ones get ERR 429 slow down."
                    + " 0 turns every send limit off (default ${DEFAULT-VALUE}).")
    int sendRate;

    @Option(names = "--send-burst", defaultValue = "50",
            description = "Messages a user may send at once after a quiet spell (default ${DEFAULT-VALUE}).")
    int sendBurst;

    @Option(names = "--send-byte-rate", defaultValue = "65536",
            description = "Bytes of message text a user may send per second, sustained (default ${DEFAULT-VALUE}).")
    long sendByteRate;

    @Option(names = "--send-byte-burst", defaultValue = "131072",
            description = "Bytes of message text a user may send at once, at least 4096 (default ${DEFAULT-VALUE}).")
    long sendByteBurst;

    @Option(names = "--shutdown-timeout", defaultValue = "10",
            description = "Seconds a shutdown (SIGTERM, Ctrl-C) may take, 1-3600; writes the database has not"
                    + " finished by then are abandoned and the exit status is 3 (default ${DEFAULT-VALUE}).")
    long shutdownTimeoutSeconds;

    @Option(names = "--output-budget", paramLabel = "MiB",
            description = "Unsent output, in MiB, all connections together may hold; past it the connections"
                    + " holding the most are dropped (default: half the JVM's direct memory limit).")
    Long outputBudgetMib;

    @Option(names = "--login-attempts-per-name", defaultValue = "5",
            description = "LOGIN, RESUME and PASSWORD attempts per minute from one address for one name, 1-" + MAX_ATTEMPTS
                    + "; a successful one does not count (default ${DEFAULT-VALUE}).")
    int loginPerAddressAndName;

    @Option(names = "--login-attempts-per-address", defaultValue = "20",
            description = "LOGIN, RESUME and PASSWORD attempts per minute from one address for any names, 1-" + MAX_ATTEMPTS
                    + "; raise it when many users share an address (NAT) (default ${DEFAULT-VALUE}).")
    int loginPerAddress;

    @Option(names = "--registrations-per-address", defaultValue = "5",
            description = "REGISTERs per 10 minutes from one address, 1-" + MAX_ATTEMPTS + " (default ${DEFAULT-VALUE}).")
    int registerPerAddress;

    @Option(names = "--registrations-per-minute", defaultValue = "60",
            description = "REGISTERs per minute on the whole server, 1-" + MAX_ATTEMPTS + " (default ${DEFAULT-VALUE}).")
    int registerOverall;

    @Option(names = "--resume-token-ttl", defaultValue = "604800",
            description = "Seconds the token a LOGIN returns lets RESUME log in without the password, 1-"
                    + MAX_IDLE_SECONDS + " (default ${DEFAULT-VALUE}: 7 days).")
    long resumeTokenTtlSeconds;

    @Option(names = "--resume-tokens-per-user", defaultValue = "5",
            description = "Live resume tokens per user (one per device), 1-" + MAX_TOKENS_PER_USER
                    + "; a LOGIN beyond that invalidates the oldest (default ${DEFAULT-VALUE}).")
    int resumeTokensPerUser;

    @Option(names = "--pbkdf2-iterations", hidden = true, description = "PBKDF2 rounds for new hashes (tests).")
    Integer pbkdf2Iterations;

    @Option(names = "--sync", hidden = true, defaultValue = "full",
            description = "full: fsync every commit (default); normal: survive a process crash only (tests).")
    String sync;

    @Override
    public Integer call() {
        InetSocketAddress address = validate();
        Path database = db.toAbsolutePath();
        ServerIdentity identity;
        try {
            // Before the database and the logging: a bad key store leaves nothing behind.
            identity = tls.enabled() ? tls.load(database) : null;
        } catch (IOException e) {
            return cannotStart(e);
        }
        LogSetup.configure(logLevel);
        ServerConfig config = config(address, database);
        ChatServer server;
        try {
            ServerTls serverTls = identity == null ? null
                    : new ServerTls(new InetSocketAddress(address.getAddress(), tls.port()), identity.context(),
                            plainPortGiven());
            server = ChatServer.start(config, serverTls);
        } catch (Exception e) {
            return cannotStart(e);
        }
        System.out.println("chat server listening on " + listeners(server) + ", database " + database);
        if (identity != null) {
            System.out.println("TLS certificate SHA-256 fingerprint " + identity.fingerprint()
                    + (tls.selfSigned ? " (self-signed, " + (identity.created() ? "made now in " : "from ")
                    + identity.file() + ")" : ""));
        }
        System.out.flush();
        int status = server.awaitExitStatus();   // returns after SIGTERM/SIGINT, or a loop's death
        if (status == ChatroomMain.EXIT_FAILED) {
            // Already logged with its cause; one line for whoever reads stderr. A supervisor restarts us.
            PrintWriter err = spec.commandLine().getErr();
            err.println("chatroom server: stopped after an event loop thread died (see the log above)");
            err.flush();
        }
        return status;
    }

    /** One line on stderr; exit status 1. */
    private int cannotStart(Exception e) {
        PrintWriter err = spec.commandLine().getErr();
        err.println("chatroom server: cannot start: " + Options.describe(e));
        err.flush();
        return 1;
    }

    /** The listeners for the start line: {@code 127.0.0.1:7777}, or each followed by its kind when TLS is on. */
    private static String listeners(ChatServer server) {
        InetSocketAddress plain = server.address();
        InetSocketAddress secure = server.tlsAddress();
        if (secure == null) {
            return hostPort(plain);
        }
        return (plain != null ? hostPort(plain) + " (plain text) and " : "") + hostPort(secure) + " (TLS)";
    }

    private static String hostPort(InetSocketAddress at) {
        return at.getAddress().getHostAddress() + ":" + at.getPort();
    }

    private boolean plainPortGiven() {
        return spec.commandLine().getParseResult().hasMatchedOption("--port");
    }

    /**
     * The server's settings from the options, once {@link #validate} accepted them. Package-private
     * for tests, which start the server it describes.
     */
    ServerConfig config(InetSocketAddress address, Path database) {
        ServerConfig defaults = ServerConfig.defaults(database);
        return defaults
                .withBind(address)
                .withThreads(ioThreads, workers)
                .withIdleTimeout(Duration.ofSeconds(idleTimeoutSeconds))
                .withKeepalive(new Keepalive(Duration.ofSeconds(keepaliveSeconds),
                        Duration.ofSeconds(keepaliveTimeoutSeconds)))
                .withSendLimits(sendRate == 0 ? SendLimits.OFF
                        : new SendLimits(sendRate, sendBurst, sendByteRate, sendByteBurst))
                .withShutdownTimeout(Duration.ofSeconds(shutdownTimeoutSeconds))
                .withPbkdf2Iterations(pbkdf2Iterations != null ? pbkdf2Iterations : PasswordHasher.DEFAULT_ITERATIONS)
                .withDurability("normal".equalsIgnoreCase(sync)
                        ? StoreConfig.Durability.SURVIVES_PROCESS_CRASH : StoreConfig.Durability.SURVIVES_POWER_LOSS)
                .withOutputLimits(defaults.replyBacklog(),
                        outputBudgetMib != null ? outputBudgetMib << 20 : defaults.outputBudget())
                .withAuthLimits(AuthLimits.defaults()
                        .withLogin(RateLimit.of(loginPerAddressAndName, LoginRateLimiter.DEFAULT_WINDOW),
                                RateLimit.of(loginPerAddress, LoginRateLimiter.DEFAULT_WINDOW))
                        .withRegister(RateLimit.of(registerPerAddress, RegisterRateLimiter.DEFAULT_PER_ADDRESS.window()),
                                RateLimit.of(registerOverall, RegisterRateLimiter.DEFAULT_OVERALL.window()))
                        .withResumeTokens(Duration.ofSeconds(resumeTokenTtlSeconds), resumeTokensPerUser));
    }

    /**
     * Checks what picocli's types cannot, before anything is opened (so a typo creates no database).
     *
     * @return the address to listen on, resolved
     * @throws ParameterException for a value out of range or a host that does not resolve: exit 2
     */
    InetSocketAddress validate() {
        Options.require(spec, port >= 0 && port <= 65535, "--port must be 0-65535 (0 picks a free port), not " + port);
        Options.require(spec, ioThreads >= 1, "--io-threads must be at least 1, not " + ioThreads);
        Options.require(spec, workers >= 1, "--workers must be at least 1, not " + workers);
        Options.require(spec, idleTimeoutSeconds >= 1 && idleTimeoutSeconds <= MAX_IDLE_SECONDS,
                "--idle-timeout must be 1-" + MAX_IDLE_SECONDS + " seconds, not " + idleTimeoutSeconds);
        Options.require(spec, keepaliveSeconds >= 0 && keepaliveSeconds <= MAX_IDLE_SECONDS,
                "--keepalive must be 0-" + MAX_IDLE_SECONDS + " seconds (0: no probes), not " + keepaliveSeconds);
        Options.require(spec, keepaliveTimeoutSeconds >= 1 && keepaliveTimeoutSeconds <= MAX_IDLE_SECONDS,
                "--keepalive-timeout must be 1-" + MAX_IDLE_SECONDS + " seconds, not " + keepaliveTimeoutSeconds);
        Options.require(spec, sendRate >= 0, "--send-rate must be at least 0 (0: no send limits), not " + sendRate);
        if (sendRate > 0) {
            Options.require(spec, sendBurst >= 1, "--send-burst must be at least 1, not " + sendBurst);
            Options.require(spec, sendByteRate >= 1, "--send-byte-rate must be at least 1, not " + sendByteRate);
            Options.require(spec, sendByteBurst >= Protocol.MAX_LINE_BYTES, "--send-byte-burst must be at least "
                    + Protocol.MAX_LINE_BYTES + " (one longest line), not " + sendByteBurst);
        }
        Options.require(spec, shutdownTimeoutSeconds >= 1 && shutdownTimeoutSeconds <= 3600,
                "--shutdown-timeout must be 1-3600 seconds, not " + shutdownTimeoutSeconds);

        Options.require(spec, outputBudgetMib == null || (outputBudgetMib >= 1 && outputBudgetMib <= 1L << 30),
                "--output-budget must be 1-" + (1L << 30) + " MiB, not " + outputBudgetMib);
        Options.require(spec, pbkdf2Iterations == null || pbkdf2Iterations >= 1,
                "--pbkdf2-iterations must be at least 1, not " + pbkdf2Iterations);
        requireAttempts("--login-attempts-per-name", loginPerAddressAndName);
        requireAttempts("--login-attempts-per-address", loginPerAddress);
        requireAttempts("--registrations-per-address", registerPerAddress);
        requireAttempts("--registrations-per-minute", registerOverall);
        Options.require(spec, resumeTokenTtlSeconds >= 1 && resumeTokenTtlSeconds <= MAX_IDLE_SECONDS,
                "--resume-token-ttl must be 1-" + MAX_IDLE_SECONDS + " seconds, not " + resumeTokenTtlSeconds);
        Options.require(spec, resumeTokensPerUser >= 1 && resumeTokensPerUser <= MAX_TOKENS_PER_USER,
                "--resume-tokens-per-user must be 1-" + MAX_TOKENS_PER_USER + ", not " + resumeTokensPerUser);
        tls.validate(spec, port, plainPortGiven());
        InetSocketAddress address = new InetSocketAddress(bind, port);   // resolves the host, once
        Options.require(spec, !address.isUnresolved(), "--bind: cannot resolve host '" + bind + "'");
        return address;
    }

    private void requireAttempts(String option, int value) {
        Options.require(spec, value >= 1 && value <= MAX_ATTEMPTS, option + " must be 1-" + MAX_ATTEMPTS + ", not " + value);
    }
}
