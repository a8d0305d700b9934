package io.jevent.core.bufferevent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import java.util.zip.CRC32;

import io.jevent.core.Event;
import io.jevent.core.EventBase;
import io.jevent.core.EventConfig;

/**
 * Test plumbing for buffer events: a base whose callback failures are collected (an assertion that
 * fails inside a callback is caught by the loop, so a test must look at them), loopback socket
 * pairs, and a bounded "run until" that waits on the loop itself rather than sleeping.
 */
final class Loops implements AutoCloseable {
    static final InetSocketAddress ANY_PORT = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    final List<Throwable> failures = new CopyOnWriteArrayList<>();
    final EventBase base = new EventBase(EventConfig.builder()
            .exceptionHandler((ev, error) -> failures.add(error))
            .build());

    /** Runs the loop until {@code done} holds; fails the test if {@code max} passes first. */
    void runUntil(BooleanSupplier done, Duration max) {
        boolean[] expired = {false};
        Event guard = base.newTimer((ev, what) -> expired[0] = true);
        guard.add(max);
        try {
            while (!done.getAsBoolean() && !expired[0]) {
                base.loop(EventBase.LOOP_ONCE);
            }
        } finally {
            guard.free();
        }
        assertNoCallbackFailures();
        assertThat(done.getAsBoolean()).as("condition reached within " + max).isTrue();
    }

    /** Runs the loop for {@code d} of its own time (a timer, not a sleep), whatever happens. */
    void runFor(Duration d) {
        boolean[] over = {false};
        Event t = base.newTimer((ev, what) -> over[0] = true);
        t.add(d);
        while (!over[0]) {
            base.loop(EventBase.LOOP_ONCE);
        }
        t.free();
        assertNoCallbackFailures();
    }

    void assertNoCallbackFailures() {
        if (!failures.isEmpty()) {
            AssertionError e = new AssertionError("a callback failed: " + failures.get(0), failures.get(0));
            failures.stream().skip(1).forEach(e::addSuppressed);
            throw e;
        }
    }

    /** Closes the base; the test closes its buffer events first. */
    @Override
    public void close() {
        base.close();
    }

    /** Two connected loopback sockets, non-blocking. */
    static SocketChannel[] socketPair() throws IOException {
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(ANY_PORT);
            SocketChannel a = SocketChannel.open(server.getLocalAddress());
            SocketChannel b = server.accept();
            a.configureBlocking(false);
            b.configureBlocking(false);
            return new SocketChannel[] {a, b};
        }
    }

    /** Two buffer events joined by a loopback socket, or by an in-process pair. */
    BufferEvent[] connectedPair(boolean useSockets) throws IOException {
        if (!useSockets) {
            BufferEvent.Pair p = BufferEvent.pair(base);
            return new BufferEvent[] {p.first(), p.second()};
        }
        SocketChannel[] ch = socketPair();
        return new BufferEvent[] {BufferEvent.socket(base, ch[0]), BufferEvent.socket(base, ch[1])};
    }

    /** A status callback that fails the test: for buffer events that must see no status change. */
    static StatusCallback noStatus() {
        return (bev, what, cause) -> {
            throw new AssertionError("unexpected status " + BufferEvent.describe(what) + " on " + bev, cause);
        };
    }

    /** Pseudo-random bytes that a sender and a receiver can both regenerate: byte i of stream s. */
    static byte streamByte(long seed, long i) {
        long x = (i + seed * 0x9E3779B97F4A7C15L) * 0xBF58476D1CE4E5B9L;
        x ^= x >>> 31;
        return (byte) (x ^ (x >>> 17));
    }

    /** The first {@code n} bytes of stream {@code seed}: see {@link #streamByte}. */
    static byte[] streamBytes(long seed, int n) {
        byte[] data = new byte[n];
        for (int i = 0; i < n; i++) {
            data[i] = streamByte(seed, i);
        }
        return data;
    }

    /** The CRC32 of {@code data}. */
    static long crc(byte[] data) {
        CRC32 crc = new CRC32();
        crc.update(data);
        return crc.getValue();
    }

    /** A read callback that takes everything the input holds and keeps its count and CRC32. */
    static final class Received implements DataCallback {
        private final CRC32 crc = new CRC32();
        long bytes;

        @Override
        public void onData(BufferEvent bev) {
            byte[] chunk = new byte[(int) bev.input().length()];
            bev.read(chunk);
            crc.update(chunk);
            bytes += chunk.length;
        }

        long crc() {
            return crc.getValue();
        }
    }
}
