package io.jevent.chat.server;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Iterator;

import io.jevent.chat.store.StoreConfig;

/**
 * A bounded, in-process load driver for durable private messages: starts the real server (production
 * durability, {@code synchronous=FULL}) on 127.0.0.1, registers N users, logs them in, and has each
 * send {@code MSG} to the next user with W messages in flight, on one NIO client thread. Prints
 * acknowledged ({@code OK sent}/{@code OK stored}, i.e. committed) messages per second, ack latency
 * p50/p99, and the {@code chatstore-writer} thread's CPU share over the measured window.
 *
 * <p>Not a test: run by hand (see docs/benchmarks.md, "Chat: durable private messages").
 * Arguments: users inFlight warmupSeconds measureSeconds.
 */
public final class PrivateMessageBench {
    private PrivateMessageBench() {
    }

    public static void main(String[] args) throws Exception {
        int users = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        int window = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        int warmupS = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        int measureS = args.length > 3 ? Integer.parseInt(args[3]) : 10;
        java.util.logging.Logger.getLogger("io.jevent").setLevel(java.util.logging.Level.WARNING);
        Path dir = Files.createTempDirectory("pmbench");
        ServerConfig config = ServerFixture.config(dir.resolve("chat.db"))
                .withDurability(StoreConfig.Durability.SURVIVES_POWER_LOSS);
        StoreConfig store = StoreConfig.defaults(config.database()).withDurability(config.durability());
        ChatServer server = ChatServer.start(config, store, ServerFixture.TEST_LIMITS.withLogin(
                io.jevent.chat.auth.RateLimit.of(10_000, java.time.Duration.ofMinutes(1)),
                io.jevent.chat.auth.RateLimit.of(10_000, java.time.Duration.ofMinutes(1))));
        try {
            run(server.address(), users, window, warmupS, measureS);
        } finally {
            server.close();
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static void run(InetSocketAddress address, int users, int window, int warmupS, int measureS)
            throws IOException {
        Selector selector = Selector.open();
        Conn[] conns = new Conn[users];
        for (int i = 0; i < users; i++) {
            SocketChannel ch = SocketChannel.open(address);
            ch.configureBlocking(false);
            ch.setOption(java.net.StandardSocketOptions.TCP_NODELAY, true);
            conns[i] = new Conn(ch, "u" + i, "u" + ((i + 1) % users));
            ch.register(selector, SelectionKey.OP_READ, conns[i]);
            conns[i].send("REGISTER " + conns[i].name + " " + ServerFixture.PW + "\n");
            conns[i].send("LOGIN " + conns[i].name + " " + ServerFixture.PW + "\n");
        }
        long start = System.nanoTime();
        long measureFrom = start + warmupS * 1_000_000_000L;
        long end = measureFrom + measureS * 1_000_000_000L;
        long hardEnd = end + 120_000_000_000L;   // bounded even if logins are slow
        boolean measuring = false;
        long[] lat = new long[1 << 22];
        int nlat = 0;
        long acked = 0;
        long errors = 0;
        long loggedIn = 0;
        int unexpected = 0;
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long writerId = writerThreadId();
        long writerCpu0 = 0;
        long cpuStart = 0;
        long windowStart = 0;
        while (System.nanoTime() < hardEnd) {
            long now = System.nanoTime();
            if (loggedIn == users && !measuring && now >= measureFrom) {
                measuring = true;
                windowStart = now;
                writerCpu0 = mx.getThreadCpuTime(writerId);
                cpuStart = processCpu();
            }
            if (measuring && now >= end) {
                break;
            }
            if (loggedIn < users) {
                // the clock starts once everyone is in
                measureFrom = now + warmupS * 1_000_000_000L;
                end = measureFrom + measureS * 1_000_000_000L;
            }
            selector.select(100);
            Iterator<SelectionKey> it = selector.selectedKeys().iterator();
            while (it.hasNext()) {
                SelectionKey key = it.next();
                it.remove();
                Conn c = (Conn) key.attachment();
                if (key.isWritable()) {
                    c.flush(key);
                }
                if (!key.isReadable()) {
                    continue;
                }
                String line;
                c.fill();
                while ((line = c.nextLine()) != null) {
                    if (line.startsWith("OK sent") || line.startsWith("OK stored")) {
                        long t = System.nanoTime();
                        long sent = c.inFlight.removeFirst();
                        if (measuring) {
                            acked++;
                            if (nlat < lat.length) {
                                lat[nlat++] = t - sent;
                            }
                        }
                        c.sendMsg();
                    } else if (line.startsWith("OK welcome")) {
                        loggedIn++;
                        for (int k = 0; k < window; k++) {
                            c.sendMsg();
                        }
                    } else if (line.startsWith("ERR") && c.inFlight.size() > 0 && !line.startsWith("ERR 409")) {
                        errors++;
                        c.inFlight.removeFirst();
                        c.sendMsg();
                    } else if (!line.startsWith("FROM") && !line.startsWith("JOIN") && !line.startsWith("OK")
                            && !line.startsWith("HELLO") && !line.startsWith("TOKEN ") && unexpected++ < 20) {
                        System.err.println(c.name + ": " + line);
                    }
                }
                c.flush(key);
            }
        }
        long elapsed = System.nanoTime() - windowStart;
        long writerCpu = mx.getThreadCpuTime(writerId) - writerCpu0;
        long procCpu = processCpu() - cpuStart;
        Arrays.sort(lat, 0, nlat);
        System.out.printf("users=%d inflight=%d acked/s=%.0f ack_p50_ms=%.2f ack_p99_ms=%.2f errors=%d"
                        + " writer_cpu=%.0f%% process_cpu=%.0f%% (of one core)%n",
                users, window, acked * 1e9 / elapsed, pct(lat, nlat, 0.50), pct(lat, nlat, 0.99), errors,
                100.0 * writerCpu / elapsed, 100.0 * procCpu / elapsed);
        for (Conn c : conns) {
            c.ch.close();
        }
        selector.close();
    }

    private static double pct(long[] sorted, int n, double q) {
        return n == 0 ? Double.NaN : sorted[Math.min(n - 1, (int) (q * n))] / 1e6;
    }

    private static long processCpu() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static long writerThreadId() {
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().equals("chatstore-writer")) {
                return t.getId();
            }
        }
        throw new IllegalStateException("no chatstore-writer thread");
    }

    private static final class Conn {
        final SocketChannel ch;
        final String name;
        final byte[] msg;
        final ArrayDeque<Long> inFlight = new ArrayDeque<>();
        final ByteBuffer in = ByteBuffer.allocate(1 << 16);
        ByteBuffer out = ByteBuffer.allocate(1 << 14);
        final StringBuilder lineBuf = new StringBuilder();

        Conn(SocketChannel ch, String name, String peer) {
            this.ch = ch;
            this.name = name;
            this.msg = ("MSG " + peer + " hello from " + name + " with a typical chat line\n")
                    .getBytes(StandardCharsets.UTF_8);
        }

        void send(String s) throws IOException {
            put(s.getBytes(StandardCharsets.UTF_8));
            ch.write(out.flip());
            out.compact();
        }

        void sendMsg() {
            inFlight.addLast(System.nanoTime());
            put(msg);
        }

        private void put(byte[] b) {
            if (out.remaining() < b.length) {
                ByteBuffer bigger = ByteBuffer.allocate(out.capacity() * 2 + b.length);
                out.flip();
                bigger.put(out);
                out = bigger;
            }
            out.put(b);
        }

        void flush(SelectionKey key) throws IOException {
            out.flip();
            ch.write(out);
            boolean more = out.hasRemaining();
            out.compact();
            key.interestOps(more ? SelectionKey.OP_READ | SelectionKey.OP_WRITE : SelectionKey.OP_READ);
        }

        void fill() throws IOException {
            if (ch.read(in) < 0) {
                throw new IOException("server closed " + name);
            }
        }

        String nextLine() {
            in.flip();
            while (in.hasRemaining()) {
                byte b = in.get();
                if (b == '\n') {
                    String s = lineBuf.toString();
                    lineBuf.setLength(0);
                    in.compact();
                    return s;
                }
                lineBuf.append((char) b);
            }
            in.clear();
            return null;
        }
    }
}
