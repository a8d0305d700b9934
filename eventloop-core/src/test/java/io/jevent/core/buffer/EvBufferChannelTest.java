package io.jevent.core.buffer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.GatheringByteChannel;
import java.nio.channels.Pipe;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** readFrom and writeTo against real channels: bytes intact, partial writes resumed. */
@Timeout(30)
class EvBufferChannelTest {
    private final ExecutorService peer = Executors.newSingleThreadExecutor();
    private final EvBuffer buf = new EvBuffer();

    @AfterEach
    void shutdown() throws InterruptedException {
        buf.close();
        peer.shutdownNow();
        assertThat(peer.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    private static byte[] randomBytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    @DisplayName("writeTo over a loopback socket: partial writes when the socket is full resume where they stopped")
    void writeToSocketWithPartialWrites() throws Exception {
        byte[] data = randomBytes(3 << 20, 1);
        try (ServerSocketChannel server = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
             SocketChannel client = SocketChannel.open(server.getLocalAddress());
             SocketChannel accepted = server.accept();
             Selector selector = Selector.open()) {
            client.setOption(StandardSocketOptions.SO_SNDBUF, 16 * 1024);
            client.configureBlocking(false);
            buf.add(data);

            // Nobody reads yet, so the kernel buffers fill and a write must come up short.
            long sent = 0;
            long written;
            while ((written = buf.writeTo(client)) > 0) {
                sent += written;
            }
            assertThat(written).as("a full socket takes nothing").isZero();
            assertThat(sent).as("the socket filled before everything was sent").isLessThan(data.length);
            assertThat(buf.length()).isEqualTo(data.length - sent);

            Future<byte[]> received = peer.submit(() -> readAll(accepted));
            client.register(selector, SelectionKey.OP_WRITE);
            while (!buf.isEmpty()) {
                assertThat(selector.select(10_000)).as("socket became writable").isPositive();
                selector.selectedKeys().clear();
                sent += buf.writeTo(client);
                buf.validate();
            }
            client.shutdownOutput();
            assertThat(sent).isEqualTo(data.length);
            assertThat(received.get(20, TimeUnit.SECONDS)).isEqualTo(data);
        }
    }

    private static byte[] readAll(SocketChannel ch) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer chunk = ByteBuffer.allocate(64 * 1024);
        while (ch.read(chunk) >= 0) {
            out.write(chunk.array(), 0, chunk.position());
            chunk.clear();
        }
        return out.toByteArray();
    }

    @Test
    @DisplayName("readFrom a loopback socket with scattering reads: bytes intact, -1 at end of stream")
    void readFromSocket() throws Exception {
        byte[] data = randomBytes(2 << 20, 2);
        try (ServerSocketChannel server = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
             SocketChannel client = SocketChannel.open(server.getLocalAddress());
             SocketChannel accepted = server.accept()) {
            Future<?> writer = peer.submit(() -> {
                ByteBuffer src = ByteBuffer.wrap(data);
                while (src.hasRemaining()) {
                    client.write(src);
                }
                client.shutdownOutput();
                return null;
            });
            Random sizes = new Random(3);
            int n;
            int calls = 0;
            while ((n = buf.readFrom(accepted, 1 + sizes.nextInt(100_000))) >= 0) {
                assertThat(n).isLessThanOrEqualTo(EvBuffer.MAX_READ_SEGMENTS * EvBuffer.SEGMENT_SIZE);
                calls++;
            }
            writer.get(20, TimeUnit.SECONDS);
            buf.validate();
            assertThat(calls).isPositive();
            byte[] got = new byte[(int) buf.length()];
            buf.remove(got);
            assertThat(got).isEqualTo(data);
        }
    }

    @Test
    @DisplayName("readFrom a Pipe, then writeTo another Pipe: the bytes come through unchanged")
    void pipeRoundTrip() throws Exception {
        byte[] data = randomBytes(700_000, 4);
        Pipe in = Pipe.open();
        Pipe out = Pipe.open();
        try (Pipe.SourceChannel inSource = in.source(); Pipe.SinkChannel outSink = out.sink();
             Pipe.SourceChannel outSource = out.source()) {
            CompletableFuture<Void> feeder = CompletableFuture.runAsync(() -> {
                try (Pipe.SinkChannel sink = in.sink()) {
                    sink.write(ByteBuffer.wrap(data));
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            }, peer);
            while (buf.readFrom(inSource, Integer.MAX_VALUE) >= 0) {
                // keep reading until the feeder closes its end
            }
            feeder.get(20, TimeUnit.SECONDS);
            assertThat(buf.length()).isEqualTo(data.length);

            ExecutorService drainer = Executors.newSingleThreadExecutor();
            try {
                Future<byte[]> result = drainer.submit(() -> Channels.newInputStream(outSource).readNBytes(data.length));
                while (!buf.isEmpty()) {
                    buf.writeTo(outSink, 100_000);
                }
                assertThat(result.get(20, TimeUnit.SECONDS)).isEqualTo(data);
            } finally {
                drainer.shutdownNow();
            }
        }
    }

    @Test
    @DisplayName("readFrom a non-scattering channel reads into one segment at a time")
    void readFromPlainChannel() throws IOException {
        byte[] data = randomBytes(50_000, 5);
        ReadableByteChannel ch = Channels.newChannel(new ByteArrayInputStream(data));
        buf.add(new byte[] {42});
        while (buf.readFrom(ch, 30_000) >= 0) {
            buf.validate();
        }
        assertThat(buf.length()).isEqualTo(data.length + 1);
        assertThat(buf.getByte(0)).isEqualTo((byte) 42);
        assertThat(buf.getByte(data.length)).isEqualTo(data[data.length - 1]);
    }

    @Test
    @DisplayName("writeTo makes exactly one write call per invocation and honours max")
    void oneWriteCallPerInvocation() throws IOException {
        CountingChannel ch = new CountingChannel(5000);
        buf.add(randomBytes(100_000, 6));
        assertThat(buf.writeTo(ch, 12_345)).isEqualTo(5000);
        assertThat(ch.calls).isEqualTo(1);
        assertThat(ch.lastVectorLength).isEqualTo(2); // 12 345 bytes span two 8 KiB segments
        assertThat(buf.length()).isEqualTo(95_000);
        ch.accept = Integer.MAX_VALUE;
        assertThat(buf.writeTo(ch, 10)).isEqualTo(10);
        assertThat(buf.writeTo(ch)).isEqualTo(94_990);
        assertThat(ch.calls).isEqualTo(3);
        assertThat(buf.writeTo(ch)).isZero();
        assertThat(ch.calls).as("nothing to write, no call").isEqualTo(3);
    }

    @Test
    @DisplayName("steady state: add, addBuffer, removeBuffer, readFrom, writeTo, drain allocate nothing; readLineBytes only its line")
    void hotPathsDoNotAllocate() throws IOException {
        AllocationCounter counter = AllocationCounter.forCurrentThread();
        CountingChannel sink = new CountingChannel(Integer.MAX_VALUE);
        RepeatingSource source = new RepeatingSource("0123456789abcdefghijklmnopqrstuvwxyz\r\n".getBytes(StandardCharsets.US_ASCII));
        EvBuffer other = new EvBuffer();
        byte[] chunk = new byte[3000];
        long[] linesRead = {0};
        Runnable round = () -> {
            try {
                buf.add(chunk);
                other.addBuffer(buf);
                other.removeBuffer(buf, 2000);
                buf.writeTo(sink);
                other.drain(other.length());
                buf.readFrom(source, 20_000);
                while (buf.readLineBytes(EolStyle.CRLF, 100) != null) {
                    linesRead[0]++; // each line is the one allowed allocation
                }
                buf.writeTo(sink);
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        };
        for (int i = 0; i < 20_000; i++) {
            round.run(); // warm up: JIT and the pool's steady state
        }
        long linesBefore = linesRead[0];
        long before = counter.allocatedBytes();
        for (int i = 0; i < 2_000; i++) {
            round.run();
        }
        long allocated = counter.allocatedBytes() - before;
        long lines = linesRead[0] - linesBefore;
        assertThat(lines).isPositive();
        long lineBytes = lines * 56; // a byte[36]: 16-byte header + 36 bytes, padded to 8
        other.close();
        assertThat(allocated).as("bytes allocated beyond the %d returned lines", lines).isLessThan(lineBytes + 16 * 1024);
    }

    /** Accepts at most {@code accept} bytes per call, discarding them; counts calls. */
    private static final class CountingChannel implements GatheringByteChannel {
        int accept;
        int calls;
        int lastVectorLength;

        CountingChannel(int accept) {
            this.accept = accept;
        }

        @Override
        public long write(ByteBuffer[] srcs, int offset, int length) {
            calls++;
            lastVectorLength = length;
            long budget = accept;
            long done = 0;
            for (int i = offset; i < offset + length && budget > 0; i++) {
                int k = (int) Math.min(srcs[i].remaining(), budget);
                srcs[i].position(srcs[i].position() + k);
                budget -= k;
                done += k;
            }
            return done;
        }

        @Override
        public long write(ByteBuffer[] srcs) {
            return write(srcs, 0, srcs.length);
        }

        @Override
        public int write(ByteBuffer src) {
            calls++;
            lastVectorLength = 1;
            int k = Math.min(src.remaining(), accept);
            src.position(src.position() + k);
            return k;
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public void close() {
        }
    }

    /** Endless copies of one line. Allocates nothing per read. */
    private static final class RepeatingSource implements java.nio.channels.ScatteringByteChannel {
        final byte[] line;
        int at;

        RepeatingSource(byte[] line) {
            this.line = line;
        }

        @Override
        public long read(ByteBuffer[] dsts, int offset, int length) {
            long n = 0;
            for (int i = offset; i < offset + length; i++) {
                n += read(dsts[i]);
            }
            return n;
        }

        @Override
        public long read(ByteBuffer[] dsts) {
            return read(dsts, 0, dsts.length);
        }

        @Override
        public int read(ByteBuffer dst) {
            long n = 0;
            while (dst.hasRemaining()) {
                int k = Math.min(dst.remaining(), line.length - at);
                dst.put(line, at, k);
                at += k;
                n += k;
                if (at == line.length) {
                    at = 0;
                }
            }
            return (int) n;
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public void close() {
        }
    }
}
