package io.jevent.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import io.jevent.testing.CapturedLog;

/** A throwing callback does not stop the loop. */
class CallbackFailureTest {

    @Test
    @DisplayName("a callback that throws goes to the handler with its event, and the loop runs the rest")
    void throwingCallbackDoesNotStopTheLoop() {
        List<String> seen = new ArrayList<>();
        EventConfig config = EventConfig.builder()
                .exceptionHandler((ev, error) -> seen.add("handler:" + error.getMessage() + ":" + (ev != null)))
                .build();
        try (EventBase base = new EventBase(config)) {
            base.newTimer((e, w) -> {
                seen.add("bad");
                throw new IllegalArgumentException("boom");
            }).activate(Event.TIMEOUT);
            base.newTimer((e, w) -> seen.add("good")).activate(Event.TIMEOUT);

            assertThat(base.dispatch()).isEqualTo(1);
            assertThat(seen).containsExactly("bad", "handler:boom:true", "good");
        }
    }

    @Test
    @DisplayName("checked exceptions and ordinary Errors are handled too; a handler that throws is contained")
    void handlerFailureIsContained() {
        List<String> seen = new ArrayList<>();
        EventConfig config = EventConfig.builder()
                .exceptionHandler((ev, error) -> {
                    seen.add(error.getClass().getSimpleName());
                    throw new IllegalStateException("handler broke");
                })
                .build();
        try (CapturedLog log = CapturedLog.of(EventBase.class); EventBase base = new EventBase(config)) {
            base.newTimer((e, w) -> {
                throw new AssertionError("an Error that is not a VirtualMachineError");
            }).activate(Event.TIMEOUT);
            base.newTimer((e, w) -> seen.add("next")).activate(Event.TIMEOUT);
            base.dispatch();
            assertThat(seen).containsExactly("AssertionError", "next");
            assertThat(log.records(Level.SEVERE)).singleElement().satisfies(r -> {
                assertThat(r.getMessage()).startsWith("exception handler failed for ");
                assertThat(r.getThrown()).hasMessage("handler broke");
            });
        }
    }

    @Test
    @DisplayName("a VirtualMachineError (out of memory) propagates out of loop(), as documented")
    void virtualMachineErrorPropagates() {
        try (EventBase base = new EventBase(EventConfig.builder().exceptionHandler((ev, e) -> { }).build())) {
            base.newTimer((e, w) -> {
                throw new OutOfMemoryError("simulated");
            }).activate(Event.TIMEOUT);
            assertThatThrownBy(base::dispatch).isInstanceOf(OutOfMemoryError.class).hasMessage("simulated");
            assertThat(base.dispatch()).as("the base is still usable").isEqualTo(1);
        }
    }
}
