package io.jevent.bench.echo;

import java.io.IOException;
import java.io.UncheckedIOException;
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
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;

/**
 * The TLS echo benchmark's load generator: {@link EchoLoad}'s ping-pong over TLS, with a JDK
 * {@link SSLEngine} per connection driven by hand over plain NIO (no framework, so it costs the same
 * against every server), restricted to {@link BenchTls}'s protocol and cipher suite.
 *
 * <p>Two kinds of run ({@link Mode}):
 * <ul>
 *   <li>{@code ECHO}: C connections open and finish their handshakes before the run (in batches of
 *       {@value #HANDSHAKE_BATCH}), then each plays ping-pong with S-byte messages, every byte
 *       checked as {@link EchoLoad} does. A round trip is one message.</li>
 *   <li>{@code HANDSHAKE_FULL}, {@code HANDSHAKE_RESUMED}: C slots, each over and over: connect, full TLS
 *       handshake, one S-byte echo (checked), then {@code close_notify} and close. A round trip is that
 *       whole cycle. {@code RESUMED} creates each slot's engines with a peer name of the slot's own,
 *       so the JDK's client session cache offers the session of the slot's previous handshake (TLS 1.3
 *       PSK); {@code FULL} creates them without, so every handshake is full. A handshake that checked no certificate
 *       ({@link BenchTls#checkedCertificate}) was resumed; {@link Result#resumed()} counts them.</li>
 * </ul>
 *
 * <p>Delegated tasks ({@link SSLEngine#getDelegatedTask()}) run inline on the load thread. Buffers are
 * heap buffers sized from the session, allocated once per connection object and reused.
 *
 * <p>Threading: {@link #run} blocks its caller, which drives the schedule and runs the
 * {@link EchoLoad.Window} callbacks; the load threads are its own, each with its own selector and
 * share of the connections, and end before it returns.
 */
public final class TlsEchoLoad {
    /**
     * Handshakes in flight at once while the ECHO connections open: few enough that each finishes well
     * inside the servers' handshake timeouts (10 s for both) on a loaded machine.
     */
    static final int HANDSHAKE_BATCH = 25;
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(60);
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    private TlsEchoLoad() {
    }

    /** What a round trip is: see the class comment. */
    public enum Mode {
        ECHO, HANDSHAKE_FULL, HANDSHAKE_RESUMED
    }

    /**
     * What to run.
     *
     * @param port        the TLS echo server's port on 127.0.0.1
     * @param connections connections (ECHO) or concurrent connect-handshake-echo-close cycles
     * @param size        bytes per message
     * @param warmup      traffic before the window, not counted
     * @param duration    the measurement window
     * @param threads     load threads (at most one per connection)
     * @param mode        what a round trip is
     */
    public record Config(int port, int connections, int size, Duration warmup, Duration duration, int threads,
                         Mode mode) {
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
     * @param echo       round trips (messages or cycles), their latency, the load's CPU
     * @param handshakes handshakes completed in the window (0 in {@code ECHO} mode)
     * @param resumed    of those, the ones that checked no certificate
     */
    public record Result(EchoLoad.Result echo, long handshakes, long resumed) {
    }

    /**
     * Runs the load once with engines from {@code tls}'s {@code client} context; the result counts round
     * trips (messages or cycles) completed in the window.
     *
     * @throws EchoLoad.EchoMismatchException if an echo differs from what was sent
     * @throws IllegalStateException if a connection or handshake fails, or the server closes a connection
     */
    static Result run(Config config, BenchTls tls, SSLContext client, EchoLoad.Window window)
            throws InterruptedException {
        int threads = Math.min(config.threads(), config.connections());
        EchoLoad.Schedule schedule = new EchoLoad.Schedule(threads);
        List<Worker> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            workers.add(new Worker(config, tls, client, schedule, t, threads));
        }
        schedule.runWindow(workers, "tls-load-", config.warmup(), config.duration(), window);

        LatencyHistogram all = new LatencyHistogram();
        long cpuNanos = 0;
        long handshakes = 0;
        long resumed = 0;
        for (Worker w : workers) {
            all.add(w.latency);
            cpuNanos += w.cpuAtEnd - w.cpuAtStart;
            handshakes += w.handshakes;
            resumed += w.resumed;
        }
        long windowNanos = config.duration().toNanos();
        return new Result(new EchoLoad.Result(all.count(), windowNanos / 1e9, all.quantile(0.50), all.quantile(0.99),
                cpuNanos / (double) windowNanos), handshakes, resumed);
    }

    /** One load thread: its share of the connections on its own selector. */
    private static final class Worker implements Runnable {
        final Config config;
        final BenchTls tls;
        final SSLContext client;
        final EchoLoad.Schedule schedule;
        final InetSocketAddress server;
        final List<TlsConnection> connections = new ArrayList<>();
        final LatencyHistogram latency = new LatencyHistogram();
        final Consumer<SelectionKey> onReady = this::ready;
        Selector selector;
        int pendingHandshakes;
        long handshakes;
        long resumed;
        long cpuAtStart;
        long cpuAtEnd;
        long windowStart;
        long windowEnd;

        Worker(Config config, BenchTls tls, SSLContext client, EchoLoad.Schedule schedule, int index, int threads) {
            this.config = config;
            this.tls = tls;
            this.client = client;
            this.schedule = schedule;
            this.server = new InetSocketAddress(InetAddress.getLoopbackAddress(), config.port());
            for (int id = index; id < config.connections(); id += threads) {
                connections.add(new TlsConnection(this, id, config.size()));
            }
        }

        @Override
        public void run() {
            try (Selector s = Selector.open()) {
                selector = s;
                schedule.runWorker(() -> {
                    if (config.mode() == Mode.ECHO) {
                        connectAll();
                    }
                }, this::drive, () -> connections.forEach(TlsConnection::closeQuietly));
            } catch (IOException e) {
                schedule.fail(e);
                schedule.connected.countDown();
            }
        }

        /** ECHO: every connection connected and through its handshake, in batches. */
        private void connectAll() throws IOException {
            long deadline = System.nanoTime() + CONNECT_TIMEOUT.toNanos();
            for (int from = 0; from < connections.size(); from += HANDSHAKE_BATCH) {
                int to = Math.min(connections.size(), from + HANDSHAKE_BATCH);
                for (int i = from; i < to; i++) {
                    pendingHandshakes++;
                    connections.get(i).open(System.nanoTime());
                }
                while (pendingHandshakes > 0) {
                    if (System.nanoTime() - deadline > 0 || schedule.failure.get() != null) {
                        throw new IllegalStateException(pendingHandshakes + " TLS connections to port "
                                + config.port() + " still not through their handshake after "
                                + CONNECT_TIMEOUT.toSeconds() + " s");
                    }
                    selector.select(onReady, 100);
                }
            }
        }

        private void drive() throws IOException {
            windowStart = schedule.windowStart;
            windowEnd = schedule.windowEnd;
            long now = System.nanoTime();
            for (TlsConnection c : connections) {
                if (config.mode() == Mode.ECHO) {
                    c.send(now);
                } else {
                    c.open(now);
                }
            }
            EchoLoad.WindowCpu cpu = schedule.selectThroughWindow(selector, onReady);
            cpuAtStart = cpu.atStart();
            cpuAtEnd = cpu.atEnd();
        }

        private void ready(SelectionKey key) {
            TlsConnection c = (TlsConnection) key.attachment();
            try {
                if (key.isConnectable()) {
                    if (c.channel.finishConnect()) {
                        key.interestOps(SelectionKey.OP_READ);
                        c.connected();
                    }
                } else {
                    if (key.isReadable()) {
                        c.readable();
                    }
                    if (key.isValid() && key.isWritable()) {
                        c.flush();
                    }
                }
                if (c.cycleDone) {
                    c.finishCycle();
                    long now = System.nanoTime();
                    if (now - windowEnd < 0) {
                        c.open(now);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("TLS connection " + c.id + " failed after " + c.seq + " messages", e);
            }
        }

        /** A connection is through its handshake. */
        void handshakeDone(TlsConnection c) throws IOException {
            boolean full = tls.checkedCertificate(c.engine);
            if (config.mode() == Mode.ECHO) {
                pendingHandshakes--;
            } else {
                long now = System.nanoTime();
                if (now - windowStart >= 0 && now - windowEnd < 0) {
                    handshakes++;
                    resumed += full ? 0 : 1;
                }
                c.send(now);
            }
        }

        /** A connection's message has come back whole. */
        void echoed(TlsConnection c) throws IOException {
            long done = System.nanoTime();
            boolean inWindow = done - windowStart >= 0 && done - windowEnd < 0;
            if (config.mode() == Mode.ECHO) {
                if (inWindow) {
                    latency.record(done - c.sentAt);
                }
                c.seq++;
                c.send(done);
            } else {
                if (inWindow) {
                    latency.record(done - c.openedAt);
                }
                c.seq++;
                c.cycleDone = true;         // closed and reopened by ready(), outside the engine's pump
            }
        }
    }

    /** One TLS connection (or, in the handshake modes, one slot reused by connection after connection). */
    private static final class TlsConnection {
        final Worker worker;
        final int id;
        final ByteBuffer out;       // the message in flight, as sent (plaintext)
        ByteBuffer netIn;           // ciphertext read, not yet unwrapped (write mode)
        ByteBuffer netOut;          // ciphertext wrapped, not yet written (write mode)
        ByteBuffer appIn;           // plaintext of the last unwrapped record
        SocketChannel channel;
        SelectionKey key;
        SSLEngine engine;
        boolean handshaken;
        boolean writeInterest;
        boolean cycleDone;
        int received;               // bytes of the message in flight echoed so far
        long seq;
        long sentAt;
        long openedAt;

        TlsConnection(Worker worker, int id, int size) {
            this.worker = worker;
            this.id = id;
            this.out = ByteBuffer.allocate(size);
        }

        /** A new connection and engine; the handshake starts once connected. */
        void open(long now) throws IOException {
            Config config = worker.config;
            // The JDK's client cache keeps one session per host:port and uses a TLS 1.3 ticket once, so
            // concurrent cycles under one name would mostly find it taken: each slot resumes under a
            // name of its own (no dot, so the JDK sends it as no SNI; the load checks no host name).
            engine = BenchTls.restrict(config.mode() == Mode.HANDSHAKE_RESUMED
                    ? worker.client.createSSLEngine("slot" + id, config.port())
                    : worker.client.createSSLEngine());
            if (netIn == null) {
                int packet = engine.getSession().getPacketBufferSize();
                netIn = ByteBuffer.allocate(2 * packet);
                netOut = ByteBuffer.allocate(2 * packet);
                appIn = ByteBuffer.allocate(engine.getSession().getApplicationBufferSize());
            }
            netIn.clear();
            netOut.clear();
            appIn.clear();
            handshaken = false;
            writeInterest = false;
            cycleDone = false;
            openedAt = now;
            channel = SocketChannel.open();
            channel.configureBlocking(false);
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            boolean done = channel.connect(worker.server);
            key = channel.register(worker.selector, done ? SelectionKey.OP_READ : SelectionKey.OP_CONNECT, this);
            if (done) {
                connected();
            }
        }

        void connected() throws IOException {
            engine.beginHandshake();
            pump();
        }

        void readable() throws IOException {
            int n = channel.read(netIn);
            if (n < 0) {
                throw new IllegalStateException("the server closed TLS connection " + id
                        + (handshaken ? " during message " + seq : " during its handshake") + ", "
                        + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - openedAt) + " ms after it was opened");
            }
            pump();
        }

        /** Sends message {@link #seq}: one record of {@code size} bytes (up to 16 KiB). */
        void send(long now) throws IOException {
            EchoLoad.Connection.fill(out, id, seq);
            received = 0;
            sentAt = now;
            while (out.hasRemaining()) {
                check(engine.wrap(out, netOut), "wrap");
            }
            flush();
        }

        /** Writes what is wrapped; asks for OP_WRITE while the socket does not take it all. */
        void flush() throws IOException {
            if (netOut.position() > 0) {
                netOut.flip();
                channel.write(netOut);
                netOut.compact();
            }
            boolean pending = netOut.position() > 0;
            if (pending != writeInterest) {
                key.interestOps(pending ? SelectionKey.OP_READ | SelectionKey.OP_WRITE : SelectionKey.OP_READ);
                writeInterest = pending;
            }
        }

        /** Runs the engine as far as the bytes at hand allow, then writes what it produced. */
        private void pump() throws IOException {
            netIn.flip();
            try {
                while (!cycleDone) {
                    HandshakeStatus hs = engine.getHandshakeStatus();
                    if (hs == HandshakeStatus.NEED_TASK) {
                        for (Runnable task = engine.getDelegatedTask(); task != null; task = engine.getDelegatedTask()) {
                            task.run();
                        }
                        continue;
                    }
                    if (hs == HandshakeStatus.NEED_WRAP) {
                        SSLEngineResult r = check(engine.wrap(EMPTY, netOut), "handshake wrap");
                        if (r.getHandshakeStatus() == HandshakeStatus.FINISHED) {
                            handshakeFinished();
                        }
                        continue;
                    }
                    if (!netIn.hasRemaining()) {
                        break;
                    }
                    SSLEngineResult r = engine.unwrap(netIn, appIn);
                    if (r.getStatus() == SSLEngineResult.Status.BUFFER_UNDERFLOW) {
                        break;              // the rest of the record is still on its way
                    }
                    check(r, "unwrap");
                    if (r.getHandshakeStatus() == HandshakeStatus.FINISHED) {
                        handshakeFinished();
                    }
                    if (appIn.position() > 0) {
                        plaintext();
                    }
                }
            } finally {
                netIn.compact();
            }
            if (!handshaken && engine.getHandshakeStatus() == HandshakeStatus.NOT_HANDSHAKING) {
                handshakeFinished();        // in case an engine ends its handshake without saying FINISHED
            }
            if (!cycleDone) {
                flush();
            }
        }

        private void handshakeFinished() throws IOException {
            if (!handshaken) {
                handshaken = true;
                worker.handshakeDone(this);
            }
        }

        /** Checks unwrapped bytes against the message in flight. */
        private void plaintext() throws IOException {
            byte[] got = appIn.array();
            int n = appIn.position();
            int size = out.capacity();
            if (received + n > size) {
                throw new EchoLoad.EchoMismatchException("TLS connection " + id + ", message " + seq + ": "
                        + (received + n) + " bytes echoed but only " + size + " sent");
            }
            int at = Arrays.mismatch(got, 0, n, out.array(), received, received + n);
            if (at >= 0) {
                throw new EchoLoad.EchoMismatchException(String.format(Locale.ROOT,
                        "TLS connection %d, message %d of %d bytes: byte %d is 0x%02x, sent 0x%02x", id, seq, size,
                        received + at, got[at], out.get(received + at)));
            }
            received += n;
            appIn.clear();
            if (received == size) {
                worker.echoed(this);
            }
        }

        /** Handshake modes: the cycle's echo is back; {@code close_notify}, then close. */
        void finishCycle() throws IOException {
            engine.closeOutbound();
            netOut.clear();
            check(engine.wrap(EMPTY, netOut), "close_notify wrap");
            netOut.flip();
            channel.write(netOut);      // best effort: a few dozen bytes into an empty send buffer
            channel.close();
        }

        void closeQuietly() {
            if (channel != null) {
                try {
                    channel.close();
                } catch (IOException e) {
                    // the run is over; nothing to report to
                }
            }
        }

        private SSLEngineResult check(SSLEngineResult r, String what) {
            if (r.getStatus() != SSLEngineResult.Status.OK
                    && !(r.getStatus() == SSLEngineResult.Status.CLOSED && engine.isOutboundDone())) {
                throw new IllegalStateException("TLS connection " + id + ": " + what + " returned " + r.getStatus()
                        + " (handshake " + r.getHandshakeStatus() + ")");
            }
            return r;
        }
    }
}
