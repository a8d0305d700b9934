package io.jevent.chat.server;

import static io.jevent.chat.server.ServerFixture.PW;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;

import jdk.net.ExtendedSocketOptions;
import io.jevent.chat.Transport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A logged-in connection whose network died silently must not stay online. The
 * server probes quiet logged-in connections with a {@code PING} line and drops those that stay
 * silent. The intervals are test-short; every wait is on an effect (a line, end of stream), and no
 * assertion depends on how long anything took.
 */
@ParameterizedClass
@EnumSource(Transport.class)
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class KeepaliveTest {
    @Parameter
    Transport transport;

    @TempDir
    Path dir;
    ServerFixture fx;

    @AfterEach
    void stop() {
        if (fx != null) {
            fx.close();
        }
    }

    @Test
    void aLoggedInSessionThatNeverAnswersProbesIsDroppedAfterTheTimeout() throws Exception {
        fx = ServerFixture.start(transport, dir, c -> c.withKeepalive(new Keepalive(Duration.ofMillis(100), Duration.ofMillis(200))));
        ChatClient ghost = fx.user("ghost");   // from here on it reads but never sends, like a dead peer

        assertThat(ghost.readToEnd()).containsExactly("PING", "BYE ping timeout");

        // It is offline for everyone: not listed, messages to it are stored, its name logs in afresh.
        ChatClient watcher = fx.user("watcher");
        assertThat(watcher.callBlock("WHO")).containsExactly("USER watcher", "OK 1");
        assertThat(watcher.call("MSG ghost are you there")).matches("OK stored \\d+");
        ChatClient back = fx.client();
        back.send("LOGIN ghost " + PW);
        assertThat(back.readLine()).as("the resume token comes first").startsWith("TOKEN ");
        assertThat(back.readLine()).isEqualTo("OK welcome ghost");
        assertThat(back.readLine()).matches("FROM watcher \\d+ \\d+ are you there");
    }

    @Test
    void aSessionThatAnswersProbesStaysOnline() throws Exception {
        // Probes come quickly, but the timeout is long: a slow test thread is not taken for a dead peer.
        fx = ServerFixture.start(transport, dir, c -> c.withKeepalive(new Keepalive(Duration.ofMillis(50), Duration.ofSeconds(30))));
        ChatClient alive = fx.user("alive");
        for (int probe = 0; probe < 3; probe++) {
            assertThat(alive.readLine()).as("probe " + probe).isEqualTo("PING");
            alive.send("PING");
            assertThat(alive.readLine()).isEqualTo("OK pong");
        }
        // Each probe after the first came only because the one before was answered.
        assertThat(alive.callBlock("WHO")).containsExactly("USER alive", "OK 1");
    }

    @Test
    void loggedOutConnectionsAreNotProbed() throws Exception {
        fx = ServerFixture.start(transport, dir, c -> c.withKeepalive(new Keepalive(Duration.ofMillis(50), Duration.ofMillis(50)))
                .withIdleTimeout(Duration.ofMillis(500)));
        ChatClient c = fx.client();
        // The idle timeout applies to it instead, with its own BYE.
        assertThat(c.readToEnd()).containsExactly("BYE idle timeout");
    }

    @Test
    void acceptedSocketsHaveTcpKeepalive() throws Exception {
        try (ServerSocketChannel listener = ServerSocketChannel.open()
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
             SocketChannel client = SocketChannel.open(listener.getLocalAddress());
             SocketChannel accepted = listener.accept()) {
            assertThat(client.isConnected()).isTrue();
            SocketSetup.configure(accepted);
            assertThat(accepted.getOption(StandardSocketOptions.SO_KEEPALIVE)).isTrue();
            assertThat(accepted.getOption(StandardSocketOptions.TCP_NODELAY)).isTrue();
            if (accepted.supportedOptions().contains(ExtendedSocketOptions.TCP_KEEPIDLE)) {
                assertThat(accepted.getOption(ExtendedSocketOptions.TCP_KEEPIDLE)).isEqualTo(SocketSetup.IDLE_SECONDS);
                assertThat(accepted.getOption(ExtendedSocketOptions.TCP_KEEPINTERVAL)).isEqualTo(SocketSetup.INTERVAL_SECONDS);
                assertThat(accepted.getOption(ExtendedSocketOptions.TCP_KEEPCOUNT)).isEqualTo(SocketSetup.COUNT);
            }
        }
    }
}
