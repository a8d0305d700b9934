package io.jevent.core;

import io.jevent.core.spi.LoopObserver;
import io.jevent.core.spi.LoopObservers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Deferred tasks: after the iteration's callbacks, before the next poll; the flush-before-poll seam. */
@Timeout(value = 30, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class DeferredTest {

    @Test
    @DisplayName("a task scheduled by callbacks runs once, after every callback of that iteration and before the next poll")
    void runsAfterTheIterationsCallbacksBeforeThePoll() {
        List<String> order = new ArrayList<>();
        try (EventBase base = new EventBase()) {
            Deferred flush = base.newDeferred(() -> order.add("flush"));
            Event a = base.newTimer((ev, w) -> {
                order.add("a");
                flush.schedule();
            });
            Event b = base.newTimer((ev, w) -> {
                order.add("b");
                flush.schedule();           // again: still one run
            });
            LoopObservers.add(base, new LoopObserver() {
                @Override
                public boolean beforePoll() {
                    order.add("poll");
                    return false;
                }

                @Override
                public void afterPoll() {
                }
            });
            a.activate(Event.TIMEOUT);
            b.activate(Event.TIMEOUT);
            assertThat(base.loop(EventBase.LOOP_ONCE)).isZero();
            assertThat(order).containsExactly("poll", "a", "b", "flush");
            assertThat(flush.isScheduled()).isFalse();
        }
    }

    @Test
    @DisplayName("a scheduled task is work: dispatch() neither sleeps nor returns 'no events' until it ran")
    void aScheduledTaskKeepsTheLoopAwake() {
        try (EventBase base = new EventBase()) {
            boolean[] ran = {false};
            base.newDeferred(() -> ran[0] = true).schedule();
            assertThat(base.dispatch()).as("1 = no events, returned only once the task ran").isEqualTo(1);
            assertThat(ran[0]).isTrue();
        }
    }

    @Test
    @DisplayName("a task that reschedules itself never starves I/O")
    void aSelfReschedulingTaskDoesNotStarveIo() throws IOException {
        Pipe pipe = Pipe.open();
        try (EventBase base = new EventBase()) {
            int[] runs = {0};
            Deferred[] self = new Deferred[1];
            self[0] = base.newDeferred(() -> {
                if (++runs[0] == 3) {
                    try {
                        pipe.sink().write(ByteBuffer.wrap(new byte[] {1}));     // I/O becomes ready
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }
                self[0].schedule();
            });
            self[0].schedule();
            Event read = base.newEvent(pipe.source(), Event.READ, (ev, w) -> base.loopBreak());
            read.add();
            base.dispatch();
            assertThat(base.gotBreak()).as("the READ callback ran although the task is always scheduled").isTrue();
            assertThat(runs[0]).as("the byte written by run 3 is seen by the next poll").isBetween(3, 6);
            self[0].cancel();
        } finally {
            pipe.source().close();
            pipe.sink().close();
        }
    }

    @Test
    @DisplayName("cancel() takes a task out of the queue; tasks run in the order first scheduled")
    void cancelAndOrder() {
        List<Integer> ran = new ArrayList<>();
        try (EventBase base = new EventBase()) {
            Deferred one = base.newDeferred(() -> ran.add(1));
            Deferred two = base.newDeferred(() -> ran.add(2));
            Deferred three = base.newDeferred(() -> ran.add(3));
            three.schedule();
            one.schedule();
            two.schedule();
            one.schedule();
            two.cancel();
            assertThat(two.isScheduled()).isFalse();
            base.dispatch();
            assertThat(ran).containsExactly(3, 1);
        }
    }

    @Test
    @DisplayName("a task that throws goes to the exception handler with a null event; the next task still runs")
    void aThrowingTaskIsReported() {
        List<Throwable> reported = new ArrayList<>();
        List<Event> events = new ArrayList<>();
        EventConfig config = EventConfig.builder().exceptionHandler((ev, t) -> {
            events.add(ev);
            reported.add(t);
        }).build();
        try (EventBase base = new EventBase(config)) {
            boolean[] second = {false};
            base.newDeferred(() -> {
                throw new IllegalStateException("boom");
            }).schedule();
            base.newDeferred(() -> second[0] = true).schedule();
            base.dispatch();
            assertThat(reported).hasSize(1);
            assertThat(reported.get(0)).hasMessage("boom");
            assertThat(events).containsExactly((Event) null);
            assertThat(second[0]).isTrue();
        }
    }

    @Test
    @DisplayName("loopBreak() from a task leaves the later tasks scheduled for the next loop; close() drops them")
    void breakLeavesTheRestForTheNextLoop() {
        List<Integer> ran = new ArrayList<>();
        EventBase base = new EventBase();
        Deferred last;
        try {
            base.newDeferred(() -> {
                ran.add(1);
                base.loopBreak();
            }).schedule();
            last = base.newDeferred(() -> ran.add(2));
            last.schedule();
            base.dispatch();
            assertThat(ran).containsExactly(1);
            assertThat(last.isScheduled()).isTrue();
            base.dispatch();
            assertThat(ran).containsExactly(1, 2);
            last.schedule();
        } finally {
            base.close();
        }
        last.cancel();                              // after close: nothing to do, no exception
        assertThat(ran).containsExactly(1, 2);
    }

    @Test
    @DisplayName("schedule() from another thread fails loudly, naming the loop thread")
    void confinedToTheLoopThread() throws Exception {
        try (EventBase base = new EventBase()) {
            Deferred d = base.newDeferred(() -> { });
            CompletableFuture<Void> other = CompletableFuture.runAsync(d::schedule);
            assertThatThrownBy(() -> other.get(10, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(IllegalStateException.class)
                    .hasMessageContaining(Thread.currentThread().getName());
        }
    }
}
