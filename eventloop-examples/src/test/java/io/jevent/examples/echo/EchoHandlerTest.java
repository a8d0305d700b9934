package io.jevent.examples.echo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link EchoHandler}'s half-close, seen from a plain blocking client. */
@Timeout(value = 30, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class EchoHandlerTest {

    @Test
    @DisplayName("a client that sends 128 KiB without reading, then shuts down its output, gets all of it "
            + "back, then EOF; the server then forgets the connection")
    void halfCloseGetsTheWholeEchoThenEof() throws Exception {
        byte[] data = new byte[128 * 1024];     // under OUTPUT_HIGH: the server keeps reading all of it
        new Random(7).nextBytes(data);
        try (EchoServer.Running server = EchoServer.startInThread(0);
             SocketChannel c = SocketChannel.open()) {
            // A small receive window keeps most of the echo in the server's output when the EOF
            // arrives, so the handler has to finish writing before it closes.
            c.setOption(StandardSocketOptions.SO_RCVBUF, 4096);
            c.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port()));
            ByteBuffer out = ByteBuffer.wrap(data);
            while (out.hasRemaining()) {
                c.write(out);
            }
            c.shutdownOutput();

            ByteBuffer back = ByteBuffer.allocate(data.length);
            while (back.hasRemaining() && c.read(back) >= 0) {
                // blocking read until the whole echo is back
            }
            assertThat(back.array()).isEqualTo(data);
            assertThat(c.read(ByteBuffer.allocate(1))).isEqualTo(-1);
            await().atMost(Duration.ofSeconds(10)).until(() -> server.openConnections() == 0);
            assertThat(server.acceptedConnections()).isEqualTo(1);
        }
    }
}
