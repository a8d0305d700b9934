package io.jevent.chat.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

import org.junit.jupiter.api.Test;

/** Reconnect delays are jittered, so clients dropped together do not return together. */
class BackoffTest {
    private static final Duration FIRST = Duration.ofMillis(500);
    private static final Duration CAP = Duration.ofSeconds(30);

    @Test
    void aThousandClientsDroppedTogetherDoNotRetryInTheSameMillisecond() {
        Map<Long, Integer> perMillisecond = new HashMap<>();
        for (int seed = 0; seed < 1000; seed++) {
            long ms = new Backoff(FIRST, CAP, new SplittableRandom(seed)).nextDelay().toMillis();
            perMillisecond.merge(ms, 1, Integer::sum);
        }
        // Spread over [0.5 s, 1.5 s]: a thousand draws over a thousand milliseconds. Without jitter all
        // 1,000 share one millisecond.
        assertThat(perMillisecond.keySet()).allMatch(ms -> ms >= 500 && ms <= 1500);
        assertThat(perMillisecond.values()).allMatch(n -> n <= 10);
        assertThat(perMillisecond).hasSizeGreaterThan(500);
    }

    @Test
    void delaysStayBetweenFirstAndCapAndGrowAtMostThreefold() {
        Backoff backoff = new Backoff(FIRST, CAP, new SplittableRandom(42));
        Duration previous = FIRST;
        for (int i = 0; i < 200; i++) {
            Duration d = backoff.nextDelay();
            assertThat(d).isBetween(FIRST, CAP);
            assertThat(d).isLessThanOrEqualTo(previous.multipliedBy(3));
            previous = d;
        }
    }

    @Test
    void withTheLargestDrawsTheDelaysTripleUpToTheCapAndResetStartsOver() {
        Backoff backoff = new Backoff(FIRST, CAP, new RandomGenerator() {
            @Override
            public long nextLong() {
                throw new UnsupportedOperationException("only bounded draws");
            }

            @Override
            public long nextLong(long origin, long bound) {
                return bound - 1;   // always the longest delay allowed
            }
        });
        assertThat(backoff.nextDelay()).isEqualTo(Duration.ofMillis(1500));
        assertThat(backoff.nextDelay()).isEqualTo(Duration.ofMillis(4500));
        assertThat(backoff.nextDelay()).isEqualTo(Duration.ofMillis(13500));
        assertThat(backoff.nextDelay()).isEqualTo(CAP);
        assertThat(backoff.nextDelay()).isEqualTo(CAP);
        backoff.reset();
        assertThat(backoff.nextDelay()).isEqualTo(Duration.ofMillis(1500));
    }
}
