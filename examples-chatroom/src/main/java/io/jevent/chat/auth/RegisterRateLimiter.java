package io.jevent.chat.auth;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Limits REGISTER per remote address and for the whole server, with sliding windows. Each
 * REGISTER costs a full PBKDF2 hash (hundreds of milliseconds of CPU at the production count), so
 * without a limit a flood of them is a cheap way to burn the server's CPU; the hashing pool keeps
 * LOGIN served meanwhile, this keeps the flood itself small.
 *
 * <p>Every REGISTER that reaches the hashing step counts, whether it then succeeds or finds the
 * name taken: both cost the hash. The overall limit means a flood from many addresses can delay
 * registrations for everybody for one window; it never affects LOGIN.
 *
 * <p>Threading: not thread-safe, owned by loop 0 like {@link LoginRateLimiter}.
 */
public final class RegisterRateLimiter {
    /** Default REGISTERs per address: a person creates an account or two, not dozens. */
    public static final RateLimit DEFAULT_PER_ADDRESS = RateLimit.of(5, Duration.ofMinutes(10));
    /** Default REGISTERs for the whole server: well under what one hashing worker can do. */
    public static final RateLimit DEFAULT_OVERALL = RateLimit.of(60, Duration.ofMinutes(1));
    private static final String OVERALL = "";

    /** What {@link #tryAcquire} decided. */
    public enum Decision {
        /** Go on; the registration was counted. */
        ALLOWED,
        /** {@code ERR 429 too many registrations from this address, try again later} */
        ADDRESS_LIMITED,
        /** {@code ERR 429 too many registrations, try again later} */
        SERVER_LIMITED
    }

    private final SlidingWindows byAddress;
    private final SlidingWindows overall;
    private final LongSupplier nanoClock;

    /**
     * Creates a limiter.
     *
     * @param perAddress REGISTERs allowed per address
     * @param overall    REGISTERs allowed for the whole server
     * @param nanoClock  monotonic time source in nanoseconds ({@code System::nanoTime}; a fake in tests)
     */
    public RegisterRateLimiter(RateLimit perAddress, RateLimit overall, LongSupplier nanoClock) {
        this.byAddress = new SlidingWindows(perAddress);
        this.overall = new SlidingWindows(overall);
        this.nanoClock = nanoClock;
    }

    /**
     * Asks to start a registration; if allowed it is counted against the address and the server.
     * Refused registrations count against nothing. Owner thread only.
     *
     * @param address the client's remote address (host only)
     * @return the decision
     */
    public Decision tryAcquire(String address) {
        long now = nanoClock.getAsLong();
        if (byAddress.isFull(address, now)) {
            return Decision.ADDRESS_LIMITED;
        }
        if (overall.isFull(OVERALL, now)) {
            return Decision.SERVER_LIMITED;
        }
        byAddress.add(address, now);
        overall.add(OVERALL, now);
        return Decision.ALLOWED;
    }
}
