package io.jevent.chat.server;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.LongSupplier;

/**
 * The {@link SendLimits} of every user: a pair of token buckets per user id, made full on the user's
 * first message.
 *
 * <h2>Threading</h2>
 * Any thread. A user is served by one loop at a time, but a login that takes over a session on
 * another loop can briefly overlap the old one, so each user's buckets are guarded by their own lock
 * (uncontended in practice); the map is concurrent.
 *
 * <h2>Memory</h2>
 * When a user goes offline with full buckets (indistinguishable from new ones) they are dropped, so
 * what is kept is bounded by the users online plus those who left within a burst's refill time of
 * their last message — and by the number of accounts in any case.
 */
final class SendLimiter {
    private final SendLimits limits;
    private final LongSupplier nanoClock;
    private final ConcurrentMap<Long, Quota> quotas = new ConcurrentHashMap<>();

    /**
     * @param limits    the limits; {@link SendLimits#OFF} lets everything pass
     * @param nanoClock monotonic time in nanoseconds ({@code System::nanoTime}; a manual clock in tests)
     */
    SendLimiter(SendLimits limits, LongSupplier nanoClock) {
        this.limits = limits;
        this.nanoClock = nanoClock;
    }

    /**
     * Charges one message of {@code textBytes} bytes to {@code userId}, if both buckets allow it.
     *
     * @return true to go on; false to reply {@code ERR 429 slow down} (nothing is charged then)
     */
    boolean tryAcquire(long userId, int textBytes) {
        if (!limits.enabled()) {
            return true;
        }
        while (true) {
            Boolean allowed = quotas.computeIfAbsent(userId, id -> new Quota()).tryAcquire(textBytes);
            if (allowed != null) {
                return allowed;
            }
            // Retired by offline() just now; the map no longer holds it once offline() returns.
        }
    }

    /** {@code userId} went offline: forget their buckets if they are full. */
    void offline(long userId) {
        if (limits.enabled()) {
            quotas.computeIfPresent(userId, (id, quota) -> quota.retireIfFull() ? null : quota);
        }
    }

    /** Users whose buckets are kept (for tests). */
    int tracked() {
        return quotas.size();
    }

    private final class Quota {
        private final TokenBucket messages = new TokenBucket(limits.messageBurst(), limits.messagesPerSecond(), nanoClock);
        private final TokenBucket bytes = new TokenBucket(limits.byteBurst(), limits.bytesPerSecond(), nanoClock);

        /** Set once dropped from the map: a charge to it would be lost, so the caller fetches the new one. */
        private boolean retired;

        /** @return whether it was charged, or null if it is retired */
        synchronized Boolean tryAcquire(int textBytes) {
            if (retired) {
                return null;
            }
            messages.refill();
            bytes.refill();
            if (!messages.has(1) || !bytes.has(textBytes)) {
                return false;
            }
            messages.take(1);
            bytes.take(textBytes);
            return true;
        }

        synchronized boolean retireIfFull() {
            retired = messages.isFull() && bytes.isFull();
            return retired;
        }
    }
}
