package io.jevent.chat.server;

import java.util.function.LongSupplier;

/**
 * A token bucket: holds at most {@code capacity} tokens, refilled continuously at {@code ratePerSecond};
 * taking {@code n} tokens succeeds only if that many are there. So a burst of {@code capacity} passes at
 * once, and the long-run rate is bounded by the refill rate.
 *
 * <p>Refilling is computed lazily from the clock on each call, so an idle bucket costs nothing. The
 * clock is injectable ({@code System::nanoTime} in production, a manual one in tests); elapsed time is
 * a difference of two readings, so a clock that starts negative or wraps is fine.
 *
 * <p>Threading: not thread-safe; the owner serialises calls ({@link SendLimiter} locks per user).
 */
final class TokenBucket {
    private static final double NANOS_PER_SECOND = 1e9;

    private final double capacity;
    private final double ratePerNano;
    private final LongSupplier nanoClock;
    private double tokens;
    private long lastRefill;

    /**
     * Creates a full bucket.
     *
     * @param capacity      most tokens held (the burst), positive
     * @param ratePerSecond tokens added per second, positive
     * @param nanoClock     monotonic time in nanoseconds
     * @throws IllegalArgumentException if capacity or rate is not positive
     */
    TokenBucket(double capacity, double ratePerSecond, LongSupplier nanoClock) {
        if (!(capacity > 0) || !(ratePerSecond > 0)) {
            throw new IllegalArgumentException("capacity and rate must be positive");
        }
        this.capacity = capacity;
        this.ratePerNano = ratePerSecond / NANOS_PER_SECOND;
        this.nanoClock = nanoClock;
        this.tokens = capacity;
        this.lastRefill = nanoClock.getAsLong();
    }

    /** Adds what the time since the last call earned, up to the capacity. */
    void refill() {
        long now = nanoClock.getAsLong();
        long elapsed = now - lastRefill;
        lastRefill = now;
        if (elapsed > 0) {
            tokens = Math.min(capacity, tokens + elapsed * ratePerNano);
        }
    }

    /** Whether {@code n} tokens are there now; call {@link #refill()} first. */
    boolean has(double n) {
        return tokens >= n;
    }

    /** Takes {@code n} tokens; the caller checked {@link #has}. */
    void take(double n) {
        tokens -= n;
    }

    /**
     * Refills, then takes {@code n} tokens if there are enough.
     *
     * @param n tokens wanted
     * @return whether they were taken (nothing is taken otherwise)
     */
    boolean tryTake(double n) {
        refill();
        if (!has(n)) {
            return false;
        }
        take(n);
        return true;
    }

    /** Whether the bucket is full (after a refill): then it is no different from a new one. */
    boolean isFull() {
        refill();
        return tokens >= capacity;
    }
}
