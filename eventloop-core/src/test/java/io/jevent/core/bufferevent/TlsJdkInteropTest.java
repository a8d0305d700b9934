package io.jevent.core.bufferevent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.zip.CRC32;

import javax.net.ssl.SSLException;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.jevent.core.Event;
import io.jevent.testing.TestTls;

/**
 * The other peer is the JDK's own blocking {@link SSLSocket} or {@link SSLServerSocket}, so that a bug
 * cannot hide in the symmetry of two TLS buffer events: both directions, TLS 1.3 and 1.2, a TLS 1.3 key
 * update, and a TLS 1.2 renegotiation that is refused.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class TlsJdkInteropTest {
    private static final TestTls TLS = TlsPeers.TLS;
    private static final int SIZE = 2 * 1024 * 1024;

    /** Reads exactly {@code n} bytes and returns their CRC32. */
    private static long readCrc(InputStream in, int n) throws IOException {
        CRC32 crc = new CRC32();
        byte[] buf = new byte[16 * 1024];
        int left = n;
        while (left > 0) {
            int r = in.read(buf, 0, Math.min(buf.length, left));
            if (r < 0) {
                throw new IOException("EOF with " + left + " bytes missing");
            }
            crc.update(buf, 0, r);
            left -= r;
        }
        return crc.getValue();
    }

    private static <T> T await(CompletableFuture<T> f) throws Exception {
        try {
            return f.get(60, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw (Exception) e.getCause();
        } catch (TimeoutException e) {
            throw new AssertionError("the JDK peer did not finish", e);
        }
    }

    @Test
    @DisplayName("jevent client against the JDK's SSLServerSocket (TLS 1.3): echo of 2 MiB, then closeAfterFlush "
            + "ends with close_notify, which the JDK server reads as a clean end of stream")
    void jeventClientJdkServer() throws Exception {
        try (Loops loops = new Loops();
             SSLServerSocket listener = (SSLServerSocket) TLS.serverContext().getServerSocketFactory()
                     .createServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<String> serverSide = CompletableFuture.supplyAsync(() -> {
                try (SSLSocket s = (SSLSocket) listener.accept()) {
                    s.setSoTimeout(60_000);
                    InputStream in = s.getInputStream();
                    OutputStream out = s.getOutputStream();
                    byte[] buf = new byte[32 * 1024];
                    int total = 0;
                    while (total < SIZE) {
                        int r = in.read(buf, 0, Math.min(buf.length, SIZE - total));
                        if (r < 0) {
                            return "early EOF";
                        }
                        out.write(buf, 0, r);
                        total += r;
                    }
                    out.flush();
                    int end = in.read();
                    return "read " + total + ", then " + end + " " + s.getSession().getProtocol();
                } catch (IOException e) {
                    return "failed: " + e;
                }
            });
            int port = listener.getLocalPort();
            BufferEvent client = BufferEvent.tlsClient(loops.base, null, TLS.clientContext(), "localhost", port,
                    TlsOptions.defaults());
            Loops.Received got = new Loops.Received();
            StringBuilder status = new StringBuilder();
            client.setCallbacks(got, null, (b, w, c) -> status.append(BufferEvent.describe(w)).append(' '));
            client.enable(Event.READ);
            byte[] data = Loops.streamBytes(11, SIZE);
            client.write(data);
            client.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            loops.runUntil(() -> got.bytes == SIZE, Duration.ofSeconds(60));
            assertThat(got.crc()).isEqualTo(Loops.crc(data));
            boolean[] closed = {false};
            client.closeAfterFlush(Duration.ofSeconds(30), (b, flushed) -> closed[0] = true);
            loops.runUntil(() -> closed[0], Duration.ofSeconds(30));
            assertThat(await(serverSide)).isEqualTo("read " + SIZE + ", then -1 TLSv1.3");
            assertThat(status.toString()).isEqualTo("CONNECTED HANDSHAKE_DONE ");
        }
    }

    @Test
    @DisplayName("the JDK's SSLSocket (TLS 1.2) against a jevent server: echo of 2 MiB; the socket's close is "
            + "READING|EOF")
    void jdkClientJeventServerTls12() throws Exception {
        jdkClientAgainstJeventServer("TLSv1.2", false);
    }

    @Test
    @DisplayName("the JDK's SSLSocket (TLS 1.3) against a jevent server, asking for a key update half way "
            + "(SSLSocket.startHandshake on TLS 1.3 sends KeyUpdate): the echo goes on under the new keys")
    void jdkClientJeventServerTls13WithKeyUpdate() throws Exception {
        jdkClientAgainstJeventServer("TLSv1.3", true);
    }

    private void jdkClientAgainstJeventServer(String protocol, boolean keyUpdate) throws Exception {
        try (Loops loops = new Loops(); ServerSocketChannel listener = ServerSocketChannel.open()) {
            listener.bind(Loops.ANY_PORT);
            int port = ((InetSocketAddress) listener.getLocalAddress()).getPort();
            byte[] data = Loops.streamBytes(5, SIZE);
            CompletableFuture<Long> clientSide = CompletableFuture.supplyAsync(() -> {
                try (SSLSocket s = (SSLSocket) TLS.clientContext().getSocketFactory()
                        .createSocket(InetAddress.getLoopbackAddress(), port)) {
                    s.setSoTimeout(60_000);
                    s.setEnabledProtocols(new String[] {protocol});
                    s.startHandshake();
                    OutputStream out = s.getOutputStream();
                    InputStream in = s.getInputStream();
                    // Writes in one thread and reads in another would be the usual shape; half and half keeps
                    // each half below what the two sides' buffers hold, so this thread never deadlocks itself.
                    out.write(data, 0, SIZE / 2);
                    out.flush();
                    CRC32 crc = new CRC32();
                    crc.update(data, 0, SIZE / 2);
                    long first = readCrc(in, SIZE / 2);
                    if (first != crc.getValue()) {
                        throw new IOException("first half corrupted");
                    }
                    if (keyUpdate) {
                        s.startHandshake();     // TLS 1.3: KeyUpdate(update_requested)
                    }
                    out.write(data, SIZE / 2, SIZE / 2);
                    out.flush();
                    return readCrc(in, SIZE / 2);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            SocketChannel accepted = acceptOnLoop(loops, listener);
            BufferEvent server = BufferEvent.tlsServer(loops.base, accepted, TLS.serverContext(), TlsOptions.defaults());
            StringBuilder status = new StringBuilder();
            long[] echoed = {0};
            server.setCallbacks(b -> {
                echoed[0] += b.input().length();
                b.write(b.input());
            }, null, (b, w, c) -> status.append(BufferEvent.describe(w)).append(c == null ? " " : " " + c + " "));
            server.enable(Event.READ);
            loops.runUntil(() -> status.toString().contains("EOF") || status.toString().contains("ERROR"),
                    Duration.ofSeconds(60));
            CRC32 second = new CRC32();
            second.update(data, SIZE / 2, SIZE / 2);
            assertThat(await(clientSide)).isEqualTo(second.getValue());
            assertThat(echoed[0]).isEqualTo(SIZE);
            assertThat(status.toString()).isEqualTo("HANDSHAKE_DONE READING|EOF ");
            server.close();
        }
    }

    @Test
    @DisplayName("a TLS 1.2 renegotiation asked for by the peer (SSLSocket.startHandshake again) is refused: "
            + "READING|ERROR naming it")
    void renegotiationRefused() throws Exception {
        try (Loops loops = new Loops(); ServerSocketChannel listener = ServerSocketChannel.open()) {
            listener.bind(Loops.ANY_PORT);
            int port = ((InetSocketAddress) listener.getLocalAddress()).getPort();
            CompletableFuture<String> clientSide = CompletableFuture.supplyAsync(() -> {
                try (SSLSocket s = (SSLSocket) TLS.clientContext().getSocketFactory()
                        .createSocket(InetAddress.getLoopbackAddress(), port)) {
                    s.setSoTimeout(60_000);
                    s.setEnabledProtocols(new String[] {"TLSv1.2"});
                    s.startHandshake();
                    s.getOutputStream().write('x');
                    s.getOutputStream().flush();
                    s.startHandshake();         // TLS 1.2: a new ClientHello
                    int r = s.getInputStream().read();
                    return "read " + r;
                } catch (IOException e) {
                    return "failed";
                }
            });
            SocketChannel accepted = acceptOnLoop(loops, listener);
            BufferEvent server = BufferEvent.tlsServer(loops.base, accepted, TLS.serverContext(), TlsOptions.defaults());
            StringBuilder status = new StringBuilder();
            Throwable[] cause = {null};
            server.setCallbacks(b -> b.input().clear(), null, (b, w, c) -> {
                status.append(BufferEvent.describe(w)).append(' ');
                if (c != null) {
                    cause[0] = c;
                    b.close();
                }
            });
            server.enable(Event.READ);
            loops.runUntil(() -> cause[0] != null, Duration.ofSeconds(60));
            assertThat(status.toString()).isEqualTo("HANDSHAKE_DONE READING|ERROR ");
            assertThat(cause[0]).isInstanceOf(SSLException.class).hasMessageContaining("renegotiation refused");
            assertThat(await(clientSide)).isIn("failed", "read -1");
        }
    }

    /** Accepts one connection, from the loop (the listener is non-blocking there). */
    private static SocketChannel acceptOnLoop(Loops loops, ServerSocketChannel listener) throws IOException {
        listener.configureBlocking(false);
        SocketChannel[] accepted = {null};
        Event ev = loops.base.newEvent(listener, Event.READ, (e, w) -> {
            try {
                accepted[0] = listener.accept();
            } catch (IOException ex) {
                throw new java.io.UncheckedIOException(ex);
            }
        });
        ev.add();
        loops.runUntil(() -> accepted[0] != null, Duration.ofSeconds(30));
        ev.free();
        accepted[0].configureBlocking(false);
        return accepted[0];
    }
}
