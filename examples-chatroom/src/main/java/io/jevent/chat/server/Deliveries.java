package io.jevent.chat.server;

import java.util.ArrayDeque;
import java.util.Arrays;

/**
 * The private messages written to one connection and not yet known to be received, in the order
 * they were written, and those known received but not yet marked delivered in the store.
 *
 * <p>A message is <em>received</em> when the client acknowledges it, or any message written after
 * it, with {@code SEEN <id>} (TCP keeps the order, so it has every line before that one too); a
 * connection that has never sent {@code SEEN} is taken to have received what has left the output
 * buffer for the socket (the fallback for clients that do not acknowledge). What is written but not
 * received when the connection ends (dropped as a slow consumer, closed, logged out) stays
 * undelivered in the store and is sent again at the next login.
 *
 * <p>Threading: owned by the session's loop thread, like the session.
 */
final class Deliveries {
    /**
     * Most lines tracked per connection. A client that sent SEEN once and then stopped would
     * otherwise grow this without end; beyond it the oldest are forgotten, which only means they
     * stay pending and come again at the next login.
     */
    static final int MAX_UNCONFIRMED = 4096;

    /** One FROM line: where the output stream ends after it, and its message id. */
    private record Written(long endOffset, long messageId) {
    }

    private final ArrayDeque<Written> unconfirmed = new ArrayDeque<>();
    private long[] received = new long[8];
    private int receivedCount;
    /** The client sends SEEN: leaving the buffer no longer counts as received. */
    private boolean acknowledging;

    /** A FROM line for {@code messageId} was queued; the output stream ends at {@code endOffset} after it. */
    void written(long messageId, long endOffset) {
        if (unconfirmed.size() == MAX_UNCONFIRMED) {
            unconfirmed.removeFirst();
        }
        unconfirmed.addLast(new Written(endOffset, messageId));
    }

    /**
     * {@code SEEN <id>}: every message written up to and including {@code messageId} is received.
     * An id this connection has not written (or already confirmed) confirms nothing.
     */
    void seen(long messageId) {
        acknowledging = true;
        boolean found = false;
        for (Written w : unconfirmed) {
            if (w.messageId() == messageId) {
                found = true;
                break;
            }
        }
        if (!found) {
            return;
        }
        Written w;
        do {
            w = unconfirmed.removeFirst();
            receive(w.messageId());
        } while (w.messageId() != messageId);
    }

    /**
     * For a client that never sent SEEN: every message whose line has left the output buffer
     * ({@code sentBytes} is how much of the stream has) counts as received.
     */
    void sent(long sentBytes) {
        if (acknowledging) {
            return;
        }
        while (!unconfirmed.isEmpty() && unconfirmed.peekFirst().endOffset() <= sentBytes) {
            receive(unconfirmed.removeFirst().messageId());
        }
    }

    /** Whether anything is written but unconfirmed, or confirmed but not yet taken. */
    boolean isEmpty() {
        return unconfirmed.isEmpty() && receivedCount == 0;
    }

    /** Whether there are received ids to take. */
    boolean hasReceived() {
        return receivedCount > 0;
    }

    /** The ids known received since the last call, for the store; then forgets them. */
    long[] takeReceived() {
        long[] ids = Arrays.copyOf(received, receivedCount);
        receivedCount = 0;
        return ids;
    }

    /** The connection ends: what is still unconfirmed stays undelivered (sent again at the next login). */
    void abandonUnconfirmed() {
        unconfirmed.clear();
    }

    private void receive(long messageId) {
        if (receivedCount == received.length) {
            received = Arrays.copyOf(received, receivedCount * 2);
        }
        received[receivedCount++] = messageId;
    }
}
