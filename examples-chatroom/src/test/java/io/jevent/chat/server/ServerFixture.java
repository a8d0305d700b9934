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

import io.jevent.chat.Transport;
import io.jevent.chat.auth.AuthLimits;
import io.jevent.chat.auth.RateLimit;
import io.jevent.chat.store.StoreConfig;

/**
 * An in-process server on 127.0.0.1 port 0, over plain TCP or TLS ({@link Transport}), with a fresh database, cheap password hashing and no
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
    /** What the server listens with and the clients connect over. */
    final Transport transport;
    private final List<ChatClient> clients = new ArrayList<>();

    static {
        QUIET.setLevel(Level.WARNING);   // one INFO line per connection is noise in test output
    }

    private ServerFixture(ChatServer server, Transport transport) {
        this.server = server;
        this.transport = transport;
    }

    static ServerFixture start(Path dir) throws Exception {
        return start(Transport.PLAIN, dir);
    }

    static ServerFixture start(Transport transport, Path dir) throws Exception {
        return start(transport, dir, c -> c);
    }

    static ServerFixture start(Path dir, UnaryOperator<ServerConfig> tweak) throws Exception {
        return start(Transport.PLAIN, dir, tweak);
    }

    static ServerFixture start(Transport transport, Path dir, UnaryOperator<ServerConfig> tweak) throws Exception {
        return startWithLimits(transport, dir, TEST_LIMITS, tweak);
    }

    /** A server with these LOGIN and REGISTER rate limits. */
    static ServerFixture startWithLimits(Transport transport, Path dir, AuthLimits limits,
                                         UnaryOperator<ServerConfig> tweak) throws Exception {
        return start(transport, tweak.apply(config(dir.resolve("chat.db"))), s -> s, limits, System::nanoTime);
    }

    /** A server whose store settings {@code storeTweak} changes (say, a tiny writer queue). */
    static ServerFixture startWithStore(Transport transport, Path dir, UnaryOperator<StoreConfig> storeTweak)
            throws Exception {
        return start(transport, config(dir.resolve("chat.db")), storeTweak, TEST_LIMITS, System::nanoTime);
    }

    /** A server whose rate limits run on {@code nanoClock} (a clock the test moves by hand). */
    static ServerFixture startWithClock(Transport transport, Path dir, UnaryOperator<ServerConfig> tweak,
                                        LongSupplier nanoClock) throws Exception {
        return start(transport, tweak.apply(config(dir.resolve("chat.db"))), s -> s, AuthLimits.defaults(), nanoClock);
    }

    private static ServerFixture start(Transport transport, ServerConfig config, UnaryOperator<StoreConfig> storeTweak,
                                       AuthLimits limits, LongSupplier nanoClock) throws Exception {
        StoreConfig store = storeTweak.apply(StoreConfig.defaults(config.database()).withDurability(config.durability()));
        return new ServerFixture(ChatServer.start(config, store, limits, nanoClock, transport.serverTls(config.bind())),
                transport);
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

    /** @return the address the clients connect to: the plain or the TLS listener's */
    InetSocketAddress address() {
        return transport == Transport.PLAIN ? server.address() : server.tlsAddress();
    }

    /** A connected client past the greeting. */
    ChatClient client() {
        return track(ChatClient.connect(transport, address()));
    }

    /** A connected client that has read nothing yet; {@code receiveBuffer} 0 keeps the OS default. */
    ChatClient raw(int receiveBuffer) {
        return track(ChatClient.connectRaw(transport, address(), receiveBuffer));
    }

    /** A connected client past the greeting, connecting from the loopback address {@code localHost}. */
    ChatClient from(String localHost) {
        return track(ChatClient.connectFrom(transport, address(), localHost));
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
