package io.jevent.chat.server;

import java.net.InetSocketAddress;
import java.util.Objects;

import javax.net.ssl.SSLContext;

/**
 * The TLS listener of a {@link ChatServer}: connections accepted on it speak the same protocol inside
 * TLS. Immutable.
 *
 * @param bind      address and port to listen on; port 0 picks a free port
 * @param context   the server's key and certificate ({@link io.jevent.chat.tls.ServerIdentity#context()});
 *                  each connection gets a server-mode engine from it
 * @param alsoPlain whether the plain-text listener on {@link ServerConfig#bind()} runs as well
 */
public record ServerTls(InetSocketAddress bind, SSLContext context, boolean alsoPlain) {
    /** Checks the fields. */
    public ServerTls {
        Objects.requireNonNull(bind, "bind");
        Objects.requireNonNull(context, "context");
    }
}
