package io.jevent.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Behaviour 5 of the libevent map: only the most urgent non-empty priority runs each iteration. */
class PriorityTest {

    @ParameterizedTest(name = "{0} priorities: urgent {1}, lax {2}")
    @CsvSource({"1, 3, 3", "2, 3, 1", "3, 3, 0"})
    @DisplayName("5. self-re-arming zero timers at the most and least urgent priority (test_priorities)")
    void priorities(int priorities, int expectedUrgent, int expectedLax) {
        try (EventBase base = new EventBase(EventConfig.builder().priorities(priorities).build())) {
            int[] urgent = {0};
            int[] lax = {0};
            Event one = base.newTimer((e, w) -> rearmOrExit(base, e, urgent));
            Event two = base.newTimer((e, w) -> rearmOrExit(base, e, lax));
            one.setPriority(0);
            two.setPriority(priorities - 1);
            one.add(Duration.ZERO);
            two.add(Duration.ZERO);

            base.dispatch();

            // The exit is a timer at the default priority (priorities / 2), as in libevent.
            assertThat(urgent[0]).isEqualTo(expectedUrgent);
            assertThat(lax[0]).isEqualTo(expectedLax);
        }
    }

    private static void rearmOrExit(EventBase base, Event ev, int[] count) {
        if (count[0] == 3) {
            base.loopExit(Duration.ZERO);
            return;
        }
        count[0]++;
        ev.add(Duration.ZERO);
    }

    @Test
    @DisplayName("a more urgent activation pre-empts the rest of a less urgent queue (test_priorities event_continue)")
    void urgentActivationPreempts() {
        try (EventBase base = new EventBase(EventConfig.builder().priorities(8).build())) {
            java.util.List<String> order = new java.util.ArrayList<>();
            Event ev2 = base.newTimer((e, w) -> order.add("ev2"));
            ev2.setPriority(0);
            Event ev0 = base.newTimer((e, w) -> {
                order.add("ev0");
                ev2.activate(Event.TIMEOUT);
            });
            Event ev1 = base.newTimer((e, w) -> order.add("ev1"));
            ev0.setPriority(4);
            ev1.setPriority(4);
            ev0.activate(Event.TIMEOUT);
            ev1.activate(Event.TIMEOUT);

            base.dispatch();

            assertThat(order).containsExactly("ev0", "ev2", "ev1");
        }
    }

    @Test
    @DisplayName("priority out of range, or changed while active, is refused")
    void priorityChecks() {
        try (EventBase base = new EventBase(EventConfig.builder().priorities(4).build())) {
            Event ev = base.newTimer((e, w) -> { });
            assertThat(ev.priority()).as("default is the middle").isEqualTo(2);
            assertThatThrownBy(() -> ev.setPriority(4)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> ev.setPriority(-1)).isInstanceOf(IllegalArgumentException.class);
            ev.activate(Event.TIMEOUT);
            assertThatThrownBy(() -> ev.setPriority(0)).isInstanceOf(IllegalStateException.class);
        }
    }
}
