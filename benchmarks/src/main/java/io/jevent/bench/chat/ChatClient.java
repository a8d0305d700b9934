package io.jevent.bench.chat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

/**
 * One protocol client of the chat load: user {@code u<index>}, its socket, its output waiting for the
 * socket, the send times of its commands waiting for their {@code OK}, and what it has received from
 * each sender (for the checks). Parses and writes ASCII bytes directly: the lines the load sends and
 * checks hold only names, digits and spaces, so nothing is decoded or allocated per line.
 *
 * <p>Threading: belongs to one {@link ChatWorker}'s thread; read by the caller of {@link ChatLoad#run}
 * only after that thread has ended.
 */
final class ChatClient {
    /** Users per loopback source address: the server allows 20 LOGIN attempts a minute per address. */
    static final int USERS_PER_ADDRESS = 16;
    private static final int IN_BYTES = 64 * 1024;
    private static final int OUT_BYTES = 16 * 1024;

    enum State { DOWN, CONNECTING, HELLO, LOGGING_IN, READY }

    final int index;
    final byte[] name;
    final ByteBuffer in = ByteBuffer.allocate(IN_BYTES);
    final ByteBuffer out = ByteBuffer.allocate(OUT_BYTES);
    SocketChannel channel;
    SelectionKey key;
    State state = State.DOWN;
    /** Whether it is in its worker's list of clients with output to flush. */
    boolean inDirtyList;
    /** When a DOWN client may try to connect again (nanoTime), during a reconnect. */
    long retryAt;
    /**
     * The resume token of the last LOGIN (its reply's {@code TOKEN <token>} line), or null: the
     * reconnect storm logs in again with {@code RESUME <name> <token>} instead of LOGIN when it has one.
     */
    String resumeToken;

    // Sending (senders only).
    /** Slot of this user among the senders, or -1. */
    final int senderSlot;
    /** Recipient's name for MSG, or null for SAY. */
    final byte[] recipient;
    /** Send times (for the ack latency) of the commands in flight, oldest first: a ring. */
    final long[] inFlight;
    int head;
    int tail;
    long sent;
    long acked;
    /** Next scheduled send (paced cells), nanoTime. */
    long nextAt;

    // Receiving: per sender slot, the next sequence number expected and how many arrived.
    final int[] expect;
    final int[] count;
    long lastGroupId;

    ChatClient(int index, int senderSlot, String recipient, int inFlightMax, int senderSlots) {
        this.index = index;
        this.name = ("u" + index).getBytes(StandardCharsets.US_ASCII);
        this.senderSlot = senderSlot;
        this.recipient = recipient == null ? null : recipient.getBytes(StandardCharsets.US_ASCII);
        this.inFlight = new long[senderSlot >= 0 ? Math.max(1, inFlightMax) : 1];
        this.expect = new int[senderSlots];
        this.count = new int[senderSlots];
    }

    int pending() {
        return tail - head;
    }

    /**
     * The loopback address this user connects from: 127.0.0.2 upwards, {@value #USERS_PER_ADDRESS}
     * users each, so no address reaches the server's LOGIN limit (20 attempts a minute per address) and
     * the production limits stay on.
     */
    InetSocketAddress source() {
        int a = 2 + index / USERS_PER_ADDRESS;
        try {
            return new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, (byte) (a >> 8), (byte) a}), 0);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Starts a non-blocking connect; {@code true} if it finished at once. */
    boolean connect(Selector selector, InetSocketAddress server) throws IOException {
        close();
        in.clear();
        out.clear();
        head = tail;
        channel = SocketChannel.open();
        channel.configureBlocking(false);
        channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        channel.bind(source());
        boolean done = channel.connect(server);
        key = channel.register(selector, done ? SelectionKey.OP_READ : SelectionKey.OP_CONNECT, this);
        state = done ? State.HELLO : State.CONNECTING;
        return done;
    }

    void close() {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                // closing anyway; nothing to report
            }
            channel = null;
            key = null;
        }
    }

    // ---- writing commands into the output buffer (the worker flushes dirty clients) ----

    void login(byte[] password) {
        if (resumeToken != null) {
            put("RESUME ").put(name).put(' ').put(resumeToken).put('\n');
        } else {
            put("LOGIN ").put(name).put(' ').put(password).put('\n');
        }
        state = State.LOGGING_IN;
    }

    /** Sends message number {@link #sent}, stamped with {@code at} (nanoTime), and remembers it for its ack. */
    void sendMessage(long at) {
        if (recipient != null) {
            put("MSG ").put(recipient).put(' ');
        } else {
            put("SAY ");
        }
        putLong(sent).put(' ').putLong(at).put('\n');
        inFlight[tail++ % inFlight.length] = at;
        sent++;
    }

    /** Pops the oldest command in flight; its send time. */
    long ack() {
        if (head == tail) {
            throw new IllegalStateException("u" + index + ": an OK for a message it did not send");
        }
        acked++;
        return inFlight[head++ % inFlight.length];
    }

    ChatClient put(String ascii) {
        for (int i = 0; i < ascii.length(); i++) {
            out.put((byte) ascii.charAt(i));
        }
        return this;
    }

    ChatClient put(byte[] b) {
        out.put(b);
        return this;
    }

    ChatClient put(char c) {
        out.put((byte) c);
        return this;
    }

    ChatClient putLong(long v) {
        if (v < 0) {
            throw new IllegalArgumentException("negative: " + v);
        }
        int digits = 1;
        for (long t = v / 10; t > 0; t /= 10) {
            digits++;
        }
        int at = out.position();
        for (int i = at + digits - 1; i >= at; i--, v /= 10) {
            out.put(i, (byte) ('0' + v % 10));
        }
        out.position(at + digits);
        return this;
    }
}
