package io.jevent.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.Pipe;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import io.jevent.core.bufferevent.BufferEvent;

/**
 * The loop's steady state allocates nothing per dispatched event: no selected-key set, no iterator,
 * no boxed time. Measured with the JVM's per-thread allocation counter, which counts bytes, not time.
 */
class HotPathAllocationTest {

    @Test
    @DisplayName("dispatching persistent I/O and common-timeout timer callbacks allocates no bytes per callback in steady state")
    void steadyStateDispatchDoesNotAllocate() throws IOException {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        Pipe pipe = Pipe.open();
        try (EventBase base = new EventBase()) {
            pipe.sink().configureBlocking(false);
            ByteBuffer one = ByteBuffer.allocateDirect(1);
            ByteBuffer in = ByteBuffer.allocateDirect(64);
            long[] callbacks = {0};
            // A ping-pong through the pipe keeps the READ event firing once per iteration.
            Event reader = base.newEvent(pipe.source(), Event.READ | Event.PERSIST, (e, w) -> {
                try {
                    in.clear();
                    pipe.source().read(in);
                    one.clear();
                    pipe.sink().write(one);
                } catch (IOException ex) {
                    throw new UncheckedIOException(ex);
                }
                callbacks[0]++;
            });
            Duration tick = base.initCommonTimeout(Duration.ofMillis(1)).duration();
            Event timer = base.newEvent(null, Event.PERSIST, (e, w) -> callbacks[0]++);
            reader.add();
            timer.add(tick);
            pipe.sink().write(one);

            long thread = Thread.currentThread().getId();
            for (int i = 0; i < 50_000; i++) {          // warm-up: let the JIT settle
                base.loop(EventBase.LOOP_ONCE);
            }
            long bytesBefore = mx.getThreadAllocatedBytes(thread);
            long callbacksBefore = callbacks[0];
            for (int i = 0; i < 50_000; i++) {
                base.loop(EventBase.LOOP_ONCE);
            }
            long bytes = mx.getThreadAllocatedBytes(thread) - bytesBefore;
            long ran = callbacks[0] - callbacksBefore;

            assertThat(ran).isGreaterThanOrEqualTo(50_000);
            assertThat((double) bytes / ran).as("bytes allocated per callback (%d bytes over %d callbacks)", bytes, ran)
                    .isLessThan(1.0);
        } finally {
            pipe.source().close();
            pipe.sink().close();
        }
    }

    @Test
    @DisplayName("a socket echo through two buffer events (read, write through, read the reply) allocates no bytes per round trip")
    void writeThroughEchoDoesNotAllocate() throws IOException {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        SocketChannel a;
        SocketChannel b;
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            a = SocketChannel.open(server.getLocalAddress());
            b = server.accept();
        }
        try (EventBase base = new EventBase()) {
            BufferEvent echo = BufferEvent.socket(base, a);
            BufferEvent client = BufferEvent.socket(base, b);
            byte[] message = new byte[64];
            long[] rounds = {0};
            echo.setCallbacks(bev -> bev.write(bev.input()), null, null);
            echo.setTimeouts(Duration.ofSeconds(30), Duration.ofSeconds(30));      // lazily re-armed: free
            client.setCallbacks(bev -> {
                if (bev.input().length() == message.length) {
                    bev.input().drain(message.length);
                    rounds[0]++;
                    bev.write(message);
                }
            }, null, null);
            echo.enable(Event.READ);
            client.enable(Event.READ);
            client.write(message);

            long thread = Thread.currentThread().getId();
            while (rounds[0] < 30_000) {                // warm-up: let the JIT settle
                base.loop(EventBase.LOOP_ONCE);
            }
            long bytesBefore = mx.getThreadAllocatedBytes(thread);
            long roundsBefore = rounds[0];
            while (rounds[0] < roundsBefore + 30_000) {
                base.loop(EventBase.LOOP_ONCE);
            }
            long bytes = mx.getThreadAllocatedBytes(thread) - bytesBefore;
            long ran = rounds[0] - roundsBefore;
            assertThat((double) bytes / ran).as("bytes allocated per round trip (%d bytes over %d)", bytes, ran)
                    .isLessThan(1.0);
            echo.close();
            client.close();
        }
    }
}
