package io.jevent.core.bufferevent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.jevent.core.Event;

/** BufferEvent.pair (libevent's bufferevent_pair_new) hands back its two ends as a named pair. */
@Timeout(value = 30, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class BufferEventPairTest {

    @Test
    void pairEndsAreTwoBufferEventsJoinedBothWays() {
        try (Loops loops = new Loops()) {
            BufferEvent.Pair p = BufferEvent.pair(loops.base);
            assertThat(p.first()).isNotSameAs(p.second());
            p.first().enable(Event.READ);
            p.second().enable(Event.READ);

            p.first().write("ping", StandardCharsets.US_ASCII);
            p.second().write("pong", StandardCharsets.US_ASCII);
            loops.runUntil(() -> p.first().input().length() == 4 && p.second().input().length() == 4,
                    Duration.ofSeconds(10));

            assertThat(p.second().input().readString(4, StandardCharsets.US_ASCII)).isEqualTo("ping");
            assertThat(p.first().input().readString(4, StandardCharsets.US_ASCII)).isEqualTo("pong");
            loops.assertNoCallbackFailures();
        }
    }

    @Test
    void aPairNeedsBothEnds() {
        try (Loops loops = new Loops()) {
            BufferEvent.Pair p = BufferEvent.pair(loops.base);
            assertThatThrownBy(() -> new BufferEvent.Pair(p.first(), null)).isInstanceOf(NullPointerException.class);
        }
    }
}
