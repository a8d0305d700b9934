package io.jevent.examples.echo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.jevent.msgqueue.EventLoopGroup;
import io.jevent.msgqueue.EventLoopThread;

/**
 * {@link GroupEchoServer}: an acceptor loop thread and a group of two loops, the clients on the test
 * thread ({@link EchoClients}).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class GroupEchoServerTest {
    private static final int CLIENTS = 300;
    private static final int MESSAGES = 30;

    @Test
    @DisplayName("300 clients x 30 random messages over a group of 2 loops: every byte comes back in order, "
            + "the loops serve 150 connections each, and open connections return to zero")
    void echoesOverTheGroup() throws Exception {
        try (EventLoopGroup group = new EventLoopGroup(2, "echo-test");
             EventLoopThread acceptor = new EventLoopThread("echo-acceptor")) {
            acceptor.start();
            GroupEchoServer server = acceptor.submit(() -> GroupEchoServer.start(acceptor.base(), group, 0))
                    .get(10, TimeUnit.SECONDS);
            InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port());

            EchoClients.Outcome run = EchoClients.run(address, CLIENTS, MESSAGES, Duration.ofSeconds(45));

            assertThat(run.callbackFailures()).isEmpty();
            assertThat(run.problems()).isEmpty();
            assertThat(run.finished()).isEqualTo(CLIENTS);
            assertThat(run.sentPerClient()).allSatisfy(sent -> assertThat(sent).isEqualTo(MESSAGES));
            assertThat(server.acceptedConnections()).isEqualTo(CLIENTS);
            assertThat(server.acceptedPerLoop()).containsExactly(CLIENTS / 2, CLIENTS / 2);
            await().atMost(Duration.ofSeconds(10)).until(() -> server.openConnections() == 0);
            acceptor.submit(() -> {
                server.close();
                return null;
            }).get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    @DisplayName("close() stops listening and closes the open connections on every loop: each client reads EOF")
    void closeClosesConnectionsOnEveryLoop() throws Exception {
        try (EventLoopGroup group = new EventLoopGroup(2, "echo-test");
             EventLoopThread acceptor = new EventLoopThread("echo-acceptor")) {
            acceptor.start();
            GroupEchoServer server = acceptor.submit(() -> GroupEchoServer.start(acceptor.base(), group, 0))
                    .get(10, TimeUnit.SECONDS);
            InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port());
            List<SocketChannel> clients = new ArrayList<>();
            try {
                for (int i = 0; i < 4; i++) {
                    clients.add(SocketChannel.open(address));
                }
                await().atMost(Duration.ofSeconds(10)).until(() -> server.openConnections() == 4);
                assertThat(server.acceptedPerLoop()).containsExactly(2, 2);

                acceptor.submit(() -> {
                    server.close();
                    return null;
                }).get(10, TimeUnit.SECONDS);

                assertThat(server.openConnections()).isZero();
                for (SocketChannel c : clients) {
                    assertThat(c.read(ByteBuffer.allocate(1))).isEqualTo(-1);     // blocking: EOF
                }
            } finally {
                for (SocketChannel c : clients) {
                    c.close();
                }
            }
        }
    }
}
