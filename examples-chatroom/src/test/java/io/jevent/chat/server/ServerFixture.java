package io.jevent.chat.server;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;
import java.util.function.UnaryOperator;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.jevent.chat.auth.AuthLimits;
import io.jevent.chat.auth.RateLimit;
import io.jevent.chat.store.StoreConfig;

/**
 * An in-process server on 127.0.0.1 port 0 with a fresh database, cheap password hashing and no
 * fsync (tests that are about durability run a child process with the production settings), plus
 * the clients a test opened; {@link #close()} closes them all and stops the server.
 */
final class ServerFixture implements AutoCloseable {
    static final String PW = "password1";
    /**
     * The production LOGIN limits, but REGISTER limits that the tests, all from 127.0.0.1 and
     * registering many users, never reach; tests of the limits pass their own.
     */
    static final AuthLimits TEST_LIMITS = AuthLimits.defaults()
            .withRegister(RateLimit.of(10_000, Duration.ofMinutes(1)), RateLimit.of(10_000, Duration.ofMinutes(1)));
    private static final Logger QUIET = Logger.getLogger("io.jevent");

    final ChatServer server;
    private final List<ChatClient> clients = new ArrayList<>();

    static {
        QUIET.setLevel(Level.WARNING);   // one INFO line per connection is noise in test output
    }

    private ServerFixture(ChatServer server) {
        this.server = server;
    }

    static ServerFixture start(Path dir) throws Exception {
        return start(dir, c -> c);
    }

    static ServerFixture start(Path dir, UnaryOperator<ServerConfig> tweak) throws Exception {
        return startWithLimits(dir, TEST_LIMITS, tweak);
    }

    /** A server with these LOGIN and REGISTER rate limits. */
    static ServerFixture startWithLimits(Path dir, AuthLimits limits, UnaryOperator<ServerConfig> tweak) throws Exception {
        ServerConfig config = tweak.apply(config(dir.resolve("chat.db")));
        StoreConfig store = StoreConfig.defaults(config.database()).withDurability(config.durability());
        return new ServerFixture(ChatServer.start(config, store, limits));
    }

    /** A server whose store settings {@code storeTweak} changes (say, a tiny writer queue). */
    static ServerFixture startWithStore(Path dir, UnaryOperator<StoreConfig> storeTweak) throws Exception {
        ServerConfig config = config(dir.resolve("chat.db"));
        StoreConfig store = StoreConfig.defaults(config.database()).withDurability(config.durability());
        return new ServerFixture(ChatServer.start(config, storeTweak.apply(store), TEST_LIMITS));
    }

    /** A server whose rate limits run on {@code nanoClock} (a clock the test moves by hand). */
    static ServerFixture startWithClock(Path dir, UnaryOperator<ServerConfig> tweak, LongSupplier nanoClock)
            throws Exception {
        ServerConfig config = tweak.apply(config(dir.resolve("chat.db")));
        StoreConfig store = StoreConfig.defaults(config.database()).withDurability(config.durability());
        return new ServerFixture(ChatServer.start(config, store, nanoClock));
    }

    /**
     * Test settings. The per-user send limits are off: many tests pipeline hundreds of messages from
     * one user on purpose; the tests of the limits turn them on.
     */
    static ServerConfig config(Path db) {
        return ServerConfig.defaults(db)
                .withBind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .withPbkdf2Iterations(1_000)
                .withDurability(StoreConfig.Durability.SURVIVES_PROCESS_CRASH)
                .withFlushTimeout(Duration.ofSeconds(20))
                .withSendLimits(SendLimits.OFF)
                .withSignals(false);
    }

    InetSocketAddress address() {
        return server.address();
    }

    /** A connected client past the greeting. */
    ChatClient client() {
        ChatClient c = ChatClient.connect(address());
        clients.add(c);
        return c;
    }

    /** A connected client that registered and logged in as {@code name}. */
    ChatClient user(String name) {
        return client().registerAndLogin(name, PW);
    }

    ChatClient track(ChatClient c) {
        clients.add(c);
        return c;
    }

    @Override
    public void close() {
        for (ChatClient c : clients) {
            c.close();
        }
        server.close();
    }
}
