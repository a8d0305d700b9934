package io.jevent.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Behaviours 11 and 13 of the libevent map, common timeouts, and a timer stress test. */
class TimerTest {
    private final ManualClock clock = new ManualClock();

    @Test
    @DisplayName("11. common timeouts: 100 persistent events, half at 100 ms, half at 200 ms, deleted after 4 calls, finish at 400 and 800 ms (test_common_timeout)")
    void commonTimeouts() {
        try (EventBase base = ManualClock.base(clock, 1)) {
            long start = clock.getAsLong();
            Duration fast = base.initCommonTimeout(Duration.ofMillis(100)).duration();
            Duration slow = base.initCommonTimeout(Duration.ofMillis(200)).duration();
            Map<Integer, Long> finishedAt = new HashMap<>();
            for (int i = 0; i < 100; i++) {
                int id = i;
                int[] calls = {0};
                Event ev = base.newEvent(null, Event.PERSIST, (e, w) -> {
                    assertThat(w).isEqualTo(Event.TIMEOUT);
                    if (++calls[0] == 4) {
                        e.del();
                        finishedAt.put(id, clock.millisSince(start));
                    }
                });
                ev.add(i % 2 == 0 ? fast : slow);
            }
            assertThat(base.timerHeapSize()).as("two queue heads stand for 100 events").isEqualTo(2);

            while (finishedAt.size() < 100 && clock.millisSince(start) < 2000) {
                clock.advance(Duration.ofMillis(10));
                base.loop(EventBase.LOOP_NONBLOCK);
            }
            for (int i = 0; i < 100; i++) {
                assertThat(finishedAt.get(i)).as("event %d", i).isEqualTo(i % 2 == 0 ? 400L : 800L);
            }
        }
    }

    @Test
    @DisplayName("re-arming 100,000 events on one common timeout never grows the heap (O(1) re-arm), and none fires early")
    void commonTimeoutRearmIsConstantTime() {
        try (EventBase base = ManualClock.base(clock, 1)) {
            Duration idle = base.initCommonTimeout(Duration.ofSeconds(30)).duration();
            int n = 100_000;
            Event[] conns = new Event[n];
            long[] due = new long[n];
            int[] fired = new int[n];
            List<Long> early = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int id = i;
                conns[i] = base.newTimer((e, w) -> {
                    fired[id]++;
                    if (clock.getAsLong() - due[id] < 0) {
                        early.add((long) id);
                    }
                });
                conns[i].add(idle);
                due[i] = clock.getAsLong() + idle.toNanos();
            }
            Random rnd = new Random(42);
            for (int round = 0; round < 4; round++) {
                clock.advance(Duration.ofSeconds(10));
                for (int i = rnd.nextInt(3); i < n; i += 1 + rnd.nextInt(3)) {
                    if (fired[i] == 0) {
                        conns[i].add(idle);          // activity: push the idle deadline back
                        due[i] = clock.getAsLong() + idle.toNanos();
                    }
                }
                assertThat(base.timerHeapSize()).isLessThanOrEqualTo(1);
                base.loop(EventBase.LOOP_NONBLOCK);
            }
            clock.advance(Duration.ofSeconds(31));
            base.loop(EventBase.LOOP_NONBLOCK);

            assertThat(early).isEmpty();
            for (int i = 0; i < n; i++) {
                assertThat(fired[i]).as("event %d", i).isEqualTo(1);
            }
        }
    }

    @Test
    @DisplayName("13. timers with the same deadline fire in the order they were added, heap and common alike")
    void sameDeadlineFifo() {
        try (EventBase base = ManualClock.base(clock, 1)) {
            Duration common = base.initCommonTimeout(Duration.ofMillis(50)).duration();
            List<Integer> order = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                int id = i;
                Event ev = base.newTimer((e, w) -> order.add(id));
                // All are due at +100 ms: some straight from the heap, some through the common queue
                // after 50 ms, added in id order.
                if (i < 20) {
                    ev.add(Duration.ofMillis(100));
                }
            }
            clock.advance(Duration.ofMillis(50));
            for (int i = 20; i < 30; i++) {
                int id = i;
                base.newTimer((e, w) -> order.add(id)).add(common);
            }
            clock.advance(Duration.ofMillis(50));
            base.loop(EventBase.LOOP_NONBLOCK);

            List<Integer> expected = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                expected.add(i);
            }
            assertThat(order).isEqualTo(expected);
        }
    }

    @Test
    @DisplayName("stress: 100,000 random timers, a random half deleted: each survivor fires once, in deadline order, none early")
    void timerStress() {
        long seed = System.nanoTime();
        Random rnd = new Random(seed);
        try (EventBase base = ManualClock.base(clock, 1)) {
            int n = 100_000;
            long start = clock.getAsLong();
            Event[] events = new Event[n];
            long[] deadline = new long[n];
            int[] fired = new int[n];
            List<Integer> order = new ArrayList<>();
            long[] firedAt = new long[n];
            base.initCommonTimeout(Duration.ofMillis(500));   // some share a common queue
            for (int i = 0; i < n; i++) {
                int id = i;
                events[i] = base.newTimer((e, w) -> {
                    fired[id]++;
                    firedAt[id] = clock.getAsLong();
                    order.add(id);
                });
                long ms = rnd.nextInt(10) == 0 ? 500 : rnd.nextInt(2_000);
                events[i].add(Duration.ofMillis(ms));
                deadline[i] = clock.getAsLong() + Duration.ofMillis(ms).toNanos();
                if (rnd.nextInt(100) == 0) {
                    clock.advance(Duration.ofMillis(1));   // adds spread over time too
                }
            }
            boolean[] deleted = new boolean[n];
            for (int i = 0; i < n; i++) {
                if (rnd.nextBoolean()) {
                    events[i].del();
                    deleted[i] = true;
                }
            }
            while (clock.millisSince(start) < 4_000) {
                clock.advance(Duration.ofMillis(1 + rnd.nextInt(20)));
                base.loop(EventBase.LOOP_NONBLOCK);
            }
            long prevDeadline = Long.MIN_VALUE;
            int prevId = -1;
            for (int id : order) {
                assertThat(deleted[id]).as("deleted timer %d fired (seed %d)", id, seed).isFalse();
                assertThat(firedAt[id] - deadline[id]).as("timer %d early (seed %d)", id, seed).isGreaterThanOrEqualTo(0);
                if (prevId >= 0) {
                    boolean inOrder = deadline[id] - prevDeadline > 0 || (deadline[id] == prevDeadline && id > prevId);
                    assertThat(inOrder).as("order at %d after %d (seed %d)", id, prevId, seed).isTrue();
                }
                prevDeadline = deadline[id];
                prevId = id;
            }
            for (int i = 0; i < n; i++) {
                assertThat(fired[i]).as("timer %d (seed %d)", i, seed).isEqualTo(deleted[i] ? 0 : 1);
            }
        }
    }
}
