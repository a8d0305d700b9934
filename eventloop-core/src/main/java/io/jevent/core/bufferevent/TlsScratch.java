package io.jevent.core.bufferevent;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * The direct buffers a thread's TLS connections borrow while one of them is being driven: the
 * ciphertext read from the socket ({@code netIn}), the records to write ({@code netOut}) and the
 * decrypted bytes not yet in the input ({@code appIn}). A connection takes them at the start of a pump
 * and gives each back at its end when it is empty; it keeps one only while something is left in it (a
 * partial record, ciphertext the kernel did not take, plaintext above the input's high watermark). So
 * a thousand idle connections hold no buffers, and those being driven reuse the same few, which stay
 * in the cache.
 *
 * <p>One per thread ({@link #get}): a loop's connections are driven on the loop's thread only, so the
 * stacks need no lock. A pump that runs inside another's callback (a second connection driven from a
 * first one's callback) takes buffers of its own from the stacks, or allocates them when the stacks
 * are empty; at most {@link #KEPT} of each kind are kept.
 */
final class TlsScratch {
    private static final int KEPT = 4;
    private static final ThreadLocal<TlsScratch> PER_THREAD = ThreadLocal.withInitial(TlsScratch::new);

    private final ArrayDeque<ByteBuffer> netIn = new ArrayDeque<>(KEPT);
    private final ArrayDeque<ByteBuffer> netOut = new ArrayDeque<>(KEPT);
    private final ArrayDeque<ByteBuffer> appIn = new ArrayDeque<>(KEPT);

    private TlsScratch() {
    }

    /** The calling thread's buffers. */
    static TlsScratch get() {
        return PER_THREAD.get();
    }

    ByteBuffer takeNetIn(int capacity) {
        return take(netIn, capacity);
    }

    ByteBuffer takeNetOut(int capacity) {
        return take(netOut, capacity);
    }

    ByteBuffer takeAppIn(int capacity) {
        return take(appIn, capacity);
    }

    /** Gives back an empty {@code netIn}; returns null, what the connection holds from now on. */
    ByteBuffer giveNetIn(ByteBuffer b) {
        give(netIn, b);
        return null;
    }

    /** Gives back an empty {@code netOut}; returns null. */
    ByteBuffer giveNetOut(ByteBuffer b) {
        give(netOut, b);
        return null;
    }

    /** Gives back an empty {@code appIn}; returns null. */
    ByteBuffer giveAppIn(ByteBuffer b) {
        give(appIn, b);
        return null;
    }

    private static ByteBuffer take(ArrayDeque<ByteBuffer> stack, int capacity) {
        ByteBuffer b = stack.pollLast();
        if (b == null || b.capacity() < capacity) {
            // A smaller one (a session with smaller records came first) is dropped: the larger serves both.
            return ByteBuffer.allocateDirect(capacity);
        }
        return b;
    }

    private static void give(ArrayDeque<ByteBuffer> stack, ByteBuffer b) {
        b.clear();
        if (stack.size() < KEPT) {
            stack.addLast(b);
        }
    }
}
