package io.jevent.chat.client;

import java.time.Duration;

/**
 * Reconnect delays: {@code first}, then doubling after each failed attempt, never above {@code cap};
 * back to {@code first} once a connection works. Loop thread only (plain fields, no locking).
 */
final class Backoff {
    private final Duration first;
    private final Duration cap;
    private Duration next;

    Backoff(Duration first, Duration cap) {
        if (first.isNegative() || first.isZero() || cap.compareTo(first) < 0) {
            throw new IllegalArgumentException("need 0 < first <= cap: " + first + ", " + cap);
        }
        this.first = first;
        this.cap = cap;
        this.next = first;
    }

    /** @return the delay before the coming attempt; the one after it is doubled (up to the cap) */
    Duration nextDelay() {
        Duration d = next;
        Duration doubled = next.multipliedBy(2);
        next = doubled.compareTo(cap) > 0 ? cap : doubled;
        return d;
    }

    /** A connection worked: the next failure waits {@code first} again. */
    void reset() {
        next = first;
    }
}
