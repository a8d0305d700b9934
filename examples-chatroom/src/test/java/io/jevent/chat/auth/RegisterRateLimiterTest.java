package io.jevent.chat.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

import io.jevent.chat.auth.RegisterRateLimiter.Decision;

class RegisterRateLimiterTest {
    private static final long SECOND = 1_000_000_000L;
    private final AtomicLong now = new AtomicLong(Long.MAX_VALUE - 5 * SECOND);   // crosses the nanoTime wrap
    private final RegisterRateLimiter limiter = new RegisterRateLimiter(
            RateLimit.of(2, Duration.ofMinutes(10)), RateLimit.of(3, Duration.ofMinutes(1)), now::get);

    @Test
    void limitsEachAddressThenTheWholeServer() {
        assertThat(limiter.tryAcquire("a")).isEqualTo(Decision.ALLOWED);
        assertThat(limiter.tryAcquire("a")).isEqualTo(Decision.ALLOWED);
        assertThat(limiter.tryAcquire("a")).isEqualTo(Decision.ADDRESS_LIMITED);
        assertThat(limiter.tryAcquire("b")).as("the refused one did not count overall").isEqualTo(Decision.ALLOWED);
        assertThat(limiter.tryAcquire("c")).isEqualTo(Decision.SERVER_LIMITED);
    }

    @Test
    void windowsSlideEachAtItsOwnLength() {
        limiter.tryAcquire("a");
        limiter.tryAcquire("a");
        limiter.tryAcquire("b");
        assertThat(limiter.tryAcquire("c")).isEqualTo(Decision.SERVER_LIMITED);
        now.addAndGet(60 * SECOND);
        assertThat(limiter.tryAcquire("c")).as("a minute later the server has room").isEqualTo(Decision.ALLOWED);
        assertThat(limiter.tryAcquire("a")).as("the address window is ten minutes").isEqualTo(Decision.ADDRESS_LIMITED);
        now.addAndGet(540 * SECOND);
        assertThat(limiter.tryAcquire("a")).isEqualTo(Decision.ALLOWED);
    }
}
