package io.jevent.chat.auth;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * One sliding-window counter per key: a key may record at most {@link RateLimit#count()} events in
 * any {@link RateLimit#window()}. The building block of {@link LoginRateLimiter} and
 * {@link RegisterRateLimiter}.
 *
 * <p>Windows whose events have all expired are dropped every 256 calls to {@link #isFull}, so memory
 * is bounded by the keys seen in the last window.
 *
 * <p>Threading: not thread-safe; owned by whoever owns the limiter that holds it (loop 0).
 */
final class SlidingWindows {
    private static final int PRUNE_EVERY = 256;

    private final RateLimit limit;
    private final long windowNanos;
    private final Map<String, EventLog> logs = new HashMap<>();
    private int callsSincePrune;

    SlidingWindows(RateLimit limit) {
        this.limit = limit;
        this.windowNanos = limit.window().toNanos();
    }

    /** Whether {@code key} has used its whole allowance in the window ending at {@code now}. */
    boolean isFull(String key, long now) {
        maybePrune(now);
        EventLog log = logs.get(key);
        if (log == null) {
            return false;
        }
        log.expire(now, windowNanos);
        return log.isFull();
    }

    /** Records an event for {@code key}; call only after {@link #isFull} said false at the same {@code now}. */
    void add(String key, long now) {
        logs.computeIfAbsent(key, k -> new EventLog(limit.count())).add(now);
    }

    /** Takes back the newest event of {@code key} (a refund), if any. */
    void removeNewest(String key) {
        EventLog log = logs.get(key);
        if (log != null) {
            log.removeNewest();
        }
    }

    /** Forgets {@code key}'s events. */
    void clear(String key) {
        logs.remove(key);
    }

    int size() {
        return logs.size();
    }

    private void maybePrune(long now) {
        if (++callsSincePrune < PRUNE_EVERY) {
            return;
        }
        callsSincePrune = 0;
        for (Iterator<EventLog> it = logs.values().iterator(); it.hasNext(); ) {
            EventLog log = it.next();
            log.expire(now, windowNanos);
            if (log.isEmpty()) {
                it.remove();
            }
        }
    }

    /** Ring buffer of the times of the last {@code capacity} events, oldest first. */
    private static final class EventLog {
        private final long[] times;
        private int head;
        private int size;

        EventLog(int capacity) {
            times = new long[capacity];
        }

        void expire(long now, long window) {
            // Subtraction, not comparison of raw values: nanoTime may be negative or wrap.
            while (size > 0 && now - times[head] >= window) {
                head = (head + 1) % times.length;
                size--;
            }
        }

        boolean isFull() {
            return size == times.length;
        }

        boolean isEmpty() {
            return size == 0;
        }

        void add(long now) {
            times[(head + size) % times.length] = now;
            size++;
        }

        void removeNewest() {
            if (size > 0) {
                size--;
            }
        }
    }
}
