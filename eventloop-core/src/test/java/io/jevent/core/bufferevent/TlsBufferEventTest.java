package io.jevent.core.bufferevent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.jevent.core.Event;
import io.jevent.testing.TestTls;

/** TLS buffer events against each other: the life of a connection, its ends and its failures. */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class TlsBufferEventTest {
    private static final TestTls TLS = TlsPeers.TLS;

    @Test
    @DisplayName("HANDSHAKE_DONE: then the engine tells the protocol, cipher suite, peer certificates and ALPN")
    void handshakeDoneExposesSession() throws IOException {
        try (Loops loops = new Loops()) {
            var channels = Loops.socketPair();
            SSLEngine se = TLS.serverContext().createSSLEngine();
            se.setUseClientMode(false);
            SSLParameters sp = se.getSSLParameters();
            sp.setApplicationProtocols(new String[] {"jevent/1", "http/1.1"});
            se.setSSLParameters(sp);
            SSLEngine ce = TLS.clientContext().createSSLEngine("localhost", 443);
            ce.setUseClientMode(true);
            SSLParameters cp = ce.getSSLParameters();
            cp.setApplicationProtocols(new String[] {"jevent/1"});
            ce.setSSLParameters(cp);
            BufferEvent server = BufferEvent.tls(loops.base, channels[1], se, TlsOptions.defaults());
            BufferEvent client = BufferEvent.tls(loops.base, channels[0], ce, TlsOptions.defaults());
            String[] seen = new String[2];
            server.setCallbacks(null, null, (b, w, c) -> seen[0] = BufferEvent.describe(w) + " "
                    + b.sslEngine().getApplicationProtocol());
            client.setCallbacks(null, null, (b, w, c) -> seen[1] = BufferEvent.describe(w) + " "
                    + b.sslEngine().getApplicationProtocol() + " " + b.sslEngine().getSession().getProtocol());
            loops.runUntil(() -> seen[0] != null && seen[1] != null, Duration.ofSeconds(20));
            assertThat(seen).containsExactly("HANDSHAKE_DONE jevent/1", "HANDSHAKE_DONE jevent/1 TLSv1.3");
            assertThat(server.sslEngine().getSession().getLocalCertificates()).hasSize(2);
            assertThat(client.sslEngine().getSession().getPeerCertificates()).hasSize(2);
            assertThat(BufferEvent.describe(BufferEvent.HANDSHAKE_DONE | BufferEvent.ERROR))
                    .isEqualTo("ERROR|HANDSHAKE_DONE");
            server.close();
            client.close();
        }
    }

    @Test
    @DisplayName("64 MiB through a slow reader under read and write watermarks arrive whole (CRC32), the sender "
            + "pausing on isOutputFull and resuming from the write callback")
    void largeTransferWithBackpressure() throws IOException {
        try (Loops loops = new Loops()) {
            TlsPeers p = TlsPeers.connect(loops);
            long total = 64L * 1024 * 1024;
            int chunk = 64 * 1024;
            CRC32 sentCrc = new CRC32();
            long[] sent = {0};
            BufferEvent sender = p.server;
            BufferEvent receiver = p.client;
            sender.setWriteWatermarks(256 * 1024, 1024 * 1024);
            DataCallback produce = b -> {
                while (sent[0] < total && !b.isOutputFull()) {
                    byte[] data = Loops.streamBytes(sent[0] / chunk, chunk);
                    sentCrc.update(data);
                    b.write(data);
                    sent[0] += chunk;
                }
            };
            sender.setCallbacks(null, produce, p.recorder(p.serverStatus, p.serverCauses));
            Loops.Received got = new Loops.Received();
            int[] paused = {0};
            // A slow reader: the input fills to its high watermark and is drained from a timer, not the callback.
            receiver.setReadWatermarks(0, 128 * 1024);
            receiver.setCallbacks(b -> {
                if (b.input().length() >= 128 * 1024) {
                    paused[0]++;
                    loops.base.once(Duration.ofMillis(1), (ev, w) -> got.onData(b));
                }
            }, null, p.recorder(p.clientStatus, p.clientCauses));
            receiver.enable(Event.READ);
            loops.runUntil(p::bothHandshaken, Duration.ofSeconds(20));
            produce.onData(sender);
            loops.runUntil(() -> {
                if (got.bytes < total && receiver.input().length() > 0 && receiver.input().length() < 128 * 1024
                        && sent[0] == total && sender.output().length() == 0) {
                    got.onData(receiver);   // the tail, below the high watermark
                }
                return got.bytes == total;
            }, Duration.ofSeconds(100));
            assertThat(got.crc()).isEqualTo(sentCrc.getValue());
            assertThat(paused[0]).as("times the reader sat at its high watermark").isGreaterThan(10);
            assertThat(p.serverStatus).containsExactly("HANDSHAKE_DONE");
            assertThat(p.clientStatus).containsExactly("HANDSHAKE_DONE");
            p.close();
        }
    }

    @Test
    @DisplayName("a peer that ends the TCP stream without close_notify: READING|ERROR with an SSLException naming "
            + "truncation, after every byte that did arrive")
    void eofWithoutCloseNotifyIsTruncation() throws IOException {
        try (Loops loops = new Loops()) {
            TlsPeers p = TlsPeers.connect(loops);
            StringBuilder got = new StringBuilder();
            p.server.setCallbacks(b -> got.append(b.input().readUtf8(b.input().length())), null,
                    p.recorder(p.serverStatus, p.serverCauses));
            p.server.enable(Event.READ);
            p.client.write("last words", StandardCharsets.UTF_8);
            loops.runUntil(() -> got.length() == 10, Duration.ofSeconds(20));
            p.client.channel().shutdownOutput();        // a FIN with no close_notify before it
            loops.runUntil(() -> p.serverStatus.size() == 2, Duration.ofSeconds(20));
            assertThat(got.toString()).isEqualTo("last words");
            assertThat(p.serverStatus).containsExactly("HANDSHAKE_DONE", "READING|ERROR");
            assertThat(p.serverCauses).singleElement().isInstanceOf(SSLException.class)
                    .extracting(Throwable::getMessage).asString().contains("without a TLS close_notify", "truncat");
            p.close();
        }
    }

    @Test
    @DisplayName("closeAfterFlush sends close_notify after the data: the peer sees every byte, then READING|EOF")
    void closeAfterFlushSendsCloseNotify() throws IOException {
        try (Loops loops = new Loops()) {
            TlsPeers p = TlsPeers.connect(loops);
            Loops.Received got = new Loops.Received();
            p.server.setCallbacks(got, null, p.recorder(p.serverStatus, p.serverCauses));
            p.server.enable(Event.READ);
            byte[] data = Loops.streamBytes(7, 300_000);
            p.client.write(data);
            boolean[] closed = {false, false};
            p.client.closeAfterFlush(Duration.ofSeconds(30), (b, flushed) -> {
                closed[0] = true;
                closed[1] = flushed;
            });
            loops.runUntil(() -> p.serverStatus.contains("READING|EOF"), Duration.ofSeconds(30));
            assertThat(got.bytes).isEqualTo(data.length);
            assertThat(got.crc()).isEqualTo(Loops.crc(data));
            assertThat(p.serverStatus).containsExactly("HANDSHAKE_DONE", "READING|EOF");
            p.server.close();                           // our end: the lingering client sees its EOF
            loops.runUntil(() -> closed[0], Duration.ofSeconds(20));
            assertThat(closed[1]).as("everything written").isTrue();
        }
    }

    @Test
    @DisplayName("close() sends close_notify too: the peer sees READING|EOF, not a truncation")
    void closeSendsCloseNotify() throws IOException {
        try (Loops loops = new Loops()) {
            TlsPeers p = TlsPeers.connect(loops);
            p.server.enable(Event.READ);
            loops.runUntil(p::bothHandshaken, Duration.ofSeconds(20));
            p.client.close();
            loops.runUntil(() -> p.serverStatus.size() == 2, Duration.ofSeconds(20));
            assertThat(p.serverStatus).containsExactly("HANDSHAKE_DONE", "READING|EOF");
            p.server.close();
        }
    }

    @Test
    @DisplayName("a client that does not trust the server's CA fails the handshake naming the certificate path; the "
            + "server hears the client's alert")
    void untrustedServerFailsOnBothSides() throws IOException {
        try (Loops loops = new Loops()) {
            TlsPeers p = TlsPeers.connect(loops, TLS.serverContext(), TestTls.untrustingContext(), "localhost",
                    TlsOptions.defaults(), TlsOptions.defaults());
            p.client.write("never sent", StandardCharsets.UTF_8);
            loops.runUntil(() -> !p.clientStatus.isEmpty() && !p.serverStatus.isEmpty(), Duration.ofSeconds(20));
            assertThat(p.clientStatus).singleElement().asString().contains("ERROR");
            assertThat(p.clientCauses).singleElement().isInstanceOf(SSLHandshakeException.class)
                    .extracting(Throwable::getMessage).asString().contains("certification path");
            assertThat(p.serverStatus).singleElement().asString().contains("ERROR");
            assertThat(p.serverCauses).singleElement().isInstanceOf(SSLException.class)
                    .extracting(Throwable::getMessage).asString().contains("certificate_unknown");
            p.close();
        }
    }

    @Test
    @DisplayName("hostname verification is on by default: a certificate for localhost does not pass for another "
            + "name; with verification off it does")
    void hostnameMismatch() throws IOException {
        try (Loops loops = new Loops()) {
            TlsPeers bad = TlsPeers.connect(loops, TLS.serverContext(), TLS.clientContext(), "wrong.example",
                    TlsOptions.defaults(), TlsOptions.defaults());
            loops.runUntil(() -> !bad.clientStatus.isEmpty(), Duration.ofSeconds(20));
            assertThat(bad.clientStatus).singleElement().asString().contains("ERROR");
            assertThat(bad.clientCauses).singleElement().isInstanceOf(SSLHandshakeException.class)
                    .extracting(Throwable::getMessage).asString().contains("wrong.example");
            bad.close();

            TlsPeers ok = TlsPeers.connect(loops, TLS.serverContext(), TLS.clientContext(), "wrong.example",
                    TlsOptions.defaults(), TlsOptions.builder().hostnameVerification(false).build());
            loops.runUntil(ok::bothHandshaken, Duration.ofSeconds(20));
            ok.close();
        }
    }

    @Test
    @DisplayName("delegated tasks run on the given executor, never on the loop thread; the default is a pool of "
            + "jevent-tls-task threads")
    void delegatedTasksRunOffTheLoop() throws IOException {
        try (Loops loops = new Loops()) {
            Set<String> threads = ConcurrentHashMap.newKeySet();
            Executor mine = task -> new Thread(() -> {
                threads.add(Thread.currentThread().getName());
                task.run();
            }, "my-tls-task").start();
            TlsPeers p = TlsPeers.connect(loops, TLS.serverContext(), TLS.clientContext(), "localhost",
                    TlsOptions.builder().delegatedTaskExecutor(mine).build(), TlsOptions.defaults());
            loops.runUntil(p::bothHandshaken, Duration.ofSeconds(20));
            assertThat(threads).containsExactly("my-tls-task");
            assertThat(Thread.currentThread().getName()).isNotEqualTo("my-tls-task");
            p.close();
            // The default pool: its threads show in the JVM under their name once a handshake used them.
            assertThat(Thread.getAllStackTraces().keySet()).extracting(Thread::getName)
                    .anyMatch(n -> n.startsWith("jevent-tls-task-"));
        }
    }

    @Test
    @DisplayName("an executor that runs delegated tasks in place (on the loop, as Netty by default): the handshake "
            + "goes on at once")
    void delegatedTasksInPlace() throws IOException {
        try (Loops loops = new Loops()) {
            TlsOptions inPlace = TlsOptions.builder().delegatedTaskExecutor(Runnable::run).build();
            TlsPeers p = TlsPeers.connect(loops, TLS.serverContext(), TLS.clientContext(), "localhost", inPlace,
                    inPlace);
            loops.runUntil(p::bothHandshaken, Duration.ofSeconds(20));
            p.close();
        }
    }

    @Test
    @DisplayName("session resumption: a second client from the same context to the same peer resumes the session "
            + "(no certificate check the second time)")
    void sessionResumption() throws IOException {
        try (Loops loops = new Loops()) {
            var serverCtx = TLS.serverContext();
            CountingTrust trust = new CountingTrust(TLS);
            var clientCtx = trust.context();
            for (int i = 0; i < 2; i++) {
                TlsPeers p = TlsPeers.connect(loops, serverCtx, clientCtx, "localhost", TlsOptions.defaults(),
                        TlsOptions.defaults());
                StringBuilder got = new StringBuilder();
                p.server.setCallbacks(b -> b.write(b.input()), null, p.recorder(p.serverStatus, p.serverCauses));
                p.server.enable(Event.READ);
                p.client.setCallbacks(b -> got.append(b.input().readUtf8(b.input().length())), null,
                        p.recorder(p.clientStatus, p.clientCauses));
                p.client.enable(Event.READ);
                p.client.write("ping", StandardCharsets.UTF_8);
                // The echo comes after the server's session ticket, so the client has stored it by then.
                loops.runUntil(() -> got.length() == 4, Duration.ofSeconds(20));
                p.close();
            }
            assertThat(trust.serverChecks()).as("certificate checks over two handshakes").isEqualTo(1);
        }
    }

    @Test
    @DisplayName("a peer that never answers the handshake: READING|ERROR at the handshake timeout, an "
            + "SSLHandshakeException saying so")
    void handshakeTimeout() throws IOException {
        try (Loops loops = new Loops()) {
            var ch = Loops.socketPair();
            BufferEvent server = BufferEvent.tlsServer(loops.base, ch[1], TLS.serverContext(),
                    TlsOptions.builder().handshakeTimeout(Duration.ofMillis(200)).build());
            List<String> status = new java.util.ArrayList<>();
            Throwable[] cause = {null};
            server.setCallbacks(null, null, (b, w, c) -> {
                status.add(BufferEvent.describe(w));
                cause[0] = c;
            });
            loops.runUntil(() -> !status.isEmpty(), Duration.ofSeconds(20));
            assertThat(status).containsExactly("READING|ERROR");
            assertThat(cause[0]).isInstanceOf(SSLHandshakeException.class)
                    .hasMessageContaining("not finished within PT0.2S");
            server.close();
            ch[0].close();
        }
    }

    @Test
    @DisplayName("a peer that closes during the handshake: READING|ERROR, an SSLHandshakeException saying so")
    void peerClosesDuringHandshake() throws IOException {
        try (Loops loops = new Loops()) {
            var ch = Loops.socketPair();
            BufferEvent server = BufferEvent.tlsServer(loops.base, ch[1], TLS.serverContext(), TlsOptions.defaults());
            List<String> status = new java.util.ArrayList<>();
            Throwable[] cause = {null};
            server.setCallbacks(null, null, (b, w, c) -> {
                status.add(BufferEvent.describe(w));
                cause[0] = c;
            });
            ch[0].close();
            loops.runUntil(() -> !status.isEmpty(), Duration.ofSeconds(20));
            assertThat(status).containsExactly("READING|ERROR");
            assertThat(cause[0]).isInstanceOf(SSLHandshakeException.class)
                    .hasMessageContaining("closed the connection during the TLS handshake");
            server.close();
        }
    }

    @Test
    @DisplayName("the status names include HANDSHAKE_DONE")
    void describeNamesHandshakeDone() {
        assertThat(BufferEvent.describe(BufferEvent.HANDSHAKE_DONE)).isEqualTo("HANDSHAKE_DONE");
        assertThat(List.of(BufferEvent.HANDSHAKE_DONE)).containsExactly(0x200);
    }
}
