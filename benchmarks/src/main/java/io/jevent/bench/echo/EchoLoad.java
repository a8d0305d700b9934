package io.jevent.bench.echo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * The echo benchmark's load generator, plain NIO: C connections to 127.0.0.1:port, each playing
 * ping-pong with S-byte messages — send one, wait until all S bytes are back, check every byte, send
 * the next. The connections are spread over a few threads, each with its own selector.
 *
 * <p>A run: connect every connection (in batches of {@value #CONNECT_BATCH}, so the server's backlog
 * never holds more than that), start all ping-pongs at once, warm up for W, measure for D, close
 * everything. Only round trips that complete inside the measurement window count, for the rate and
 * for the latency percentiles. A run stops by itself.
 *
 * <p>Checking: message k of connection c is a pattern derived from (c, k), different for every message
 * of every connection, so a corrupted, lost, duplicated or reordered byte — or bytes of another
 * connection — shows up as a mismatch, and the run fails at once with an {@link EchoMismatchException}
 * that says where. A connection the server closes, or one that cannot connect, fails the run too.
 *
 * <p>Cost per message: one write, one read (per received chunk), one {@code Arrays.mismatch} over the
 * received bytes (vectorized), one {@code nanoTime}; nothing allocated. Each load thread also measures
 * its own CPU time over the window ({@link Result#loadCores()}): near one core per load thread means
 * the load generator, not the server, set the pace.
 *
 * <p>Threading: {@link #run} blocks its caller, which drives the schedule and runs the {@link Window}
 * callbacks; the load threads are its own and end before it returns.
 */
public final class EchoLoad {
    /** Connections opened at once; the next batch starts when all of these are connected. */
    static final int CONNECT_BATCH = 100;
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(20);

    private EchoLoad() {
    }

    /**
     * What to run.
     *
     * @param port        the echo server's port on 127.0.0.1
     * @param connections how many connections, each with one message in flight
     * @param size        bytes per message
     * @param warmup      traffic before the window, not counted
     * @param duration    the measurement window
     * @param threads     load threads (at most one per connection)
     */
    public record Config(int port, int connections, int size, Duration warmup, Duration duration, int threads) {
        public Config {
            if (port <= 0 || connections <= 0 || size <= 0 || threads <= 0) {
                throw new IllegalArgumentException("port, connections, size and threads must be positive");
            }
            if (warmup.isNegative() || duration.isNegative() || duration.isZero()) {
                throw new IllegalArgumentException("warmup must not be negative, duration must be positive");
            }
        }
    }

    /**
     * What a run measured, over the window only.
     *
     * @param messages   round trips completed in the window
     * @param seconds    the window's length
     * @param p50Nanos   median round-trip time
     * @param p99Nanos   99th percentile round-trip time
     * @param loadCores  CPU time of the load threads over the window, divided by the window: how many
     *                   cores the load used (at most the number of load threads)
     */
    public record Result(long messages, double seconds, long p50Nanos, long p99Nanos, double loadCores) {
        public double messagesPerSecond() {
            return messages / seconds;
        }
    }

    /** Told when the window opens and closes, on the thread that called {@link #run}, close to the instant. */
    public interface Window {
        void opened();

        void closed();
    }

    /** The server echoed something other than what was sent; the message says where. */
    public static final class EchoMismatchException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        EchoMismatchException(String message) {
            super(message);
        }
    }

    /**
     * Runs the load once; see the class comment.
     *
     * @throws EchoMismatchException if an echo differs from what was sent
     * @throws IllegalStateException if a connection fails, is closed by the server, or cannot connect
     */
    public static Result run(Config config, Window window) throws InterruptedException {
        int threads = Math.min(config.threads(), config.connections());
        Schedule schedule = new Schedule(threads);
        List<Worker> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            workers.add(new Worker(config, schedule, t, threads));
        }
        schedule.runWindow(workers, "echo-load-", config.warmup(), config.duration(), window);

        LatencyHistogram all = new LatencyHistogram();
        long cpuNanos = 0;
        for (Worker w : workers) {
            all.add(w.latency);
            cpuNanos += w.cpuAtEnd - w.cpuAtStart;
        }
        long windowNanos = config.duration().toNanos();
        return new Result(all.count(), windowNanos / 1e9, all.quantile(0.50), all.quantile(0.99),
                cpuNanos / (double) windowNanos);
    }

    /** Parks until {@code deadline} (a nanoTime), waking every 50 ms to stop early if a worker failed. */
    static void sleepUntil(long deadline, Schedule schedule) {
        for (long left = deadline - System.nanoTime(); left > 0; left = deadline - System.nanoTime()) {
            schedule.failIfFailed();
            LockSupport.parkNanos(Math.min(left, TimeUnit.MILLISECONDS.toNanos(50)));
        }
    }

    /** The deadlines and the outcome shared by the caller and the load threads. */
    static final class Schedule {
        private static final ThreadMXBean THREAD_CPU = ManagementFactory.getThreadMXBean();
        final CountDownLatch connected;
        final CountDownLatch go = new CountDownLatch(1);
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        /** nanoTime deadlines; written before {@code go} opens, read after. */
        long windowStart;
        long windowEnd;

        Schedule(int threads) {
            connected = new CountDownLatch(threads);
        }

        void fail(Throwable t) {
            failure.compareAndSet(null, t);
        }

        void failIfFailed() {
            Throwable t = failure.get();
            if (t instanceof RuntimeException r) {
                throw r;
            }
            if (t != null) {
                throw new IllegalStateException("echo load failed", t);
            }
        }

        /**
         * The caller's side of a run: starts one thread per worker (named {@code name} + index),
         * waits until all are connected, opens the window {@code warmup} later for {@code duration},
         * telling {@code window}, then waits for every thread to end. Returns normally only if no
         * thread failed.
         */
        void runWindow(List<? extends Runnable> workers, String name, Duration warmup, Duration duration,
                       Window window) throws InterruptedException {
            List<Thread> running = new ArrayList<>();
            for (int t = 0; t < workers.size(); t++) {
                Thread thread = new Thread(workers.get(t), name + t);
                thread.setDaemon(true);
                running.add(thread);
                thread.start();
            }
            try {
                connected.await();
                failIfFailed();
                windowStart = System.nanoTime() + warmup.toNanos();
                windowEnd = windowStart + duration.toNanos();
                go.countDown();               // publishes the two deadlines to the workers
                sleepUntil(windowStart, this);
                window.opened();
                sleepUntil(windowEnd, this);
                window.closed();
            } finally {
                go.countDown();               // lets workers out if connecting failed
                for (Thread t : running) {
                    t.join();
                }
            }
            failIfFailed();
        }

        /** A step of a load thread that may fail with anything (it is reported through {@link #fail}). */
        interface Step {
            void run() throws Exception;
        }

        /**
         * A load thread's life, the same for every load: {@code connect}, count itself connected,
         * wait for the go, {@code drive} unless another thread failed, and always {@code closeAll};
         * a failure anywhere is recorded for {@link #failIfFailed}, and a thread that fails before it
         * connected still counts down, so the caller never waits for it.
         */
        void runWorker(Step connect, Step drive, Runnable closeAll) {
            boolean connectedCounted = false;
            try {
                connect.run();
                connected.countDown();
                connectedCounted = true;
                go.await();
                if (failure.get() == null) {
                    drive.run();
                }
            } catch (Throwable t) {
                fail(t);
            } finally {
                if (!connectedCounted) {
                    connected.countDown();
                }
                closeAll.run();
            }
        }

        /**
         * A load thread's measured part: selects on {@code selector} until the window ends (or a
         * thread fails), and returns the calling thread's CPU time at the window's start and end, in
         * nanoseconds (both the end's if the window never began). The caller's thread only.
         */
        WindowCpu selectThroughWindow(Selector selector, Consumer<SelectionKey> onReady) throws IOException {
            long cpuAtStart = -1;
            while (failure.get() == null) {
                long now = System.nanoTime();
                if (cpuAtStart < 0 && now - windowStart >= 0) {
                    cpuAtStart = THREAD_CPU.getCurrentThreadCpuTime();
                }
                long left = windowEnd - now;
                if (left <= 0) {
                    break;
                }
                selector.select(onReady, Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            }
            long cpuAtEnd = THREAD_CPU.getCurrentThreadCpuTime();
            return new WindowCpu(cpuAtStart < 0 ? cpuAtEnd : cpuAtStart, cpuAtEnd);
        }
    }

    /** A load thread's CPU time at the start and the end of the measured window, nanoseconds. */
    record WindowCpu(long atStart, long atEnd) {
    }

    /** One load thread: its share of the connections on its own selector. */
    private static final class Worker implements Runnable {
        final Config config;
        final Schedule schedule;
        final List<Connection> connections = new ArrayList<>();
        final LatencyHistogram latency = new LatencyHistogram();
        /** The per-key callback of the ping-pong loop, bound once rather than at every select. */
        final Consumer<SelectionKey> onReady = this::ready;
        Selector selector;
        int pendingConnects;
        long cpuAtStart;
        long cpuAtEnd;
        /** When the first messages went out, and the window deadlines (copied from the schedule). */
        long now;
        long windowStart;
        long windowEnd;

        Worker(Config config, Schedule schedule, int index, int threads) {
            this.config = config;
            this.schedule = schedule;
            for (int id = index; id < config.connections(); id += threads) {
                connections.add(new Connection(id, config.size()));
            }
        }

        @Override
        public void run() {
            try (Selector s = Selector.open()) {
                selector = s;
                schedule.runWorker(this::connectAll, this::pingPong, () -> connections.forEach(Connection::close));
            } catch (IOException e) {
                schedule.fail(e);
                schedule.connected.countDown();
            }
        }

        private void connectAll() throws IOException {
            InetSocketAddress server = new InetSocketAddress(InetAddress.getLoopbackAddress(), config.port());
            long deadline = System.nanoTime() + CONNECT_TIMEOUT.toNanos();
            for (int from = 0; from < connections.size(); from += CONNECT_BATCH) {
                int to = Math.min(connections.size(), from + CONNECT_BATCH);
                for (int i = from; i < to; i++) {
                    if (!connections.get(i).connect(selector, server)) {
                        pendingConnects++;
                    }
                }
                while (pendingConnects > 0) {
                    if (System.nanoTime() - deadline > 0 || schedule.failure.get() != null) {
                        throw new IllegalStateException(pendingConnects + " connections to port " + config.port()
                                + " still not connected after " + CONNECT_TIMEOUT.toSeconds() + " s");
                    }
                    selector.select(this::finishConnect, 100);
                }
            }
        }

        private void finishConnect(SelectionKey key) {
            Connection c = (Connection) key.attachment();
            try {
                if (c.channel.finishConnect()) {
                    key.interestOps(SelectionKey.OP_READ);
                    pendingConnects--;
                }
            } catch (IOException e) {
                throw new IllegalStateException("connection " + c.id + " to port " + config.port() + " failed", e);
            }
        }

        private void pingPong() throws IOException {
            windowStart = schedule.windowStart;
            windowEnd = schedule.windowEnd;
            now = System.nanoTime();
            for (Connection c : connections) {
                c.send(now);
            }
            EchoLoad.WindowCpu cpu = schedule.selectThroughWindow(selector, onReady);
            cpuAtStart = cpu.atStart();
            cpuAtEnd = cpu.atEnd();
        }

        private void ready(SelectionKey key) {
            Connection c = (Connection) key.attachment();
            try {
                if (key.isReadable() && c.receive()) {
                    long done = System.nanoTime();
                    if (done - windowStart >= 0 && done - windowEnd < 0) {
                        latency.record(done - c.sentAt);
                    }
                    c.next(done);
                } else if (key.isValid() && key.isWritable()) {
                    c.writeRest();
                }
            } catch (IOException e) {
                throw new UncheckedIOException("connection " + c.id + " failed after " + c.seq + " messages", e);
            }
        }
    }

    /** One connection and its message in flight. Belongs to its worker's thread. */
    static final class Connection {
        private static final long GOLDEN = 0x9E3779B97F4A7C15L;

        final int id;
        final ByteBuffer out;       // the message in flight, as sent
        final ByteBuffer in;        // its echo so far
        SocketChannel channel;
        SelectionKey key;
        long seq;
        long sentAt;

        Connection(int id, int size) {
            this.id = id;
            this.out = ByteBuffer.allocate(size);
            this.in = ByteBuffer.allocate(size);
        }

        /** Starts a non-blocking connect; {@code true} if it finished at once. */
        boolean connect(Selector selector, InetSocketAddress server) throws IOException {
            channel = SocketChannel.open();
            channel.configureBlocking(false);
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);     // as the servers do
            boolean done = channel.connect(server);
            key = channel.register(selector, done ? SelectionKey.OP_READ : SelectionKey.OP_CONNECT, this);
            return done;
        }

        /** Sends message {@link #seq}. */
        void send(long now) throws IOException {
            fill(out, id, seq);
            in.clear();
            sentAt = now;
            channel.write(out);
            if (out.hasRemaining()) {
                key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
            }
        }

        /** The socket took only part of the message: the rest, now that it is writable. */
        void writeRest() throws IOException {
            channel.write(out);
            if (!out.hasRemaining()) {
                key.interestOps(SelectionKey.OP_READ);
            }
        }

        /** Reads what has arrived and checks it; {@code true} once the whole echo is back. */
        boolean receive() throws IOException {
            int from = in.position();
            int n = channel.read(in);
            if (n < 0) {
                throw new IllegalStateException("the server closed connection " + id + " during message " + seq);
            }
            int to = from + n;
            if (to > out.position()) {
                throw new EchoMismatchException("connection " + id + ", message " + seq + ": " + to
                        + " bytes echoed but only " + out.position() + " sent");
            }
            int at = Arrays.mismatch(in.array(), from, to, out.array(), from, to);
            if (at >= 0) {
                throw new EchoMismatchException(String.format(Locale.ROOT,
                        "connection %d, message %d of %d bytes: byte %d is 0x%02x, sent 0x%02x", id, seq,
                        out.capacity(), from + at, in.get(from + at), out.get(from + at)));
            }
            return !in.hasRemaining();
        }

        /** The echo is complete: on to the next message. */
        void next(long now) throws IOException {
            seq++;
            send(now);
        }

        void close() {
            if (channel != null) {
                try {
                    channel.close();
                } catch (IOException e) {
                    // the run is over; nothing to report to
                }
            }
        }

        /**
         * Fills {@code buf} with message {@code seq} of connection {@code id}, ready to be written from
         * its start: 64-bit words stepping from a seed mixed from both, so no two messages share a byte
         * pattern.
         */
        static void fill(ByteBuffer buf, int id, long seq) {
            long word = mix(((long) id << 40) ^ seq);
            int size = buf.capacity();
            int i = 0;
            for (; i + Long.BYTES <= size; i += Long.BYTES, word += GOLDEN) {
                buf.putLong(i, word);
            }
            for (; i < size; i++, word >>>= 8) {
                buf.put(i, (byte) word);
            }
            buf.clear();
        }

        /** SplitMix64's finalizer: spreads nearby (id, seq) pairs over all 64 bits. */
        private static long mix(long z) {
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            return z ^ (z >>> 31);
        }
    }

    /**
     * Runs the load once and prints the result. Usage:
     * {@code EchoLoad --port P [--connections C] [--size S] [--warmup SECONDS] [--duration SECONDS] [--threads T]}.
     */
    public static void main(String[] args) throws InterruptedException {
        int port = 0;
        int connections = 64;
        int size = 64;
        double warmup = 1;
        double duration = 5;
        int threads = 1;
        for (int i = 0; i + 1 < args.length; i += 2) {
            String v = args[i + 1];
            switch (args[i]) {
                case "--port" -> port = Integer.parseInt(v);
                case "--connections" -> connections = Integer.parseInt(v);
                case "--size" -> size = Integer.parseInt(v);
                case "--warmup" -> warmup = Double.parseDouble(v);
                case "--duration" -> duration = Double.parseDouble(v);
                case "--threads" -> threads = Integer.parseInt(v);
                default -> usage();
            }
        }
        if (args.length % 2 != 0 || port <= 0) {
            usage();
        }
        Result r = run(new Config(port, connections, size, seconds(warmup), seconds(duration), threads),
                new Window() {
                    @Override
                    public void opened() {
                    }

                    @Override
                    public void closed() {
                    }
                });
        System.out.printf(Locale.ROOT, "%d connections x %d B: %.0f msgs/s, p50 %.1f us, p99 %.1f us, load %.2f cores%n",
                connections, size, r.messagesPerSecond(), r.p50Nanos() / 1e3, r.p99Nanos() / 1e3, r.loadCores());
    }

    static Duration seconds(double s) {
        return Duration.ofNanos((long) (s * 1e9));
    }

    private static void usage() {
        System.err.println("usage: EchoLoad --port P [--connections C] [--size S] [--warmup SECONDS] "
                + "[--duration SECONDS] [--threads T]");
        System.exit(2);
    }
}
