package io.jevent.msgqueue;

import io.jevent.core.Event;
import io.jevent.core.listener.ConnectionListener;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import io.jevent.testing.CapturedLog;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;

import static io.jevent.msgqueue.TestSupport.PATIENCE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EventLoopGroupTest {

    private EventLoopGroup group;

    @AfterEach
    void stop() throws InterruptedException {
        if (group != null) {
            assertThat(group.shutdownGracefully(Duration.ZERO, PATIENCE)).as("every loop stops cleanly").succeedsWithin(PATIENCE);
            assertThat(group.awaitTermination(PATIENCE)).isTrue();
        }
    }

    @Test
    void nextHandsOutTheLoopsRoundRobin() {
        group = new EventLoopGroup(3, "rr");
        List<EventLoopThread> seen = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            seen.add(group.next());
        }
        assertThat(seen.subList(0, 3)).containsExactlyInAnyOrderElementsOf(group.loops());
        assertThat(seen.subList(3, 6)).containsExactlyElementsOf(seen.subList(0, 3));
        assertThat(group.loops()).extracting(EventLoopThread::name).containsExactly("rr-0", "rr-1", "rr-2");
    }

    /** The memcached dispatcher: one thread accepts, each connection then lives on a worker loop. */
    @Test
    void acceptedConnectionsAreServedOnTheLoopTheyWereHandedTo() throws Exception {
        group = new EventLoopGroup(2, "worker");
        int clients = 4;
        Map<Integer, String> servedBy = new ConcurrentHashMap<>();
        Map<Integer, String> handedTo = new ConcurrentHashMap<>();
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            List<SocketChannel> conns = new ArrayList<>();
            try {
                for (int i = 0; i < clients; i++) {
                    SocketChannel client = SocketChannel.open(server.getLocalAddress());
                    conns.add(client);
                    SocketChannel accepted = server.accept(); // the "listener" thread: this test
                    EventLoopThread loop = group.dispatchAccepted(accepted, (base, ch) -> {
                        assertThat(ch.isBlocking()).isFalse();
                        // Echo each byte back, remembering which thread served it.
                        base.newEvent(ch, Event.READ | Event.PERSIST, (ev, what) -> {
                            ByteBuffer buf = ByteBuffer.allocate(16);
                            try {
                                if (ch.read(buf) < 0) {
                                    ev.free();
                                    ch.close();
                                    return;
                                }
                                buf.flip();
                                servedBy.put((int) buf.get(0), Thread.currentThread().getName());
                                ch.write(buf);
                            } catch (IOException e) {
                                throw new UncheckedIOException(e);
                            }
                        }).add();
                    });
                    handedTo.put(i, loop.name());
                }
                for (int i = 0; i < clients; i++) {
                    SocketChannel c = conns.get(i);
                    c.write(ByteBuffer.wrap(new byte[] {(byte) i}));
                    ByteBuffer reply = ByteBuffer.allocate(1);
                    while (reply.hasRemaining()) {
                        if (c.read(reply) < 0) {
                            throw new AssertionError("connection " + i + " closed");
                        }
                    }
                    assertThat(reply.get(0)).isEqualTo((byte) i);
                }
            } finally {
                for (SocketChannel c : conns) {
                    c.close();
                }
            }
        }
        assertThat(servedBy).isEqualTo(handedTo);
        Set<String> used = new HashSet<>(servedBy.values());
        assertThat(used).as("both loops got connections").containsExactlyInAnyOrder("worker-0", "worker-1");
    }

    @Test
    void aConnectionListenerOnAnAcceptorLoopFeedsTheGroup() throws Exception {
        group = new EventLoopGroup(2, "served");
        EventLoopThread acceptor = TestSupport.startedLoop("acceptor");
        try {
            Map<Integer, String> servedBy = new ConcurrentHashMap<>();
            CountDownLatch served = new CountDownLatch(4);
            ConnectionListener listener = TestSupport.onLoop(acceptor, () -> ConnectionListener.bind(acceptor.base(),
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                    group.dispatcher((base, ch) -> base.newEvent(ch, Event.READ | Event.PERSIST, (ev, what) -> {
                        ByteBuffer buf = ByteBuffer.allocate(1);
                        try {
                            if (ch.read(buf) <= 0) {
                                ev.free();
                                ch.close();
                                return;
                            }
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                        servedBy.put((int) buf.get(0), Thread.currentThread().getName());
                        served.countDown();
                    }).add())));
            InetSocketAddress address = TestSupport.onLoop(acceptor, listener::localAddress);
            List<SocketChannel> clients = new ArrayList<>();
            try {
                for (int i = 0; i < 4; i++) {
                    SocketChannel c = SocketChannel.open(address);
                    clients.add(c);
                    c.write(ByteBuffer.wrap(new byte[] {(byte) i}));
                }
                assertThat(served.await(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isTrue();
            } finally {
                for (SocketChannel c : clients) {
                    c.close();
                }
            }
            assertThat(new HashSet<>(servedBy.values())).containsExactlyInAnyOrder("served-0", "served-1");
            TestSupport.onLoop(acceptor, listener::close);
        } finally {
            TestSupport.shutdown(acceptor);
        }
    }

    @Test
    void aRejectedOrFailedHandOffClosesTheChannel() throws Exception {
        try (CapturedLog log = CapturedLog.of(EventLoopGroup.class)) {
            aRejectedOrFailedHandOffClosesTheChannel(log);
        }
    }

    private void aRejectedOrFailedHandOffClosesTheChannel(CapturedLog log) throws Exception {
        group = new EventLoopGroup(1, "closing");
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            try (SocketChannel c1 = SocketChannel.open(server.getLocalAddress());
                 SocketChannel c2 = SocketChannel.open(server.getLocalAddress())) {
                assertThat(c1.isConnected() && c2.isConnected()).isTrue();
                SocketChannel failing = server.accept();
                CountDownLatch tried = new CountDownLatch(1);
                group.dispatchAccepted(failing, (base, ch) -> {
                    tried.countDown();
                    throw new IllegalStateException("cannot build the session");
                });
                assertThat(tried.await(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isTrue();
                TestSupport.spinUntil(() -> !failing.isOpen(), "the failed connection to be closed");

                group.shutdownGracefully(Duration.ZERO, PATIENCE).get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
                // Logged on the loop thread (after the close), which has ended by now.
                assertThat(log.records(Level.WARNING)).singleElement().satisfies(r -> {
                    assertThat(r.getMessage()).startsWith("init of a handed-off connection failed");
                    assertThat(r.getThrown()).hasMessage("cannot build the session");
                });
                SocketChannel late = server.accept();
                assertThatThrownBy(() -> group.dispatchAccepted(late, (base, ch) -> { }))
                        .isInstanceOf(RejectedExecutionException.class);
                assertThat(late.isOpen()).as("a refused connection is closed, not leaked").isFalse();
            }
        }
    }
}
