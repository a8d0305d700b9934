package io.jevent.chat.auth;

import java.time.Duration;
import java.util.Objects;

/**
 * At most {@code count} events per key in any sliding {@code window}.
 *
 * @param count  events allowed per window, at least 1
 * @param window the window, positive
 */
public record RateLimit(int count, Duration window) {
    /**
     * Validates the fields.
     *
     * @throws IllegalArgumentException if count is below 1 or the window is not positive
     */
    public RateLimit {
        Objects.requireNonNull(window, "window");
        if (count < 1 || window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("rate limit count and window must be positive: " + count + " per " + window);
        }
    }

    /**
     * Shorthand for {@code new RateLimit(count, window)}.
     *
     * @param count  events allowed per window
     * @param window the window
     * @return the limit
     */
    public static RateLimit of(int count, Duration window) {
        return new RateLimit(count, window);
    }
}
