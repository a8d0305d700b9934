package io.jevent.core.bufferevent;

import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import javax.net.ssl.SSLContext;

import io.jevent.testing.TestTls;

/** A TLS server and client buffer event joined by a loopback socket, recording their statuses. */
final class TlsPeers {
    static final TestTls TLS = TestTls.get();

    final BufferEvent server;
    final BufferEvent client;
    final List<String> serverStatus = new CopyOnWriteArrayList<>();
    final List<String> clientStatus = new CopyOnWriteArrayList<>();
    final List<Throwable> serverCauses = new CopyOnWriteArrayList<>();
    final List<Throwable> clientCauses = new CopyOnWriteArrayList<>();

    private TlsPeers(BufferEvent server, BufferEvent client) {
        this.server = server;
        this.client = client;
    }

    /** A server from {@code serverCtx} and a client from {@code clientCtx} naming the server {@code host}. */
    static TlsPeers connect(Loops loops, SSLContext serverCtx, SSLContext clientCtx, String host,
                            TlsOptions serverOpts, TlsOptions clientOpts) throws IOException {
        SocketChannel[] ch = Loops.socketPair();
        BufferEvent s = BufferEvent.tlsServer(loops.base, ch[1], serverCtx, serverOpts);
        BufferEvent c = BufferEvent.tlsClient(loops.base, ch[0], clientCtx, host, 443, clientOpts);
        TlsPeers p = new TlsPeers(s, c);
        s.setCallbacks(null, null, p.recorder(p.serverStatus, p.serverCauses));
        c.setCallbacks(null, null, p.recorder(p.clientStatus, p.clientCauses));
        return p;
    }

    /** Test certificates, default options, the client naming the server "localhost". */
    static TlsPeers connect(Loops loops) throws IOException {
        return connect(loops, TLS.serverContext(), TLS.clientContext(), "localhost", TlsOptions.defaults(),
                TlsOptions.defaults());
    }

    StatusCallback recorder(List<String> statuses, List<Throwable> causes) {
        return (b, what, cause) -> {
            statuses.add(BufferEvent.describe(what));
            if (cause != null) {
                causes.add(cause);
            }
        };
    }

    boolean bothHandshaken() {
        return serverStatus.contains("HANDSHAKE_DONE") && clientStatus.contains("HANDSHAKE_DONE");
    }

    void close() {
        server.close();
        client.close();
    }
}
