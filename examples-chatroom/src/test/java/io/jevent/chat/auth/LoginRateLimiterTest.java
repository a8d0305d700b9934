package io.jevent.chat.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LoginRateLimiterTest {
    private static final long SECOND = 1_000_000_000L;
    private static final Duration MINUTE = Duration.ofSeconds(60);
    /** Starts near Long.MAX_VALUE so the test also proves nanoTime wrap-around is handled. */
    private final AtomicLong now = new AtomicLong(Long.MAX_VALUE - 30 * SECOND);
    private final LoginRateLimiter limiter =
            new LoginRateLimiter(RateLimit.of(3, MINUTE), RateLimit.of(5, MINUTE), now::get);

    /** No lockout denial of service. */
    @Test
    void wrongPasswordsFromOneAddressDoNotLockTheNameForOtherAddresses() {
        for (int i = 0; i < 3; i++) {
            assertThat(limiter.tryAcquire("bob", "203.0.113.7")).isTrue();
        }
        assertThat(limiter.tryAcquire("bob", "203.0.113.7")).as("the guessing address is throttled").isFalse();
        assertThat(limiter.tryAcquire("BoB", "203.0.113.7")).as("names are case-insensitive").isFalse();
        assertThat(limiter.tryAcquire("bob", "198.51.100.1")).as("the owner elsewhere is not").isTrue();
        limiter.onSuccess("bob", "198.51.100.1");
        assertThat(limiter.tryAcquire("alice", "203.0.113.7")).as("other names from that address: the address limit").isTrue();
    }

    @Test
    void manyAddressesGuessingOneNameAreEachThrottledAndNeverLockIt() {
        for (int a = 0; a < 50; a++) {
            for (int i = 0; i < 3; i++) {
                assertThat(limiter.tryAcquire("bob", "10.0.0." + a)).isTrue();
            }
            assertThat(limiter.tryAcquire("bob", "10.0.0." + a)).isFalse();
        }
        assertThat(limiter.tryAcquire("bob", "192.0.2.1")).as("150 failures later, the owner still gets in").isTrue();
    }

    @Test
    void windowSlides() {
        assertThat(limiter.tryAcquire("bob", "a")).isTrue();
        now.addAndGet(20 * SECOND);
        assertThat(limiter.tryAcquire("bob", "a")).isTrue();
        assertThat(limiter.tryAcquire("bob", "a")).isTrue();
        assertThat(limiter.tryAcquire("bob", "a")).isFalse();
        now.addAndGet(40 * SECOND - 1);
        assertThat(limiter.tryAcquire("bob", "a")).as("first attempt still inside the window").isFalse();
        now.addAndGet(1);
        assertThat(limiter.tryAcquire("bob", "a")).as("first attempt expired, one slot free").isTrue();
        assertThat(limiter.tryAcquire("bob", "a")).isFalse();
    }

    @Test
    void blocksAnAddressAcrossNames() {
        for (int i = 0; i < 5; i++) {
            assertThat(limiter.tryAcquire("user" + i, "203.0.113.7")).isTrue();
        }
        assertThat(limiter.tryAcquire("user9", "203.0.113.7")).isFalse();
        assertThat(limiter.tryAcquire("user9", "198.51.100.1")).isTrue();
    }

    @Test
    void refusedAttemptsAreNotCounted() {
        for (int i = 0; i < 3; i++) {
            limiter.tryAcquire("bob", "a");
        }
        for (int i = 0; i < 10; i++) {
            assertThat(limiter.tryAcquire("bob", "a")).isFalse();
        }
        // Address "a" used 3 of 5 slots; refused attempts did not consume the rest.
        assertThat(limiter.tryAcquire("carol", "a")).isTrue();
        assertThat(limiter.tryAcquire("dave", "a")).isTrue();
    }

    @Test
    void successRefundsSoLegitimateLoginsAreNotThrottled() {
        limiter.tryAcquire("bob", "a");
        limiter.tryAcquire("bob", "a");
        assertThat(limiter.tryAcquire("bob", "a")).isTrue();
        limiter.onSuccess("bob", "a");
        for (int i = 0; i < 3; i++) {
            assertThat(limiter.tryAcquire("bob", "a")).isTrue();
            limiter.onSuccess("bob", "a");
        }
        // The address still carries the two failed attempts, nothing from the successes.
        assertThat(limiter.tryAcquire("x1", "a")).isTrue();
        assertThat(limiter.tryAcquire("x2", "a")).isTrue();
        assertThat(limiter.tryAcquire("x3", "a")).isTrue();
        assertThat(limiter.tryAcquire("x4", "a")).isFalse();
    }

    @Test
    void expiredKeysArePruned() {
        for (int i = 0; i < 300; i++) {
            limiter.tryAcquire("user" + i, "addr" + i);
        }
        assertThat(limiter.trackedKeys()).isGreaterThanOrEqualTo(2 * 255);
        now.addAndGet(61 * SECOND);
        for (int i = 0; i < 256; i++) {
            limiter.tryAcquire("fresh", "one");
        }
        assertThat(limiter.trackedKeys()).isLessThanOrEqualTo(2 + 2 * 45);
    }
}
