package io.jevent.core.bufferevent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSession;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.jevent.core.Event;
import io.jevent.testing.TestTls;

/** Two TLS buffer events over loopback: handshake, echo, what the handshake reports. */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class TlsEchoTest {
    private static final TestTls TLS = TestTls.get();

    @Test
    @DisplayName("handshake and echo: a client connects with connect(), both see HANDSHAKE_DONE, the server echoes "
            + "plaintext written before the handshake ended")
    void handshakeAndEcho() throws IOException {
        try (Loops loops = new Loops(); ServerSocketChannel listener = ServerSocketChannel.open()) {
            listener.bind(Loops.ANY_PORT);
            int port = ((InetSocketAddress) listener.getLocalAddress()).getPort();
            SSLContext serverCtx = TLS.serverContext();
            List<String> serverStatus = new ArrayList<>();
            List<String> clientStatus = new ArrayList<>();
            BufferEvent[] server = {null};
            Event accept = loops.base.newEvent(listener, Event.READ, (ev, what) -> {
                try {
                    SocketChannel ch = listener.accept();
                    ch.configureBlocking(false);
                    server[0] = BufferEvent.tlsServer(loops.base, ch, serverCtx, TlsOptions.defaults());
                    server[0].setCallbacks(b -> b.write(b.input()), null,
                            (b, w, cause) -> serverStatus.add(BufferEvent.describe(w) + (cause == null ? "" : " " + cause)));
                    server[0].enable(Event.READ);
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
            });
            accept.add();

            BufferEvent client = BufferEvent.tlsClient(loops.base, null, TLS.clientContext(), "localhost", port,
                    TlsOptions.defaults());
            StringBuilder echoed = new StringBuilder();
            client.setCallbacks(b -> echoed.append(b.input().readUtf8(b.input().length())), null,
                    (b, w, cause) -> clientStatus.add(BufferEvent.describe(w) + (cause == null ? "" : " " + cause)));
            client.enable(Event.READ);
            client.write("hello over TLS", StandardCharsets.UTF_8);
            client.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));

            loops.runUntil(() -> echoed.length() == "hello over TLS".length(), Duration.ofSeconds(20));
            assertThat(echoed.toString()).isEqualTo("hello over TLS");
            assertThat(clientStatus).containsExactly("CONNECTED", "HANDSHAKE_DONE");
            assertThat(serverStatus).containsExactly("HANDSHAKE_DONE");

            SSLSession session = client.sslEngine().getSession();
            assertThat(session.getProtocol()).isEqualTo("TLSv1.3");
            assertThat(session.getCipherSuite()).startsWith("TLS_");
            assertThat(((X509Certificate) session.getPeerCertificates()[0]).getSubjectX500Principal().getName())
                    .isEqualTo("CN=localhost");
            assertThat(server[0].sslEngine().getSession().getCipherSuite()).isEqualTo(session.getCipherSuite());
            client.close();
            server[0].close();
            accept.free();
        }
    }
}
