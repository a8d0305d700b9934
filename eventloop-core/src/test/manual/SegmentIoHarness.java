import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Locale;

/**
 * Manual measuring tool, NOT a test: it lives outside the Maven source roots, so the build neither
 * compiles nor runs it (and it may use java.management, which the io.jevent.core module does not
 * read). It is how the segment size and heap-versus-direct decision recorded in EvBuffer's Javadoc
 * and docs/buffered-io.md was made; it uses only the JDK.
 *
 * <p>Each configuration models the steady state of a buffered socket: the application copies its
 * bytes into pooled segments ({@code add}), then the buffer drains them with one gathering write
 * of all queued segments per call ({@code writeTo}). The receiving side models {@code readFrom}
 * plus {@code readLine}: a scattering read into segments, then a scan of every byte for '\n'.
 * Both ends are a loopback {@link SocketChannel} in blocking mode.
 *
 * <p>Run it on a quiet machine:
 * <pre>
 * java eventloop-core/src/test/manual/SegmentIoHarness.java
 * </pre>
 */
public final class SegmentIoHarness {
    private static final long BYTES_PER_RUN = 256L << 20;
    private static final int QUEUED_BYTES = 256 << 10;
    private static final int ROUNDS = 7;

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    /** CPU time of the measuring thread in the last run: what the loop thread would pay. */
    private static long lastCpuNanos;

    private SegmentIoHarness() {
    }

    public static void main(String[] args) throws Exception {
        int[] sizes = {4 << 10, 8 << 10, 16 << 10, 32 << 10};
        for (boolean write : new boolean[] {true, false}) {
            System.out.println(write
                    ? "write path: add(byte[]) into segments + one gathering write per call"
                    : "read path: scattering read into segments + scan every byte for '\\n'");
            // Configurations are interleaved round by round so a burst of load from other processes
            // hits all of them alike; the median of the rounds is reported.
            double[][] mibs = new double[sizes.length * 2][ROUNDS];
            double[][] cpu = new double[sizes.length * 2][ROUNDS];
            for (int r = 0; r < ROUNDS; r++) {
                for (int c = 0; c < sizes.length * 2; c++) {
                    boolean direct = c >= sizes.length;
                    int size = sizes[c % sizes.length];
                    mibs[c][r] = write ? writePath(direct, size) : readPath(direct, size);
                    cpu[c][r] = lastCpuNanos / 1e6 * (1 << 30) / BYTES_PER_RUN;
                }
            }
            for (int c = 0; c < sizes.length * 2; c++) {
                java.util.Arrays.sort(mibs[c]);
                java.util.Arrays.sort(cpu[c]);
                System.out.printf(Locale.ROOT, "  %-6s %2d KiB  %6.0f MiB/s  %6.1f ms CPU/GiB (measuring thread)%n",
                        c >= sizes.length ? "direct" : "heap", sizes[c % sizes.length] >> 10,
                        mibs[c][ROUNDS / 2], cpu[c][ROUNDS / 2]);
            }
        }
    }

    private static ByteBuffer[] segments(boolean direct, int size, int count) {
        ByteBuffer[] segs = new ByteBuffer[count];
        for (int i = 0; i < count; i++) {
            segs[i] = direct ? ByteBuffer.allocateDirect(size) : ByteBuffer.allocate(size);
        }
        return segs;
    }

    /** Sender under test, receiver a plain big direct buffer that discards. */
    private static double writePath(boolean direct, int size) throws Exception {
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress("127.0.0.1", 0));
            Thread sink = new Thread(() -> drainAll(server), "sink");
            sink.start();
            int count = QUEUED_BYTES / size;
            ByteBuffer[] segs = segments(direct, size, count);
            byte[] source = new byte[1024];
            for (int i = 0; i < source.length; i++) {
                source[i] = (byte) ('a' + i % 26);
            }
            long start;
            try (SocketChannel ch = SocketChannel.open(server.getLocalAddress())) {
                start = System.nanoTime();
                long cpuStart = THREADS.getCurrentThreadCpuTime();
                for (long sent = 0; sent < BYTES_PER_RUN; sent += QUEUED_BYTES) {
                    for (ByteBuffer seg : segs) { // add(): copy the application's bytes in
                        seg.clear();
                        while (seg.hasRemaining()) {
                            seg.put(source, 0, Math.min(source.length, seg.remaining()));
                        }
                        seg.flip();
                    }
                    int first = 0;
                    while (first < count) { // writeTo(): one gathering write per call
                        ch.write(segs, first, count - first);
                        while (first < count && !segs[first].hasRemaining()) {
                            first++;
                        }
                    }
                }
                ch.shutdownOutput();
                lastCpuNanos = THREADS.getCurrentThreadCpuTime() - cpuStart;
            }
            sink.join();
            return mibPerSecond(start);
        }
    }

    private static void drainAll(ServerSocketChannel server) {
        try (SocketChannel peer = server.accept()) {
            ByteBuffer big = ByteBuffer.allocateDirect(1 << 20);
            while (peer.read(big) >= 0) {
                big.clear();
            }
        } catch (IOException e) {
            throw new RuntimeException(e);
        }
    }

    /** Receiver under test, sender a plain big direct buffer. */
    private static double readPath(boolean direct, int size) throws Exception {
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress("127.0.0.1", 0));
            Thread source = new Thread(() -> sendAll(server), "source");
            source.start();
            int count = Math.max(1, QUEUED_BYTES / size);
            ByteBuffer[] segs = segments(direct, size, count);
            long newlines = 0;
            long start;
            try (SocketChannel ch = SocketChannel.open(server.getLocalAddress())) {
                start = System.nanoTime();
                long cpuStart = THREADS.getCurrentThreadCpuTime();
                while (true) {
                    for (ByteBuffer seg : segs) {
                        seg.clear();
                    }
                    long n = ch.read(segs);
                    if (n < 0) {
                        lastCpuNanos = THREADS.getCurrentThreadCpuTime() - cpuStart;
                        break;
                    }
                    for (ByteBuffer seg : segs) { // readLine(): look at every byte once
                        int lim = seg.position();
                        if (seg.hasArray()) {
                            byte[] a = seg.array();
                            for (int i = 0; i < lim; i++) {
                                if (a[i] == '\n') {
                                    newlines++;
                                }
                            }
                        } else {
                            for (int i = 0; i < lim; i++) {
                                if (seg.get(i) == '\n') {
                                    newlines++;
                                }
                            }
                        }
                    }
                }
            }
            source.join();
            if (newlines != BYTES_PER_RUN / 64) {
                throw new AssertionError("lost bytes: " + newlines);
            }
            return mibPerSecond(start);
        }
    }

    private static void sendAll(ServerSocketChannel server) {
        try (SocketChannel peer = server.accept()) {
            ByteBuffer big = ByteBuffer.allocateDirect(1 << 20);
            for (int i = 0; i < big.capacity(); i++) {
                big.put(i, (byte) (i % 64 == 63 ? '\n' : 'x'));
            }
            for (long sent = 0; sent < BYTES_PER_RUN; sent += big.capacity()) {
                big.clear();
                while (big.hasRemaining()) {
                    peer.write(big);
                }
            }
        } catch (IOException e) {
            throw new RuntimeException(e);
        }
    }

    private static double mibPerSecond(long startNanos) {
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        return (BYTES_PER_RUN >> 20) / seconds;
    }
}
