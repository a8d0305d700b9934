package io.jevent.examples.tls;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.HashSet;
import java.util.Set;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSession;

import io.jevent.core.Event;
import io.jevent.core.EventBase;
import io.jevent.core.bufferevent.BufferEvent;
import io.jevent.core.bufferevent.TlsOptions;
import io.jevent.core.listener.ConnectionListener;

/**
 * A TLS echo server on one loop: every plaintext byte a client sends over TLS comes back. The example
 * of {@code docs/tls.md}: a PKCS#12 key store loaded into an {@link SSLContext}, one
 * {@link BufferEvent#tlsServer} per accepted connection, the negotiated session read on
 * {@link BufferEvent#HANDSHAKE_DONE}.
 *
 * <pre>
 * java -cp ... io.jevent.examples.tls.TlsEchoServer server.p12 password-file [port]
 * </pre>
 *
 * <p>Threading: everything runs on the base's loop thread, except the handshake's delegated tasks,
 * which the default {@link TlsOptions} run on jevent's shared task pool.
 */
public final class TlsEchoServer implements AutoCloseable {
    private final ConnectionListener listener;
    private final Set<BufferEvent> open = new HashSet<>();

    private TlsEchoServer(EventBase base, int port, SSLContext context) {
        InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
        this.listener = ConnectionListener.bind(base, address, (l, channel) -> {
            BufferEvent bev = BufferEvent.tlsServer(base, channel, context, TlsOptions.defaults());
            open.add(bev);
            bev.setCallbacks(b -> b.write(b.input()), null, (b, what, cause) -> {
                if ((what & BufferEvent.HANDSHAKE_DONE) != 0) {
                    SSLSession s = b.sslEngine().getSession();
                    System.out.println("TLS " + s.getProtocol() + " " + s.getCipherSuite());
                } else if ((what & (BufferEvent.EOF | BufferEvent.ERROR | BufferEvent.TIMEOUT)) != 0) {
                    if (cause != null) {
                        System.out.println(BufferEvent.describe(what) + ": " + cause.getMessage());
                    }
                    open.remove(b);
                    b.close();
                }
            });
            bev.enable(Event.READ);
        });
    }

    /**
     * Starts serving on 127.0.0.1 while the base's loop runs. The base's loop thread only.
     *
     * @param base    the loop
     * @param port    0 for any free port
     * @param context the server's key and certificate
     * @return the running server
     */
    public static TlsEchoServer start(EventBase base, int port, SSLContext context) {
        return new TlsEchoServer(base, port, context);
    }

    /**
     * The port bound.
     *
     * @return the local port
     */
    public int port() {
        return listener.localAddress().getPort();
    }

    /**
     * A server context from a PKCS#12 key store holding one private key and its chain.
     *
     * @param p12      the key store file
     * @param password its password (also the key's)
     * @return a context with that key
     * @throws IOException              if the file cannot be read
     * @throws GeneralSecurityException if it is no PKCS#12 store, or the password is wrong
     */
    public static SSLContext serverContext(Path p12, char[] password) throws IOException, GeneralSecurityException {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(p12)) {
            ks.load(in, password);
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, password);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        return ctx;
    }

    /** Stops listening and closes every connection. The loop thread only. */
    @Override
    public void close() {
        listener.close();
        for (BufferEvent b : open) {
            b.close();
        }
        open.clear();
    }

    /**
     * Runs the server until the process ends.
     *
     * @param args key store file, a file holding its password, and optionally the port (default 8443)
     * @throws Exception if the key store cannot be loaded or the port bound
     */
    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: TlsEchoServer KEYSTORE.p12 PASSWORD-FILE [PORT]");
            System.exit(2);
        }
        char[] password = Files.readString(Path.of(args[1]), StandardCharsets.UTF_8).strip().toCharArray();
        SSLContext ctx = serverContext(Path.of(args[0]), password);
        try (EventBase base = new EventBase()) {
            TlsEchoServer server = start(base, args.length > 2 ? Integer.parseInt(args[2]) : 8443, ctx);
            System.out.println("TLS echo on 127.0.0.1:" + server.port());
            base.loop(EventBase.LOOP_NO_EXIT_ON_EMPTY);
        }
    }
}
