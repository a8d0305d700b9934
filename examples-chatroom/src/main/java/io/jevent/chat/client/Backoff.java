package io.jevent.chat.client;

import java.time.Duration;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * Reconnect delays with "decorrelated jitter": each delay is drawn uniformly between {@code first}
 * and three times the previous one, never above {@code cap}; back to {@code first} once a connection
 * works. So the delays grow about as fast as doubling does, but when a server restart drops a
 * thousand clients at once they do not all come back in the same millisecond (which would make the
 * restarted server refuse or queue most of them, and bring them back together again). Loop thread
 * only (plain fields, no locking).
 */
final class Backoff {
    private final Duration first;
    private final Duration cap;
    private final RandomGenerator random;
    private long previousNanos;

    /**
     * @param first the shortest delay, and the base after {@link #reset}
     * @param cap   the longest delay
     * @throws IllegalArgumentException unless 0 &lt; first &lt;= cap
     */
    Backoff(Duration first, Duration cap) {
        this(first, cap, new SplittableRandom());
    }

    /** As {@link #Backoff(Duration, Duration)}, drawing from {@code random} (a seeded one in tests). */
    Backoff(Duration first, Duration cap, RandomGenerator random) {
        if (first.isNegative() || first.isZero() || cap.compareTo(first) < 0) {
            throw new IllegalArgumentException("need 0 < first <= cap: " + first + ", " + cap);
        }
        this.first = first;
        this.cap = cap;
        this.random = random;
        this.previousNanos = first.toNanos();
    }

    /** @return the delay before the coming attempt: in [first, min(cap, 3 × the previous delay)] */
    Duration nextDelay() {
        long low = first.toNanos();
        long capNanos = cap.toNanos();
        long high = previousNanos >= capNanos / 3 ? capNanos : previousNanos * 3;
        long delay = high <= low ? low : random.nextLong(low, high + 1);
        previousNanos = delay;
        return Duration.ofNanos(delay);
    }

    /** A connection worked: the next failure starts from {@code first} again. */
    void reset() {
        previousNanos = first.toNanos();
    }
}
