package io.jevent.examples.echo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * 1,000 concurrent clients against the {@link EchoServer}, the server on its own loop thread, the clients
 * all BufferEvents on one client loop (the test thread): two threads for two cores.
 *
 * <p>Sizes: the issue asks for 100 messages of 1 B to 64 KiB per client; {@link EchoClients} draws
 * mostly small ones (mean ~4.2 KiB, ~420 MB each way in total), still with thousands of messages that
 * span many segments and partial socket writes.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class EchoLoopbackTest {
    private static final int CLIENTS = 1000;
    private static final int MESSAGES = 100;

    @Test
    @DisplayName("1,000 concurrent clients each echo 100 random messages (1 B-64 KiB): every byte comes back "
            + "in order, and the server's open connections return to zero")
    void thousandClientsEchoInOrder() throws Exception {
        try (EchoServer.Running server = EchoServer.startInThread(0)) {
            InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port());
            EchoClients.Outcome run = EchoClients.run(address, CLIENTS, MESSAGES, Duration.ofSeconds(80));
            System.out.printf("echo: %d clients x %d messages, %.1f MB each way in %d ms%n",
                    CLIENTS, MESSAGES, run.bytesEchoed() / 1e6, run.elapsedMs());

            assertThat(run.callbackFailures()).isEmpty();
            assertThat(run.problems()).isEmpty();
            assertThat(run.finished()).isEqualTo(CLIENTS);
            assertThat(run.sentPerClient()).allSatisfy(sent -> assertThat(sent).isEqualTo(MESSAGES));
            assertThat(server.acceptedConnections()).isEqualTo(CLIENTS);
            await().atMost(Duration.ofSeconds(10)).until(() -> server.openConnections() == 0);
        }
    }
}
