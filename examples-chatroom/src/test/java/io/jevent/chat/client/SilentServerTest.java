package io.jevent.chat.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A plain-text client pointed at a port that accepts and closes without a HELLO (what a TLS
 * listener does once its handshake times out) is told to try --tls, once, not only "lost the
 * connection" forever.
 */
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SilentServerTest {
    @Test
    void aServerThatClosesWithoutGreetingBringsTheTlsHintOnce() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread acceptor = new Thread(() -> {
                while (!silent.isClosed()) {
                    try (Socket s = silent.accept()) {
                        s.getInputStream().available();   // accepted; closed without a word
                    } catch (java.io.IOException e) {
                        return;
                    }
                }
            }, "silent-server");
            acceptor.setDaemon(true);
            acceptor.start();
            ClientOptions options = PipedClient.options(silent.getLocalPort())
                    .withRetry(Duration.ofMillis(50), Duration.ofMillis(100));
            try (PipedClient client = PipedClient.plain(options)) {
                client.expect("If that port serves TLS, start the client with --tls.");
                // Later attempts still say they reconnect, without the hint again.
                int hintAt = client.screen.text().indexOf("--tls");
                client.expect("Still no greeting from 127.0.0.1:" + silent.getLocalPort());
                assertThat(client.screen.text().indexOf("--tls", hintAt + 1)).isEqualTo(-1);
            }
        }
    }
}
