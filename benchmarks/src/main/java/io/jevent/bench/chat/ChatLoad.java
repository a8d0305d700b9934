package io.jevent.bench.chat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import io.jevent.bench.echo.LatencyHistogram;

/**
 * The chat benchmark's load generator, plain NIO: N real protocol clients (users {@code u0 … u<N-1>},
 * seeded with one password) on a few threads, each with its own selector ({@link ChatWorker}). Each
 * client connects from a loopback address of its own group ({@link ChatClient#source()}), reads
 * {@code HELLO}, logs in, and then:
 * <ul>
 *   <li>group cells: the first S users send {@code SAY <seq> <nanos>}, up to W in flight each
 *       (answered {@code OK sent} after the commit), either as fast as they can (within a cap on
 *       deliveries not yet received, so the server is never pushed to drop a client as a slow
 *       consumer) or on a schedule; every user checks every {@code GROUP} line.</li>
 *   <li>private cells: every user i sends {@code MSG u<i+1> <seq> <nanos>} with W in flight; user
 *       i+1 checks every {@code FROM} line. No {@code SEEN} is sent: a line counts as delivered once
 *       the server has written it to the socket (docs/protocol.md).</li>
 * </ul>
 * Checks: each delivery must come from a user who sends to this one, with the next sequence number of
 * that sender (else it counts as reordered), and group ids must increase. After the window the
 * senders stop, everything sent must be acknowledged and delivered within {@link #DRAIN}, and then
 * every (sender, recipient) pair must have received exactly what was sent: the shortfall is
 * {@link Result#lost()}. Latencies: ack = OK time − send time; delivery = arrival − send time (both
 * clocks are this JVM's nanoTime; paced sends are stamped with their scheduled time, so a late send
 * counts as late); stored = arrival − the time the server's store writer stamped the message (the
 * epoch-ms field of the line, so whole milliseconds, and the same machine's wall clock): the part of
 * the delivery latency after the message reached the writer, that is its commit, hand-off and fan-out.
 *
 * <p>Threading: {@link #run} blocks its caller, which drives the phases; the workers are its own.
 */
public final class ChatLoad {
    /** How long the senders' last messages may take to be acknowledged and delivered. */
    static final Duration DRAIN = Duration.ofSeconds(10);
    private static final Duration LOGIN_TIMEOUT = Duration.ofSeconds(60);

    enum Phase { LOGIN, RUN, DRAIN, IDLE, RECONNECT, STOP }

    /**
     * One cell.
     *
     * @param name     its row in the table
     * @param group    SAY to everyone, or MSG to the next user
     * @param users    clients logged in
     * @param senders  how many of them send (all of them for private cells)
     * @param inFlight messages each sender may have unacknowledged
     * @param rate     messages per second all senders together, or 0 for as fast as possible
     * @param warmup   traffic before the window, not counted
     * @param window   the measurement window
     */
    public record Cell(String name, boolean group, int users, int senders, int inFlight, double rate,
                       Duration warmup, Duration window) {
    }

    /**
     * What a cell measured. Rates and latencies over the window; {@code lost}, {@code reordered} and
     * {@code sent} over the whole run (warm-up and drain included).
     */
    public record Result(long ackedInWindow, long deliveredInWindow, double seconds, LatencyHistogram ack,
                         LatencyHistogram delivery, LatencyHistogram stored, long sent, long lost, long duplicated, long reordered,
                         double loadCores) {
    }

    /** Told at the window's edges, on the caller's thread. */
    public interface Window {
        void opened();

        void closed();
    }

    /** What the caller and the workers share. */
    static final class Control {
        final byte[] password;
        final int senderCount;
        final int[] slots;
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final AtomicLong sent = new AtomicLong();
        final AtomicLong acked = new AtomicLong();
        final AtomicLong delivered = new AtomicLong();
        final AtomicInteger loggedIn = new AtomicInteger();
        final AtomicLong lastWelcome = new AtomicLong();
        final long deliveriesPerMessage;
        final long deliveryCap;
        final long periodNanos;
        final boolean paced;
        volatile Phase phase = Phase.LOGIN;
        volatile int port;
        volatile boolean expectRestart;
        /** nanoTime deadlines; written before the phase becomes RUN, read after. */
        volatile long windowStart = Long.MAX_VALUE;
        volatile long windowEnd = Long.MAX_VALUE;

        Control(String password, int port, int users, int senderCount, boolean group, double rate) {
            this.password = password.getBytes(StandardCharsets.US_ASCII);
            this.port = port;
            this.senderCount = senderCount;
            this.slots = new int[users];
            for (int i = 0; i < users; i++) {
                slots[i] = i < senderCount ? i : -1;
            }
            this.deliveriesPerMessage = group ? users - 1 : 1;
            // Group cells: at most this many deliveries sent but not yet read, 1,024 messages' worth,
            // about 50 KiB per client, far below the server's slow-consumer mark (1 MiB). Private
            // cells need no cap: each sender's in-flight limit bounds what its recipient has unread.
            this.deliveryCap = group ? 1024 * deliveriesPerMessage : Long.MAX_VALUE;
            this.paced = rate > 0;
            this.periodNanos = rate > 0 ? (long) (senderCount * 1e9 / rate) : 0;
        }

        int slotOf(int user) {
            return user >= 0 && user < slots.length ? slots[user] : -1;
        }

        long outstandingDeliveries() {
            return sent.get() * deliveriesPerMessage - delivered.get();
        }

        void welcomed(long at) {
            lastWelcome.accumulateAndGet(at, Math::max);
            loggedIn.incrementAndGet();
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
                throw new IllegalStateException("chat load failed", t);
            }
        }
    }

    private final Control control;
    private final List<ChatWorker> workers = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final int users;
    private final boolean group;

    /**
     * Creates the clients and starts the workers, which connect and log everyone in at once.
     *
     * @param port     the chat server's port on 127.0.0.1
     * @param password every user's password
     * @param cell     what to run (for the storm: users only, no senders)
     * @param nThreads load threads
     */
    ChatLoad(int port, String password, Cell cell, int nThreads) {
        this.users = cell.users();
        this.group = cell.group();
        int senders = cell.group() ? cell.senders() : cell.users();
        this.control = new Control(password, port, users, senders, cell.group(), cell.rate());
        for (int t = 0; t < nThreads; t++) {
            workers.add(new ChatWorker(control));
        }
        for (int i = 0; i < users; i++) {
            int slot = control.slotOf(i);
            String recipient = cell.group() || slot < 0 ? null : "u" + ((i + 1) % users);
            ChatClient c = new ChatClient(i, slot, recipient, cell.inFlight(), senders);
            ChatWorker w = workers.get(i % nThreads);
            w.clients.add(c);
            if (slot >= 0) {
                w.senders.add(c);
            }
        }
        for (int t = 0; t < nThreads; t++) {
            Thread thread = new Thread(workers.get(t), "chat-load-" + t);
            thread.setDaemon(true);
            threads.add(thread);
            thread.start();
        }
    }

    /** Waits until every user is logged in. */
    void awaitLoggedIn() {
        long deadline = System.nanoTime() + LOGIN_TIMEOUT.toNanos();
        while (control.loggedIn.get() < users) {
            control.failIfFailed();
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException(control.loggedIn.get() + " of " + users + " users logged in after "
                        + LOGIN_TIMEOUT.toSeconds() + " s");
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
    }

    /**
     * Runs a cell on logged-in clients: warm-up, window, drain; then stops the workers and checks.
     *
     * @throws IllegalStateException if a client failed, got an unexpected line, or the drain timed out
     */
    Result run(Duration warmup, Duration window, Window callbacks) throws InterruptedException {
        try {
            long start = System.nanoTime();
            control.windowStart = start + warmup.toNanos();
            control.windowEnd = control.windowStart + window.toNanos();
            control.phase = Phase.RUN;
            sleepUntil(control.windowStart);
            callbacks.opened();
            sleepUntil(control.windowEnd);
            callbacks.closed();
            control.phase = Phase.DRAIN;
            long deadline = System.nanoTime() + DRAIN.toNanos();
            while (control.acked.get() < control.sent.get()
                    || control.delivered.get() < control.sent.get() * control.deliveriesPerMessage) {
                control.failIfFailed();
                if (System.nanoTime() - deadline > 0) {
                    break;                      // what is missing is counted as lost below
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
            }
        } finally {
            stop();
        }
        control.failIfFailed();
        return result(window);
    }

    /** Stops the workers and closes every client. Idempotent. */
    void stop() throws InterruptedException {
        control.phase = Phase.STOP;
        for (Thread t : threads) {
            t.join();
        }
    }

    /** After the initial login: the server is about to restart, so lost connections are expected. */
    void expectRestart() {
        control.expectRestart = true;
        control.phase = Phase.IDLE;
    }

    /**
     * Reconnects every client to {@code port} (the restarted server) and logs each in again (RESUME if
     * it holds a token, else LOGIN); returns how many were logged in by {@code timeout}, and when the
     * last of those was (nanoTime).
     */
    long[] reconnect(int port, Duration timeout) {
        control.loggedIn.set(0);
        control.port = port;
        long start = System.nanoTime();
        control.phase = Phase.RECONNECT;
        long deadline = start + timeout.toNanos();
        while (control.loggedIn.get() < users && System.nanoTime() - deadline < 0) {
            control.failIfFailed();
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
        }
        return new long[] {control.loggedIn.get(), control.lastWelcome.get() - start, start};
    }

    /** How many clients hold a resume token (0 with today's server). */
    int withResumeToken() {
        int n = 0;
        for (ChatWorker w : workers) {
            for (ChatClient c : w.clients) {
                n += c.resumeToken != null ? 1 : 0;
            }
        }
        return n;
    }

    private Result result(Duration window) {
        LatencyHistogram ack = new LatencyHistogram();
        LatencyHistogram delivery = new LatencyHistogram();
        LatencyHistogram stored = new LatencyHistogram();
        long acked = 0;
        long delivered = 0;
        long reordered = 0;
        long cpu = 0;
        long[] sentBySlot = new long[control.senderCount];
        List<ChatClient> all = new ArrayList<>();
        for (ChatWorker w : workers) {
            ack.add(w.ackLatency);
            delivery.add(w.deliveryLatency);
            stored.add(w.storedLatency);
            acked += w.ackedInWindow;
            delivered += w.deliveredInWindow;
            reordered += w.reordered;
            cpu += w.cpuAtEnd - w.cpuAtStart;
            for (ChatClient c : w.clients) {
                all.add(c);
                if (c.senderSlot >= 0) {
                    sentBySlot[c.senderSlot] = c.sent;
                }
            }
        }
        long lost = 0;
        long duplicated = 0;
        for (ChatClient r : all) {
            for (int slot = 0; slot < control.senderCount; slot++) {
                long expected = expectedFrom(slot, r.index) ? sentBySlot[slot] : 0;
                long got = r.count[slot];
                lost += Math.max(0, expected - got);
                duplicated += Math.max(0, got - expected);
            }
        }
        double seconds = window.toNanos() / 1e9;
        return new Result(acked, delivered, seconds, ack, delivery, stored, control.sent.get(), lost, duplicated, reordered,
                cpu / (double) window.toNanos());
    }

    /** Whether the sender in {@code slot} (user {@code slot}) sends to user {@code recipient}. */
    private boolean expectedFrom(int slot, int recipient) {
        return group ? slot != recipient : (slot + 1) % users == recipient;
    }

    private void sleepUntil(long deadline) {
        for (long left = deadline - System.nanoTime(); left > 0; left = deadline - System.nanoTime()) {
            control.failIfFailed();
            LockSupport.parkNanos(Math.min(left, TimeUnit.MILLISECONDS.toNanos(20)));
        }
    }
}
