package io.jevent.chat.client;

import java.time.Duration;
import java.time.ZoneId;
import java.util.Objects;

import io.jevent.chat.tls.ServerTrust;

/**
 * How the client connects and shows things.
 *
 * @param host          the server's host name or address
 * @param port          the server's TCP port
 * @param zone          the zone timestamps are shown in (the system's local zone by default)
 * @param firstRetry    the delay before the first reconnect attempt
 * @param maxRetry      the longest delay between attempts (the delay doubles up to it)
 * @param quitTimeout   how long {@code /quit} waits for the server's goodbye before closing anyway
 * @param tls           how to trust the server over TLS, or null to speak plain text
 */
public record ClientOptions(String host, int port, ZoneId zone, Duration firstRetry, Duration maxRetry,
                            Duration quitTimeout, ServerTrust tls) {
    /** The port the server listens on by default. */
    public static final int DEFAULT_PORT = 7777;

    /** Validates the fields. */
    public ClientOptions {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(zone, "zone");
        Objects.requireNonNull(firstRetry, "firstRetry");
        Objects.requireNonNull(maxRetry, "maxRetry");
        Objects.requireNonNull(quitTimeout, "quitTimeout");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be 1-65535: " + port);
        }
        if (firstRetry.isZero() || firstRetry.isNegative() || maxRetry.compareTo(firstRetry) < 0) {
            throw new IllegalArgumentException("need 0 < firstRetry <= maxRetry");
        }
    }

    /**
     * The defaults: plain text, local time, reconnect after 0.5 s doubling up to 8 s, 2 s to say goodbye.
     *
     * @param host the server's host
     * @param port the server's port
     * @return the options
     */
    public static ClientOptions of(String host, int port) {
        return new ClientOptions(host, port, ZoneId.systemDefault(), Duration.ofMillis(500), Duration.ofSeconds(8),
                Duration.ofSeconds(2), null);
    }

    /** @param value the zone to show times in @return a copy with it */
    public ClientOptions withZone(ZoneId value) {
        return new ClientOptions(host, port, value, firstRetry, maxRetry, quitTimeout, tls);
    }

    /**
     * A copy with other reconnect delays.
     *
     * @param first first delay
     * @param max longest delay
     * @return a copy with them
     */
    public ClientOptions withRetry(Duration first, Duration max) {
        return new ClientOptions(host, port, zone, first, max, quitTimeout, tls);
    }

    /** @param value how to trust the server over TLS; null for plain text @return a copy with it */
    public ClientOptions withTls(ServerTrust value) {
        return new ClientOptions(host, port, zone, firstRetry, maxRetry, quitTimeout, value);
    }
}
