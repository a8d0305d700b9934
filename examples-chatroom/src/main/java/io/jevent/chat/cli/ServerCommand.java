package io.jevent.chat.cli;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.logging.Level;

import io.jevent.chat.auth.PasswordHasher;
import io.jevent.chat.server.ChatServer;
import io.jevent.chat.server.ServerConfig;
import io.jevent.chat.store.StoreConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code chatroom server}: runs the chat server until SIGTERM or SIGINT, then shuts down gracefully
 * and exits 0. Prints one line on start with the address and the database path.
 */
@Command(name = "server", mixinStandardHelpOptions = true,
        description = "Run the chat server (stop it with Ctrl-C or SIGTERM).")
final class ServerCommand implements Callable<Integer> {
    @Option(names = "--port", defaultValue = "7777", description = "TCP port (0 picks a free one; default ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--bind", defaultValue = "127.0.0.1",
            description = "Address to listen on; 0.0.0.0 for every interface (default ${DEFAULT-VALUE}).")
    String bind;

    @Option(names = "--db", defaultValue = "chatroom.db",
            description = "SQLite database file, created on first start (default ${DEFAULT-VALUE}).")
    Path db;

    @Option(names = "--io-threads", defaultValue = "1", description = "Event loops (default ${DEFAULT-VALUE}).")
    int ioThreads;

    @Option(names = "--workers", defaultValue = "2", description = "Password-hashing threads (default ${DEFAULT-VALUE}).")
    int workers;

    @Option(names = "--log-level", defaultValue = "INFO",
            description = "OFF, SEVERE, WARNING, INFO, FINE... (default ${DEFAULT-VALUE}).")
    String logLevel;

    @Option(names = "--idle-timeout", defaultValue = "60",
            description = "Seconds a connection may stay without logging in (default ${DEFAULT-VALUE}).")
    long idleTimeoutSeconds;

    @Option(names = "--pbkdf2-iterations", hidden = true, description = "PBKDF2 rounds for new hashes (tests).")
    Integer pbkdf2Iterations;

    @Option(names = "--sync", hidden = true, defaultValue = "full",
            description = "full: fsync every commit (default); normal: survive a process crash only (tests).")
    String sync;

    @Override
    public Integer call() throws Exception {
        LogSetup.configure(Level.parse(logLevel.toUpperCase(Locale.ROOT)));
        Path database = db.toAbsolutePath();
        ServerConfig config = ServerConfig.defaults(database)
                .withBind(new InetSocketAddress(bind, port))
                .withThreads(ioThreads, workers)
                .withIdleTimeout(Duration.ofSeconds(idleTimeoutSeconds))
                .withPbkdf2Iterations(pbkdf2Iterations != null ? pbkdf2Iterations : PasswordHasher.DEFAULT_ITERATIONS)
                .withDurability("normal".equalsIgnoreCase(sync)
                        ? StoreConfig.Durability.SURVIVES_PROCESS_CRASH : StoreConfig.Durability.SURVIVES_POWER_LOSS);
        ChatServer server;
        try {
            server = ChatServer.start(config);
        } catch (Exception e) {
            System.err.println("chatroom server: cannot start: " + e.getMessage());
            return 1;
        }
        InetSocketAddress at = server.address();
        System.out.println("chat server listening on " + at.getAddress().getHostAddress() + ":" + at.getPort()
                + ", database " + database);
        System.out.flush();
        server.terminationFuture().exceptionally(t -> null).join();   // returns after SIGTERM/SIGINT
        return 0;
    }
}
