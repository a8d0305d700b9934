package io.jevent.core.bufferevent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.jevent.core.Event;
import io.jevent.testing.TestTls;

/**
 * TLS connections of one loop borrow its thread's buffers for each pump and keep their own only while
 * something is left over: what is left must survive other connections using the shared buffers.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class TlsSharedBuffersTest {
    private static final TestTls TLS = TestTls.get();
    private static final int SMALL_SOCKET_BUFFER = 32 * 1024;
    private static final int READ_HIGH_WATERMARK = 16 * 1024;

    @Test
    @DisplayName("a stalled connection keeps its leftover ciphertext (kernel full) and plaintext (reader at its high "
            + "watermark) while another connection on the loop echoes 256 KiB; both streams arrive whole (CRC32)")
    void leftoversSurviveAnotherConnectionOnTheLoop() throws IOException {
        try (Loops loops = new Loops()) {
            // Stalled pair: the server sends 1 MiB to a client that stops at its read high watermark; small socket
            // buffers make the kernel refuse ciphertext early, so the sender holds some of its own.
            SocketChannel[] ch = Loops.socketPair();
            for (SocketChannel c : ch) {
                c.setOption(StandardSocketOptions.SO_SNDBUF, SMALL_SOCKET_BUFFER);
                c.setOption(StandardSocketOptions.SO_RCVBUF, SMALL_SOCKET_BUFFER);
            }
            BufferEvent sender = BufferEvent.tlsServer(loops.base, ch[1], TLS.serverContext(), TlsOptions.defaults());
            BufferEvent slowReader = BufferEvent.tlsClient(loops.base, ch[0], TLS.clientContext(), "localhost", 443,
                    TlsOptions.defaults());
            List<String> senderStatus = new CopyOnWriteArrayList<>();
            List<String> readerStatus = new CopyOnWriteArrayList<>();
            sender.setCallbacks(null, null, recorder(senderStatus));
            slowReader.setReadWatermarks(0, READ_HIGH_WATERMARK);
            slowReader.setCallbacks(null, null, recorder(readerStatus));   // reads nothing for now
            slowReader.enable(Event.READ);
            long total = 1024L * 1024;
            int chunk = 64 * 1024;
            CRC32 sentCrc = new CRC32();
            for (long off = 0; off < total; off += chunk) {
                byte[] data = Loops.streamBytes(off / chunk, chunk);
                sentCrc.update(data);
                sender.write(data);
            }
            loops.runUntil(() -> slowReader.input().length() >= READ_HIGH_WATERMARK, Duration.ofSeconds(20));
            loops.runFor(Duration.ofMillis(200));     // the kernel's buffers fill up
            assertThat(sender.output().length()).as("plaintext the sender could not send yet").isPositive();

            // Meanwhile a second pair echoes through the loop's shared buffers.
            TlsPeers echo = TlsPeers.connect(loops);
            echo.server.setCallbacks(b -> b.write(b.input()), null, echo.recorder(echo.serverStatus,
                    echo.serverCauses));
            echo.server.enable(Event.READ);
            Loops.Received echoed = new Loops.Received();
            echo.client.setCallbacks(echoed, null, echo.recorder(echo.clientStatus, echo.clientCauses));
            echo.client.enable(Event.READ);
            long echoTotal = 256L * 1024;
            CRC32 echoCrc = new CRC32();
            for (long off = 0; off < echoTotal; off += 16 * 1024) {
                byte[] data = Loops.streamBytes(1000 + off, 16 * 1024);
                echoCrc.update(data);
                echo.client.write(data);
            }
            loops.runUntil(() -> echoed.bytes == echoTotal, Duration.ofSeconds(30));
            assertThat(echoed.crc()).isEqualTo(echoCrc.getValue());
            assertThat(sender.output().length()).as("the stalled sender is still stalled").isPositive();

            // The slow reader drains: every byte of the stalled stream arrives, in order.
            Loops.Received got = new Loops.Received();
            slowReader.setCallbacks(got, null, recorder(readerStatus));
            got.onData(slowReader);
            loops.runUntil(() -> got.bytes == total, Duration.ofSeconds(30));
            assertThat(got.crc()).isEqualTo(sentCrc.getValue());
            assertThat(senderStatus).containsExactly("HANDSHAKE_DONE");
            assertThat(readerStatus).containsExactly("HANDSHAKE_DONE");
            assertThat(echo.serverStatus).containsExactly("HANDSHAKE_DONE");
            assertThat(echo.clientStatus).containsExactly("HANDSHAKE_DONE");
            echo.close();
            sender.close();
            slowReader.close();
        }
    }

    private static StatusCallback recorder(List<String> statuses) {
        return (b, what, cause) -> statuses.add(BufferEvent.describe(what) + (cause == null ? "" : " " + cause));
    }
}
