package io.jevent.chat.server;

import java.time.Duration;
import java.util.Objects;

/**
 * The application keepalive of logged-in connections. A logged-in connection from which nothing has
 * arrived for {@code interval} is sent a {@code PING} event line; if still nothing arrives within
 * {@code timeout}, it gets {@code BYE ping timeout} and is closed, which takes its user offline.
 *
 * <p>Why: a client whose network dropped silently (no FIN, no RST) otherwise stays "online" until
 * TCP gives up, which with nothing to send is never: WHO lists it, and messages to it are answered
 * {@code OK sent} and written into a socket nobody reads. Any line from the client counts as an
 * answer; the {@code PING} command is the natural one.
 *
 * @param interval quiet time before a probe; {@link Duration#ZERO} turns the keepalive off
 * @param timeout  time a probed connection has to send anything; positive
 */
public record Keepalive(Duration interval, Duration timeout) {
    /** A probe after 30 s of quiet, dropped 30 s later: a dead connection is gone within a minute. */
    public static final Keepalive DEFAULTS = new Keepalive(Duration.ofSeconds(30), Duration.ofSeconds(30));
    /** No probes: logged-in connections are only closed by TCP (SO_KEEPALIVE) or their client. */
    public static final Keepalive OFF = new Keepalive(Duration.ZERO, Duration.ofSeconds(30));

    /**
     * Checks the durations.
     *
     * @throws IllegalArgumentException if the interval is negative or the timeout not positive
     */
    public Keepalive {
        Objects.requireNonNull(interval, "interval");
        Objects.requireNonNull(timeout, "timeout");
        if (interval.isNegative() || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("keepalive interval must be >= 0 and its timeout > 0");
        }
    }

    /** @return whether logged-in connections are probed at all */
    public boolean enabled() {
        return !interval.isZero();
    }
}
