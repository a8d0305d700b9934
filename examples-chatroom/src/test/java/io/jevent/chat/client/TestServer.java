package io.jevent.chat.client;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.jevent.chat.Transport;
import io.jevent.chat.server.ChatServer;
import io.jevent.chat.server.ServerConfig;
import io.jevent.chat.store.StoreConfig;

/**
 * A real chat server in-process on 127.0.0.1, with cheap hashing and no fsync, for client tests;
 * over TLS it listens with TLS only, on the port asked for.
 */
final class TestServer {
    static final String PW = "password1";

    static {
        Logger.getLogger("io.jevent").setLevel(Level.WARNING);   // one INFO line per connection is noise
    }

    private TestServer() {
    }

    /**
     * Starts a server.
     *
     * @param transport plain TCP or TLS
     * @param db        the database file (reuse it to "restart" a server with its data)
     * @param port      0 for any free port
     */
    static ChatServer start(Transport transport, Path db, int port) throws Exception {
        InetSocketAddress bind = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
        return ChatServer.start(ServerConfig.defaults(db)
                .withBind(bind)
                .withPbkdf2Iterations(1_000)
                .withDurability(StoreConfig.Durability.SURVIVES_PROCESS_CRASH)
                .withSignals(false), transport.serverTls(bind));
    }

    /** @return the port of {@code server}'s one listener, plain or TLS */
    static int port(ChatServer server) {
        return (server.address() != null ? server.address() : server.tlsAddress()).getPort();
    }
}
