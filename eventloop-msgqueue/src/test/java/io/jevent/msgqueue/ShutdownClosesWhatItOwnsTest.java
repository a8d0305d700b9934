package io.jevent.msgqueue;

import io.jevent.core.Event;
import io.jevent.core.bufferevent.BufferEvent;
import io.jevent.core.listener.ConnectionListener;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static io.jevent.msgqueue.TestSupport.PATIENCE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A loop that terminates closes the sockets still open on it — its buffer events' and listeners' —
 * and each buffer event's status callback hears it, as Netty closes a loop's channels at termination.
 */
class ShutdownClosesWhatItOwnsTest {

    private static final InetSocketAddress ANY_PORT = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    @Test
    @Timeout(60)
    void eventLoopThreadShutdownClosesItsBufferEventsAndListeners() throws Exception {
        EventLoopThread loop = new EventLoopThread("owner");
        CopyOnWriteArrayList<Integer> statuses = new CopyOnWriteArrayList<>();
        CountDownLatch served = new CountDownLatch(1);
        CompletableFuture<SocketAddress> listening = new CompletableFuture<>();
        CompletableFuture<Void> init = loop.start(base -> listening.complete(ConnectionListener.bind(base, ANY_PORT, (l, ch) -> {
            BufferEvent bev = BufferEvent.socket(base, ch);
            bev.setCallbacks(null, null, (b, what, cause) -> statuses.add(what));
            bev.enable(Event.READ);
            served.countDown();
        }).localAddress()));
        init.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);   // a failed bind is reported, not a timeout
        SocketAddress address = listening.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        try (SocketChannel client = SocketChannel.open(address)) {
            assertThat(served.await(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isTrue();

            TestSupport.shutdown(loop);

            assertThat(readOne(client)).as("the client sees the server side closed").isEqualTo(-1);
            assertThat(statuses).as("the status callback saw the close").containsExactly(BufferEvent.CLOSED);
            assertThatThrownBy(() -> SocketChannel.open(address).close())
                    .as("the listener is closed").isInstanceOf(ConnectException.class);
        }
    }

    @Test
    @Timeout(60)
    void eventLoopGroupShutdownClosesTheConnectionsOnItsLoops() throws Exception {
        EventLoopGroup group = new EventLoopGroup(2, "owning-group");
        EventLoopThread acceptor = new EventLoopThread("owning-acceptor");
        CountDownLatch served = new CountDownLatch(2);
        CompletableFuture<SocketAddress> listening = new CompletableFuture<>();
        CompletableFuture<Void> init = acceptor.start(base -> listening.complete(ConnectionListener.bind(base, ANY_PORT,
                group.dispatcher((worker, ch) -> {
                    BufferEvent.socket(worker, ch).enable(Event.READ);
                    served.countDown();
                })).localAddress()));
        init.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        SocketAddress address = listening.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        try (SocketChannel c1 = SocketChannel.open(address); SocketChannel c2 = SocketChannel.open(address)) {
            assertThat(served.await(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isTrue();

            group.shutdownGracefully(Duration.ZERO, PATIENCE).get(PATIENCE.toSeconds(), TimeUnit.SECONDS);

            assertThat(readOne(c1)).isEqualTo(-1);
            assertThat(readOne(c2)).isEqualTo(-1);
        } finally {
            TestSupport.shutdown(acceptor);
        }
    }

    private static int readOne(SocketChannel client) throws IOException {
        client.socket().setSoTimeout((int) PATIENCE.toMillis());
        try (InputStream in = client.socket().getInputStream()) {
            return in.read();
        }
    }
}
