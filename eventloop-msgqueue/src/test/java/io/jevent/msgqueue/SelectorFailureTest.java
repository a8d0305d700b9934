package io.jevent.msgqueue;

import io.jevent.core.Event;
import io.jevent.core.EventBase;
import io.jevent.core.EventConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import io.jevent.testing.CapturedLog;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.Pipe;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.AbstractSelector;
import java.nio.channels.spi.SelectorProvider;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;

import static io.jevent.msgqueue.TestSupport.PATIENCE;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A loop whose selector fails does not spin on it: it backs off, then rebuilds the selector with
 * every channel on it, as Netty's NioEventLoop does.
 */
class SelectorFailureTest {

    @Test
    @Timeout(60)
    void aFailingSelectorIsRebuiltAfterBackingOffAndItsChannelsKeepWorking() throws Exception {
        try (CapturedLog log = CapturedLog.of(EventLoopThread.class)) {
            aFailingSelectorIsRebuiltAfterBackingOffAndItsChannelsKeepWorking(log);
        }
    }

    private void aFailingSelectorIsRebuiltAfterBackingOffAndItsChannelsKeepWorking(CapturedLog log) throws Exception {
        RecordingProvider provider = new RecordingProvider();
        EventBase base = new EventBase(EventConfig.builder().selectorProvider(provider).build());
        List<Long> pauses = Collections.synchronizedList(new ArrayList<>());
        EventLoopThread loop = new EventLoopThread("failing-selector", base, pauses::add);
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            try (SocketChannel client = SocketChannel.open(server.getLocalAddress());
                 SocketChannel accepted = server.accept()) {
                CountDownLatch readable = new CountDownLatch(1);
                loop.start(b -> b.newEvent(accepted, Event.READ, (ev, what) -> readable.countDown()).add())
                        .get(PATIENCE.toSeconds(), TimeUnit.SECONDS);

                provider.opened.get(0).close();     // the selector breaks under the running loop

                assertThat(loop.submit(() -> "alive").get(PATIENCE.toSeconds(), TimeUnit.SECONDS))
                        .as("tasks run again: the loop recovered").isEqualTo("alive");
                client.write(ByteBuffer.wrap(new byte[] {1}));
                assertThat(readable.await(PATIENCE.toSeconds(), TimeUnit.SECONDS))
                        .as("a channel registered before the failure is watched by the new selector").isTrue();
                assertThat(provider.opened).as("one rebuild").hasSize(2);
                assertThat(pauses).as("a growing pause after each failure before the rebuild")
                        .containsExactly(EventLoopThread.FIRST_BACKOFF_NANOS, 2 * EventLoopThread.FIRST_BACKOFF_NANOS);
                assertThat(log.messages(Level.WARNING)).as("each failed loop, then the rebuild, is logged")
                        .anySatisfy(m -> assertThat(m).isEqualTo("loop of failing-selector threw; retrying after a pause"))
                        .anySatisfy(m -> assertThat(m).contains("rebuilt its selector"));
            }
        } finally {
            TestSupport.shutdown(loop);
        }
    }

    @Test
    @Timeout(90)
    void aLoopWhoseSelectorCannotBeRebuiltStillTerminatesWhenShutDown() throws Exception {
        try (CapturedLog log = CapturedLog.of(EventLoopThread.class)) {
            aLoopWhoseSelectorCannotBeRebuiltStillTerminatesWhenShutDown(log);
        }
    }

    private void aLoopWhoseSelectorCannotBeRebuiltStillTerminatesWhenShutDown(CapturedLog log) throws Exception {
        RecordingProvider provider = new RecordingProvider();
        EventBase base = new EventBase(EventConfig.builder().selectorProvider(provider).build());
        EventLoopThread loop = new EventLoopThread("unrebuildable-selector", base, nanos -> { });
        loop.start();
        provider.refuseNewSelectors = true;             // out of file descriptors, say
        provider.opened.get(0).close();
        assertThat(loop.shutdown(Duration.ZERO, PATIENCE)).as("stops although its loop cannot run").succeedsWithin(PATIENCE);
        assertThat(loop.awaitTermination(PATIENCE)).as("terminated although its loop cannot run").isTrue();
        assertThat(base.isClosed()).isTrue();
        assertThat(log.messages(Level.WARNING)).as("the failures are logged, once the rebuild is refused too")
                .anySatisfy(m -> assertThat(m).isEqualTo("loop of unrebuildable-selector cannot rebuild its selector"));
    }

    /** The JDK's provider, keeping every selector it opens so the test can break one. */
    private static final class RecordingProvider extends SelectorProvider {
        private final SelectorProvider jdk = SelectorProvider.provider();
        final List<AbstractSelector> opened = Collections.synchronizedList(new ArrayList<>());
        volatile boolean refuseNewSelectors;

        @Override
        public AbstractSelector openSelector() throws IOException {
            if (refuseNewSelectors) {
                throw new IOException("Too many open files (simulated)");
            }
            AbstractSelector s = jdk.openSelector();
            opened.add(s);
            return s;
        }

        @Override
        public DatagramChannel openDatagramChannel() throws IOException {
            return jdk.openDatagramChannel();
        }

        @Override
        public DatagramChannel openDatagramChannel(ProtocolFamily family) throws IOException {
            return jdk.openDatagramChannel(family);
        }

        @Override
        public Pipe openPipe() throws IOException {
            return jdk.openPipe();
        }

        @Override
        public ServerSocketChannel openServerSocketChannel() throws IOException {
            return jdk.openServerSocketChannel();
        }

        @Override
        public SocketChannel openSocketChannel() throws IOException {
            return jdk.openSocketChannel();
        }
    }
}
