package io.jevent.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** forEachEvent and dumpEvents: what a person debugging a loop looks at. */
class IntrospectionTest {

    @Test
    @DisplayName("forEachEvent visits pending and active events only; dumpEvents prints each with its timeout (event_base_foreach_event, event_base_dump_events)")
    void forEachAndDump() {
        ManualClock clock = new ManualClock();
        try (EventBase base = ManualClock.base(clock, 1)) {
            Event timer = base.newTimer((e, w) -> { });
            Event active = base.newTimer((e, w) -> { });
            Event idle = base.newTimer((e, w) -> { });
            timer.add(Duration.ofMillis(1500));
            active.activate(Event.READ);

            List<Event> seen = new ArrayList<>();
            base.forEachEvent(seen::add);
            assertThat(seen).containsExactlyInAnyOrder(timer, active).doesNotContain(idle);

            StringBuilder dump = new StringBuilder();
            base.dumpEvents(dump);
            assertThat(dump.toString().lines()).hasSize(2)
                    .anySatisfy(line -> assertThat(line).contains("timer").contains("timeout in 1500 ms"))
                    .anySatisfy(line -> assertThat(line).contains("active=READ"));

            // The visitor sees a snapshot, so it may change what it visits.
            base.forEachEvent(Event::del);
            List<Event> after = new ArrayList<>();
            base.forEachEvent(after::add);
            assertThat(after).isEmpty();
        }
    }
}
