package io.jevent.chat.auth;

import java.time.Duration;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Limits LOGIN attempts per (remote address, user name) pair and per remote address, with sliding
 * windows. There is deliberately <b>no limit per name alone</b>: one that counted attempts from
 * everywhere would let anybody lock any account out by sending a few wrong passwords (OWASP,
 * Authentication Cheat Sheet, "account lockout" denial of service). Here wrong passwords only
 * throttle the address that sends them: the owner, from another address, still logs in.
 *
 * <p>An attempt is counted when it <em>starts</em> ({@link #tryAcquire}), not when it fails:
 * password checks run on workers and take hundreds of milliseconds, so counting only finished
 * failures would let a client pipeline any number of guesses before the first result came back.
 * A successful login refunds its attempt ({@link #onSuccess}): the pair's window is cleared and the
 * address gets its attempt back, so legitimate users are not throttled by their own logins.
 *
 * <p>Names are keyed case-insensitively (they are ASCII and the store compares them that way).
 * Guessing one account from many addresses is bounded by the per-address limit times the number
 * of addresses, and by the PBKDF2 cost on the hashing workers.
 *
 * <p>Threading: not thread-safe, by design owned by the event-loop thread (loop 0), which calls
 * {@link #tryAcquire} before handing a LOGIN to a worker and {@link #onSuccess} when the worker's
 * result has come back to the loop. No lock is needed because nothing else touches it.
 */
public final class LoginRateLimiter {
    /** Default attempts per (address, name) per window: low, because guessing one account is the threat. */
    public static final int DEFAULT_PER_ADDRESS_AND_NAME = 5;
    /** Default attempts per address per window: higher, several users may share a NAT address. */
    public static final int DEFAULT_PER_ADDRESS = 20;
    /** Default window: short, so a throttled address (perhaps a NAT shared with the owner) waits a minute at most. */
    public static final Duration DEFAULT_WINDOW = Duration.ofMinutes(1);

    private final SlidingWindows byPair;
    private final SlidingWindows byAddress;
    private final LongSupplier nanoClock;

    /**
     * Creates a limiter.
     *
     * @param perAddressAndName attempts allowed per (address, name) pair
     * @param perAddress        attempts allowed per address, whatever the names
     * @param nanoClock         monotonic time source in nanoseconds ({@code System::nanoTime}; a fake in tests)
     */
    public LoginRateLimiter(RateLimit perAddressAndName, RateLimit perAddress, LongSupplier nanoClock) {
        this.byPair = new SlidingWindows(perAddressAndName);
        this.byAddress = new SlidingWindows(perAddress);
        this.nanoClock = nanoClock;
    }

    /**
     * Creates a limiter with the default limits on {@code System.nanoTime()}.
     *
     * @return a new limiter
     */
    public static LoginRateLimiter withDefaults() {
        return new LoginRateLimiter(RateLimit.of(DEFAULT_PER_ADDRESS_AND_NAME, DEFAULT_WINDOW),
                RateLimit.of(DEFAULT_PER_ADDRESS, DEFAULT_WINDOW), System::nanoTime);
    }

    /**
     * Asks to start a login attempt. If allowed, the attempt is counted against the pair and the
     * address. Owner thread only.
     *
     * @param name    the user name the client tries to log in as
     * @param address the client's remote address (host only, e.g. {@code "203.0.113.7"})
     * @return true to go on with the attempt; false to reply {@code ERR 429 too many attempts}
     *         (nothing is counted then)
     */
    public boolean tryAcquire(String name, String address) {
        long now = nanoClock.getAsLong();
        String pair = pairKey(name, address);
        boolean pairFull = byPair.isFull(pair, now);
        boolean addressFull = byAddress.isFull(address, now);   // both asked: each prunes on its own calls
        if (pairFull || addressFull) {
            return false;
        }
        byPair.add(pair, now);
        byAddress.add(address, now);
        return true;
    }

    /**
     * Records that an attempt acquired with the same arguments succeeded: clears the pair's
     * window and refunds the address's most recent attempt. Owner thread only.
     *
     * @param name    the name that logged in
     * @param address the client's address
     */
    public void onSuccess(String name, String address) {
        byPair.clear(pairKey(name, address));
        byAddress.removeNewest(address);
    }

    /**
     * Number of pairs and addresses currently tracked (for tests and metrics). Owner thread only.
     *
     * @return tracked key count
     */
    public int trackedKeys() {
        return byPair.size() + byAddress.size();
    }

    /** Names never contain spaces, so the space makes the key unambiguous. */
    private static String pairKey(String name, String address) {
        return address + " " + name.toLowerCase(Locale.ROOT);
    }
}
