package io.jevent.chat.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The per-user flood control's arithmetic, on a clock the test moves by hand. */
@Timeout(10)
class TokenBucketTest {
    private final AtomicLong clock = new AtomicLong(Long.MAX_VALUE - TimeUnit.SECONDS.toNanos(1));   // wraps below

    private void advanceMillis(long ms) {
        clock.addAndGet(TimeUnit.MILLISECONDS.toNanos(ms));
    }

    @Test
    void aFullBucketLetsTheBurstThroughThenRefillsAtTheRate() {
        TokenBucket b = new TokenBucket(5, 10, clock::get);   // burst 5, 10 a second
        for (int i = 0; i < 5; i++) {
            assertThat(b.tryTake(1)).as("burst token " + i).isTrue();
        }
        assertThat(b.tryTake(1)).as("burst spent, no time passed").isFalse();
        advanceMillis(99);
        assertThat(b.tryTake(1)).as("0.99 of a token").isFalse();
        advanceMillis(1);
        assertThat(b.tryTake(1)).as("one token after 100 ms").isTrue();
        assertThat(b.tryTake(1)).isFalse();
        advanceMillis(2_000);   // across the clock's wrap-around
        assertThat(b.isFull()).as("refilled, but never above the burst").isTrue();
        for (int i = 0; i < 5; i++) {
            assertThat(b.tryTake(1)).isTrue();
        }
        assertThat(b.tryTake(1)).isFalse();
    }

    @Test
    void aRefusedTakeTakesNothing() {
        TokenBucket b = new TokenBucket(100, 100, clock::get);
        assertThat(b.tryTake(60)).isTrue();
        assertThat(b.tryTake(50)).as("only 40 left").isFalse();
        assertThat(b.tryTake(40)).as("the refused 50 were not taken").isTrue();
    }

    @Test
    void limiterChargesMessagesAndBytesPerUserAndOnlyWhenBothAllow() {
        SendLimiter limiter = new SendLimiter(new SendLimits(1, 3, 4096, 8192), clock::get);
        assertThat(limiter.tryAcquire(1, 4096)).isTrue();
        assertThat(limiter.tryAcquire(1, 4096)).isTrue();
        assertThat(limiter.tryAcquire(1, 1)).as("bytes spent, one message left").isFalse();
        assertThat(limiter.tryAcquire(2, 4096)).as("another user has buckets of their own").isTrue();
        advanceMillis(1_000);   // one message and 4096 bytes come back: 2 messages, 4096 bytes
        assertThat(limiter.tryAcquire(1, 10)).isTrue();
        assertThat(limiter.tryAcquire(1, 10)).isTrue();
        assertThat(limiter.tryAcquire(1, 10)).as("message bucket empty although bytes remain").isFalse();
    }

    @Test
    void goingOfflineDoesNotRefillTheBuckets() {
        SendLimiter limiter = new SendLimiter(new SendLimits(1, 2, 4096, 4096), clock::get);
        assertThat(limiter.tryAcquire(7, 10)).isTrue();
        assertThat(limiter.tryAcquire(7, 10)).isTrue();
        limiter.offline(7);
        assertThat(limiter.tryAcquire(7, 10)).as("logging out and in again is no way around the limit").isFalse();
        advanceMillis(10_000);
        limiter.offline(7);
        assertThat(limiter.tracked()).as("full buckets are forgotten").isZero();
        assertThat(limiter.tryAcquire(7, 10)).isTrue();
    }

    @Test
    void offLetsEverythingThroughAndLimitsMustBeUsable() {
        SendLimiter off = new SendLimiter(SendLimits.OFF, clock::get);
        for (int i = 0; i < 10_000; i++) {
            assertThat(off.tryAcquire(1, 4096)).isTrue();
        }
        assertThat(off.tracked()).isZero();
        assertThatThrownBy(() -> new SendLimits(20, 50, 65536, 100)).hasMessageContaining("at least 4096");
        assertThatThrownBy(() -> new SendLimits(0, 50, 65536, 65536)).hasMessageContaining("positive");
    }
}
