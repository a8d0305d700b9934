package io.jevent.bench.chat;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;

import io.jevent.bench.echo.LatencyHistogram;

/**
 * One load thread: its share of the clients on its own selector. Connects and logs them in, sends for
 * the senders among them when the run says so, and reads and checks every line they receive.
 *
 * <p>Threading: everything here belongs to this worker's thread but the {@link ChatLoad.Control} it
 * shares with the caller; the caller reads the rest after joining the thread.
 */
final class ChatWorker implements Runnable {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    /** Connects started at once per worker: the server's listen backlog is 511. */
    private static final int CONNECT_BATCH = 100;

    final ChatLoad.Control control;
    final List<ChatClient> clients = new ArrayList<>();
    final List<ChatClient> senders = new ArrayList<>();
    final LatencyHistogram ackLatency = new LatencyHistogram();
    final LatencyHistogram deliveryLatency = new LatencyHistogram();
    /** From the time the store's writer stamped the message (epoch ms) to its arrival: ms resolution. */
    final LatencyHistogram storedLatency = new LatencyHistogram();
    private final List<ChatClient> dirty = new ArrayList<>();
    private final Consumer<SelectionKey> onReady = this::ready;
    private Selector selector;
    private int connecting;
    private int nextToConnect;
    long ackedInWindow;
    long deliveredInWindow;
    long reordered;
    long cpuAtStart;
    long cpuAtEnd;
    private boolean measuring;
    private long deliveredUnpublished;
    private long now;
    /** Wall-clock time of the read being parsed, epoch ms (the store stamps messages in it). */
    private long wallAt;
    /** The numeric fields of the delivery being parsed. */
    private final long[] fields = new long[5];

    ChatWorker(ChatLoad.Control control) {
        this.control = control;
    }

    @Override
    public void run() {
        try (Selector s = Selector.open()) {
            selector = s;
            while (control.phase != ChatLoad.Phase.STOP && control.failure.get() == null) {
                now = System.nanoTime();
                ChatLoad.Phase phase = control.phase;
                if (phase == ChatLoad.Phase.LOGIN || phase == ChatLoad.Phase.RECONNECT) {
                    connectMore(phase == ChatLoad.Phase.RECONNECT);
                }
                if (phase == ChatLoad.Phase.RUN) {
                    if (!measuring && now - control.windowStart >= 0) {
                        measuring = true;
                        cpuAtStart = THREADS.getCurrentThreadCpuTime();
                    }
                    if (measuring && cpuAtEnd == 0 && now - control.windowEnd >= 0) {
                        cpuAtEnd = THREADS.getCurrentThreadCpuTime();
                    }
                    for (ChatClient c : senders) {
                        pump(c);
                    }
                }
                flush();
                selector.select(onReady, control.paced && phase == ChatLoad.Phase.RUN ? 1 : 5);
                if (deliveredUnpublished != 0) {
                    control.delivered.addAndGet(deliveredUnpublished);
                    deliveredUnpublished = 0;
                }
            }
        } catch (Throwable t) {
            control.fail(t);
        } finally {
            if (cpuAtEnd == 0) {
                cpuAtEnd = THREADS.getCurrentThreadCpuTime();
                if (!measuring) {
                    cpuAtStart = cpuAtEnd;
                }
            }
            for (ChatClient c : clients) {
                c.close();
            }
        }
    }

    /** Starts connects for DOWN clients, at most {@value #CONNECT_BATCH} under way. */
    private void connectMore(boolean reconnecting) throws IOException {
        InetSocketAddress server = new InetSocketAddress(InetAddress.getLoopbackAddress(), control.port);
        if (reconnecting && nextToConnect >= clients.size()) {
            nextToConnect = 0;              // another pass over the clients still down (retries)
        }
        while (connecting < CONNECT_BATCH && nextToConnect < clients.size()) {
            ChatClient c = clients.get(nextToConnect++);
            if (c.state != ChatClient.State.DOWN || now - c.retryAt < 0) {
                continue;
            }
            if (c.connect(selector, server)) {
                c.key.interestOps(SelectionKey.OP_READ);
            } else {
                connecting++;
            }
        }
    }

    /** Sends what the sender may: up to its in-flight limit, on schedule if paced, within the flow cap. */
    private void pump(ChatClient c) {
        if (c.state != ChatClient.State.READY) {
            return;
        }
        while (c.pending() < c.inFlight.length && control.phase == ChatLoad.Phase.RUN) {
            long at = now;
            if (control.periodNanos > 0) {
                if (now - c.nextAt < 0) {
                    return;
                }
                at = c.nextAt;
                c.nextAt += control.periodNanos;
            } else if (control.outstandingDeliveries() > control.deliveryCap) {
                return;
            }
            c.sendMessage(at);
            control.sent.incrementAndGet();
            markDirty(c);
        }
    }

    private void markDirty(ChatClient c) {
        if (!c.inDirtyList) {
            c.inDirtyList = true;
            dirty.add(c);
        }
    }

    private void flush() throws IOException {
        for (ChatClient c : dirty) {
            c.inDirtyList = false;
            if (c.channel == null || c.state == ChatClient.State.CONNECTING) {
                continue;
            }
            c.out.flip();
            c.channel.write(c.out);
            c.out.compact();
            c.key.interestOps(c.out.position() > 0 ? SelectionKey.OP_READ | SelectionKey.OP_WRITE : SelectionKey.OP_READ);
        }
        dirty.clear();
    }

    private void ready(SelectionKey key) {
        ChatClient c = (ChatClient) key.attachment();
        try {
            if (!key.isValid()) {
                return;
            }
            if (key.isConnectable()) {
                finishConnect(c);
                return;
            }
            if (key.isWritable()) {
                markDirty(c);
            }
            if (key.isReadable()) {
                read(c);
            }
        } catch (IOException e) {
            down(c, e.toString());
        }
    }

    private void finishConnect(ChatClient c) throws IOException {
        try {
            if (c.channel.finishConnect()) {
                connecting--;
                c.state = ChatClient.State.HELLO;
                c.key.interestOps(SelectionKey.OP_READ);
            }
        } catch (IOException e) {
            connecting--;
            if (control.phase != ChatLoad.Phase.RECONNECT) {
                throw new IllegalStateException("u" + c.index + " cannot connect to port " + control.port, e);
            }
            c.close();
            c.state = ChatClient.State.DOWN;        // the new server is not listening yet: retry, jittered
            c.retryAt = now + 20_000_000L + ThreadLocalRandom.current().nextLong(30_000_000L);
        }
    }

    private void read(ChatClient c) throws IOException {
        int n = c.channel.read(c.in);
        if (n < 0) {
            down(c, "end of stream");
            return;
        }
        byte[] b = c.in.array();
        int end = c.in.position();
        int start = 0;
        long at = System.nanoTime();
        wallAt = System.currentTimeMillis();
        for (int i = 0; i < end; i++) {
            if (b[i] == '\n') {
                line(c, b, start, i, at);
                start = i + 1;
            }
        }
        if (start == 0 && end == b.length) {
            throw new IllegalStateException("u" + c.index + ": a line longer than " + b.length + " bytes");
        }
        c.in.limit(end).position(start);
        c.in.compact();     // the unterminated rest moves to the buffer's start, ready for the next read
    }

    /** The server closed a client's connection: expected only across a restart (the storm). */
    private void down(ChatClient c, String why) {
        if (c.state == ChatClient.State.CONNECTING) {
            connecting--;
        }
        c.close();
        c.state = ChatClient.State.DOWN;
        c.retryAt = now;
        if (!control.expectRestart) {
            throw new IllegalStateException("u" + c.index + ": connection lost (" + why + ")");
        }
    }

    private void line(ChatClient c, byte[] b, int s, int e, long at) {
        switch (b[s]) {
            case 'G' -> delivery(c, b, s + "GROUP ".length(), e, at, true);
            case 'F' -> delivery(c, b, s + "FROM ".length(), e, at, false);
            case 'O' -> ok(c, b, s, e, at);
            case 'H' -> {                               // HELLO jevent-chat 1
                c.login(control.password);
                markDirty(c);
            }
            case 'T' -> c.resumeToken = text(b, s + "TOKEN ".length(), e);   // TOKEN <token>, before OK welcome
            case 'J' -> { }                             // JOIN <name>: others logging in
            case 'P' -> {
                if (e - s == 4) {                       // PING (keepalive is off, but answer anyway)
                    c.put("PING\n");
                    markDirty(c);
                }                                       // else PART <name>
            }
            case 'B' -> {
                if (!control.expectRestart) {
                    throw new IllegalStateException("u" + c.index + " got " + text(b, s, e));
                }
            }
            default -> throw new IllegalStateException("u" + c.index + " got " + text(b, s, e));
        }
    }

    private void ok(ChatClient c, byte[] b, int s, int e, long at) {
        // OK sent <id> | OK stored <id> | OK welcome <name> | OK pong | OK bye
        if (startsWith(b, s, e, "OK sent ") || startsWith(b, s, e, "OK stored ")) {
            long sentAt = c.ack();
            control.acked.incrementAndGet();
            if (inWindow(at)) {
                ackedInWindow++;
                ackLatency.record(at - sentAt);
            }
        } else if (startsWith(b, s, e, "OK welcome ")) {
            c.state = ChatClient.State.READY;
            if (c.senderSlot >= 0) {
                c.nextAt = now + control.periodNanos * c.senderSlot / Math.max(1, control.senderCount);
            }
            control.welcomed(at);
        }
    }

    /** GROUP|FROM {@code <name> <id> <epoch-ms> <seq> <sent-nanos>}: checks sender, order and count. */
    private void delivery(ChatClient c, byte[] b, int p, int e, long at, boolean group) {
        if (b[p] != 'u') {
            throw new IllegalStateException("u" + c.index + ": delivery from an unknown sender: " + text(b, p, e));
        }
        long[] v = fields;
        int q = p + 1;
        for (int f = 0; f < 5; f++) {           // sender index, id, epoch-ms, seq, sent-nanos
            long x = 0;
            int from = q;
            for (; q < e && b[q] != ' '; q++) {
                int d = b[q] - '0';
                if (d < 0 || d > 9) {
                    throw new IllegalStateException("u" + c.index + ": not a load message: " + text(b, p, e));
                }
                x = x * 10 + d;
            }
            if (q == from || (q == e && f < 4)) {
                throw new IllegalStateException("u" + c.index + ": not a load message: " + text(b, p, e));
            }
            v[f] = x;
            q++;
        }
        int slot = control.slotOf((int) v[0]);
        if (slot < 0 || (group && v[0] == c.index)) {
            throw new IllegalStateException("u" + c.index + ": a delivery from u" + v[0] + ", who does not send to it");
        }
        c.count[slot]++;
        if (v[3] == c.expect[slot]) {
            c.expect[slot]++;
        } else {
            reordered++;
            c.expect[slot] = (int) Math.max(c.expect[slot], v[3] + 1);
        }
        if (group) {
            if (v[1] <= c.lastGroupId) {
                reordered++;                     // every user gets GROUP events in id order
            }
            c.lastGroupId = v[1];
        }
        deliveredUnpublished++;
        if (inWindow(at)) {
            deliveredInWindow++;
            deliveryLatency.record(at - v[4]);
            storedLatency.record(Math.max(0, wallAt - v[2]) * 1_000_000L);
        }
    }

    private boolean inWindow(long at) {
        return at - control.windowStart >= 0 && at - control.windowEnd < 0;
    }

    private static boolean startsWith(byte[] b, int s, int e, String prefix) {
        if (e - s < prefix.length()) {
            return false;
        }
        for (int i = 0; i < prefix.length(); i++) {
            if (b[s + i] != prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static String text(byte[] b, int s, int e) {
        return new String(b, s, e - s, StandardCharsets.UTF_8);
    }
}
