package io.jevent.chat.auth;

import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Limits LOGIN attempts per user name and per remote address with a sliding window: a key may
 * start at most {@code limit} attempts in any {@code window}.
 *
 * <p>An attempt is counted when it <em>starts</em> ({@link #tryAcquire}), not when it fails:
 * password checks run on workers and take hundreds of milliseconds, so counting only finished
 * failures would let a client pipeline any number of guesses before the first result came back.
 * A successful login refunds its attempt ({@link #onSuccess}): the name's window is cleared and the
 * address gets its attempt back, so legitimate users are not throttled by their own logins.
 *
 * <p>Names are keyed case-insensitively (they are ASCII and the store compares them that way).
 * Windows whose attempts have all expired are dropped every 256 calls, so memory is bounded by the
 * keys seen in the last window; the attempt rate itself is bounded by the hashing workers.
 *
 * <p>Threading: not thread-safe, by design owned by the event-loop thread, which calls
 * {@link #tryAcquire} before handing a LOGIN to a worker and {@link #onSuccess} when the worker's
 * result has come back to the loop. No lock is needed because nothing else touches it.
 */
public final class LoginRateLimiter {
    /** Default attempts per name per window: low, because guessing one account is the threat. */
    public static final int DEFAULT_PER_NAME = 5;
    /** Default attempts per address per window: higher, several users may share a NAT address. */
    public static final int DEFAULT_PER_ADDRESS = 20;
    /** Default window: short, so an attacker can lock a victim's name out for a minute at most. */
    public static final Duration DEFAULT_WINDOW = Duration.ofMinutes(1);
    private static final int PRUNE_EVERY = 256;

    private final int perName;
    private final int perAddress;
    private final long windowNanos;
    private final LongSupplier nanoClock;
    private final Map<String, AttemptLog> byName = new HashMap<>();
    private final Map<String, AttemptLog> byAddress = new HashMap<>();
    private int callsSincePrune;

    /**
     * Creates a limiter.
     *
     * @param perName    attempts allowed per name per window, at least 1
     * @param perAddress attempts allowed per address per window, at least 1
     * @param window     window length, positive
     * @param nanoClock  monotonic time source in nanoseconds ({@code System::nanoTime}; a fake in tests)
     * @throws IllegalArgumentException on a non-positive limit or window
     */
    public LoginRateLimiter(int perName, int perAddress, Duration window, LongSupplier nanoClock) {
        if (perName < 1 || perAddress < 1 || window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("limits and window must be positive");
        }
        this.perName = perName;
        this.perAddress = perAddress;
        this.windowNanos = window.toNanos();
        this.nanoClock = nanoClock;
    }

    /**
     * Creates a limiter with the default limits on {@code System.nanoTime()}.
     *
     * @return a new limiter
     */
    public static LoginRateLimiter withDefaults() {
        return new LoginRateLimiter(DEFAULT_PER_NAME, DEFAULT_PER_ADDRESS, DEFAULT_WINDOW, System::nanoTime);
    }

    /**
     * Asks to start a login attempt. If allowed, the attempt is counted against both keys.
     * Owner thread only.
     *
     * @param name    the user name the client tries to log in as
     * @param address the client's remote address (host only, e.g. {@code "203.0.113.7"})
     * @return true to go on with the attempt; false to reply {@code ERR 429 too many attempts}
     *         (nothing is counted then)
     */
    public boolean tryAcquire(String name, String address) {
        long now = nanoClock.getAsLong();
        maybePrune(now);
        AttemptLog nameLog = byName.computeIfAbsent(nameKey(name), k -> new AttemptLog(perName));
        AttemptLog addressLog = byAddress.computeIfAbsent(address, k -> new AttemptLog(perAddress));
        nameLog.expire(now, windowNanos);
        addressLog.expire(now, windowNanos);
        if (nameLog.isFull() || addressLog.isFull()) {
            return false;
        }
        nameLog.add(now);
        addressLog.add(now);
        return true;
    }

    /**
     * Records that an attempt acquired with the same arguments succeeded: clears the name's
     * window and refunds the address's most recent attempt. Owner thread only.
     *
     * @param name    the name that logged in
     * @param address the client's address
     */
    public void onSuccess(String name, String address) {
        byName.remove(nameKey(name));
        AttemptLog addressLog = byAddress.get(address);
        if (addressLog != null) {
            addressLog.removeNewest();
        }
    }

    /**
     * Number of names and addresses currently tracked (for tests and metrics). Owner thread only.
     *
     * @return tracked key count
     */
    public int trackedKeys() {
        return byName.size() + byAddress.size();
    }

    private static String nameKey(String name) {
        return name.toLowerCase(Locale.ROOT);
    }

    private void maybePrune(long now) {
        if (++callsSincePrune < PRUNE_EVERY) {
            return;
        }
        callsSincePrune = 0;
        prune(byName, now);
        prune(byAddress, now);
    }

    private void prune(Map<String, AttemptLog> logs, long now) {
        for (Iterator<AttemptLog> it = logs.values().iterator(); it.hasNext(); ) {
            AttemptLog log = it.next();
            log.expire(now, windowNanos);
            if (log.isEmpty()) {
                it.remove();
            }
        }
    }

    /** Ring buffer of the start times of the last {@code capacity} attempts, oldest first. */
    private static final class AttemptLog {
        private final long[] times;
        private int head;
        private int size;

        AttemptLog(int capacity) {
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
