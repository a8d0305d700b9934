package io.jevent.chat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;

import javax.net.ssl.SSLSocket;

import io.jevent.chat.server.ServerTls;
import io.jevent.chat.tls.ServerIdentity;
import io.jevent.chat.tls.ServerTrust;

/**
 * What the end-to-end chat tests run over: each such test class is a
 * {@code @ParameterizedClass @EnumSource(Transport.class)} and runs once over plain TCP and once
 * inside TLS, with the same assertions, since the protocol must not notice the difference.
 *
 * <p>TLS uses one self-signed server certificate per test JVM ({@link #identity()}), which the test
 * clients trust by its pinned fingerprint, as {@code chatroom client --tls --fingerprint} does.
 */
public enum Transport {
    PLAIN, TLS;

    private static ServerIdentity identity;

    /**
     * The TLS tests' server certificate, made on first use in a temporary directory. Any thread.
     *
     * @return the shared identity
     */
    public static synchronized ServerIdentity identity() {
        if (identity == null) {
            try {
                Path dir = Files.createTempDirectory("chat-tls");
                identity = ServerIdentity.selfSigned(dir);
                Files.delete(dir.resolve(ServerIdentity.SELF_SIGNED_STORE));   // in memory from now on
                Files.delete(dir.resolve(ServerIdentity.SELF_SIGNED_PASSWORD));
                Files.delete(dir);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return identity;
    }

    /**
     * The server's TLS listener for this transport.
     *
     * @param bind where it listens
     * @return null over plain TCP (the server listens on its plain address); a TLS-only listener otherwise
     */
    public ServerTls serverTls(InetSocketAddress bind) {
        return this == PLAIN ? null : new ServerTls(bind, identity().context(), false);
    }

    /** @return how the chat client trusts the server: null over plain TCP, the pinned test certificate over TLS */
    public ServerTrust clientTrust() {
        return this == PLAIN ? null : ServerTrust.pinned(identity().fingerprint());
    }

    /**
     * Layers this transport on a connected socket, for a blocking test client.
     *
     * @param tcp a connected socket
     * @return {@code tcp} itself over plain TCP; over TLS an {@link SSLSocket} on it, its handshake done
     */
    public Socket over(Socket tcp) throws IOException {
        if (this == PLAIN) {
            return tcp;
        }
        InetSocketAddress peer = (InetSocketAddress) tcp.getRemoteSocketAddress();
        SSLSocket tls = (SSLSocket) clientTrust().context("localhost", peer.getPort()).getSocketFactory()
                .createSocket(tcp, "localhost", peer.getPort(), true);
        tls.setSoTimeout(tcp.getSoTimeout());
        tls.startHandshake();
        return tls;
    }
}
