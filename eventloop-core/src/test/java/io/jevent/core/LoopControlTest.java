package io.jevent.core;

import io.jevent.core.spi.LoopObserver;
import io.jevent.core.spi.LoopObservers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Behaviours 3, 4, 9 and 12 of the libevent map: how a loop ends. */
class LoopControlTest {

    @Test
    @DisplayName("3. loopExit(300ms) with a 24 h timer pending returns after 300 ms: gotExit, not gotBreak (test_loopexit)")
    void loopExitWithLongTimerPending() {
        try (EventBase base = new EventBase()) {
            Event day = base.newTimer((e, w) -> { });
            day.add(Duration.ofHours(24));
            long start = System.nanoTime();
            base.loopExit(Duration.ofMillis(300));

            assertThat(base.dispatch()).isZero();

            assertThat(System.nanoTime() - start).as("never early").isGreaterThanOrEqualTo(Duration.ofMillis(300).toNanos());
            assertThat(base.gotExit()).isTrue();
            assertThat(base.gotBreak()).isFalse();
            assertThat(day.isPending(Event.TIMEOUT)).as("the day timer is untouched").isTrue();
        }
    }

    @Test
    @DisplayName("3b. of several loopExit calls the earliest ends this loop, whatever the call order (test_loopexit_multiple)")
    void earlierExitWins() {
        ManualClock clock = new ManualClock();
        try (EventBase base = ManualClock.base(clock, 1)) {
            List<Long> ticks = new ArrayList<>();
            long start = clock.getAsLong();
            Event tick = base.newEvent(null, Event.PERSIST, (e, w) -> ticks.add(clock.millisSince(start)));
            tick.add(Duration.ofMillis(10));
            base.loopExit(Duration.ofMillis(200));
            base.loopExit(Duration.ofMillis(45));
            base.loopExit(Duration.ofMillis(100));

            assertThat(runUntilExit(base, clock, start)).isEqualTo(45);
            assertThat(ticks).containsExactly(10L, 20L, 30L, 40L);
        }
    }

    @Test
    @DisplayName("3c. a later loopExit stays pending and ends the next loop, as in libevent")
    void laterExitEndsNextLoop() {
        ManualClock clock = new ManualClock();
        try (EventBase base = ManualClock.base(clock, 1)) {
            long start = clock.getAsLong();
            base.newEvent(null, Event.PERSIST, (e, w) -> { }).add(Duration.ofMillis(10));
            base.loopExit(Duration.ofMillis(200));
            base.loopExit(Duration.ofMillis(45));
            base.loopExit(Duration.ofMillis(100));

            assertThat(runUntilExit(base, clock, start)).isEqualTo(45);
            assertThat(runUntilExit(base, clock, start)).as("the second loop ends at the second exit").isEqualTo(100);
            assertThat(runUntilExit(base, clock, start)).as("the third loop ends at the third exit").isEqualTo(200);
            for (int i = 0; i < 60; i++) {
                clock.advance(Duration.ofMillis(5));
                base.loop(EventBase.LOOP_NONBLOCK);
                assertThat(base.gotExit()).as("no exit left at %d ms", clock.millisSince(start)).isFalse();
            }
        }
    }

    /** Drives non-blocking iterations 5 ms apart until one ends through an exit; returns ms since {@code start}. */
    private static long runUntilExit(EventBase base, ManualClock clock, long start) {
        for (int i = 0; i < 200; i++) {
            clock.advance(Duration.ofMillis(5));
            base.loop(EventBase.LOOP_NONBLOCK);
            if (base.gotExit()) {
                return clock.millisSince(start);
            }
        }
        throw new AssertionError("no exit within 1 s");
    }

    @Test
    @DisplayName("3d. loopExit(ZERO) in a callback: the callbacks active now run, then the loop returns without polling again")
    void loopExitZeroFromCallbackDoesNotPollAgain() throws Exception {
        ManualClock clock = new ManualClock();
        java.nio.channels.Pipe pipe = java.nio.channels.Pipe.open();
        try (EventBase base = ManualClock.base(clock, 1);
             java.nio.channels.Pipe.SourceChannel source = pipe.source();
             java.nio.channels.Pipe.SinkChannel sink = pipe.sink()) {
            source.configureBlocking(false);
            List<String> ran = new ArrayList<>();
            int[] polls = {0};
            LoopObservers.add(base, new LoopObserver() {
                @Override
                public boolean beforePoll() {
                    polls[0]++;
                    return false;
                }

                @Override
                public void afterPoll() {
                }
            });
            base.newEvent(source, Event.READ | Event.PERSIST, (e, w) -> ran.add("reader")).add();
            Event first = base.newTimer((e, w) -> {
                ran.add("first");
                Channels.write(sink, "x");      // ready for the next poll, which must not happen
                base.loopExit(Duration.ZERO);
            });
            Event second = base.newTimer((e, w) -> ran.add("second"));
            first.activate(Event.TIMEOUT);
            second.activate(Event.TIMEOUT);

            assertThat(base.dispatch()).isZero();

            assertThat(base.gotExit()).isTrue();
            assertThat(ran).containsExactly("first", "second");
            assertThat(polls[0]).as("only the poll before the callbacks").isEqualTo(1);
        }
    }

    @Test
    @DisplayName("4. loopBreak() in a callback: no further callback runs in that iteration; gotBreak (test_loopbreak)")
    void breakInCallback() {
        try (EventBase base = new EventBase()) {
            List<String> ran = new ArrayList<>();
            Event first = base.newTimer((e, w) -> {
                ran.add("first");
                base.loopBreak();
            });
            Event second = base.newTimer((e, w) -> ran.add("second"));
            first.activate(Event.TIMEOUT);
            second.activate(Event.TIMEOUT);

            assertThat(base.dispatch()).isZero();
            assertThat(ran).containsExactly("first");
            assertThat(base.gotBreak()).isTrue();
            assertThat(base.gotExit()).isFalse();
            assertThat(second.isPending(Event.TIMEOUT)).as("still queued for the next loop").isTrue();

            assertThat(base.dispatch()).isEqualTo(1);
            assertThat(ran).containsExactly("first", "second");
            assertThat(base.gotBreak()).isFalse();
        }
    }

    @Test
    @DisplayName("4b. a break requested before the loop starts is kept: the next loop returns at once with gotBreak (libevent drops it)")
    void breakBeforeLoopIsKept() {
        try (EventBase base = new EventBase()) {
            List<String> ran = new ArrayList<>();
            base.newTimer((e, w) -> ran.add("timer")).add(Duration.ZERO);
            base.loopBreak();

            assertThat(base.dispatch()).isZero();
            assertThat(base.gotBreak()).isTrue();
            assertThat(ran).isEmpty();

            assertThat(base.dispatch()).isEqualTo(1);
            assertThat(ran).containsExactly("timer");
        }
    }

    @Test
    @DisplayName("4c. loopBreak() from another thread ends a loop blocked in select")
    void breakFromAnotherThreadWakesSelect() throws Exception {
        EventBase base = new EventBase();
        CountDownLatch polling = new CountDownLatch(1);
        LoopObservers.add(base, new LoopObserver() {
            @Override
            public boolean beforePoll() {
                polling.countDown();
                return false;
            }

            @Override
            public void afterPoll() {
            }
        });
        CompletableFuture<Boolean> gotBreak = new CompletableFuture<>();
        Thread loop = new Thread(() -> {
            try {
                base.loop(EventBase.LOOP_NO_EXIT_ON_EMPTY);
                gotBreak.complete(base.gotBreak());
                base.close();
            } catch (Throwable t) {
                gotBreak.completeExceptionally(t);
            }
        }, "loop-under-test");
        loop.start();
        assertThat(polling.await(10, TimeUnit.SECONDS)).isTrue();

        base.loopBreak();

        assertThat(gotBreak.get(10, TimeUnit.SECONDS)).isTrue();
        loop.join(10_000);
    }

    @Test
    @DisplayName("9. calling loop() from a callback of the same base fails clearly (test_bad_reentrant)")
    void reentrantLoopFails() {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        try (EventBase base = new EventBase()) {
            base.newTimer((e, w) -> {
                try {
                    base.loop(0);
                } catch (IllegalStateException ex) {
                    failure.set(ex);
                }
            }).activate(Event.TIMEOUT);
            base.dispatch();
        }
        assertThat(failure.get()).isInstanceOf(IllegalStateException.class).hasMessageContaining("re-entrant");
    }

    @Test
    @DisplayName("12. dispatch() returns 1 at once when nothing is pending")
    void emptyDispatchReturnsOne() {
        try (EventBase base = new EventBase()) {
            assertThat(base.dispatch()).isEqualTo(1);
            Event freed = base.newTimer((e, w) -> { });
            freed.add(Duration.ofHours(1));
            freed.del();
            assertThat(base.dispatch()).isEqualTo(1);
        }
    }

    @Test
    @DisplayName("12b. NO_EXIT_ON_EMPTY keeps an empty loop running until an exit")
    void noExitOnEmptyKeepsRunning() {
        ManualClock clock = new ManualClock();
        try (EventBase base = ManualClock.base(clock, 1)) {
            int[] polls = {0};
            LoopObservers.add(base, new LoopObserver() {
                @Override
                public boolean beforePoll() {
                    if (++polls[0] == 3) {
                        base.loopExit(Duration.ZERO);
                    }
                    return true;   // never block: this test drives iterations, not time
                }

                @Override
                public void afterPoll() {
                }
            });
            assertThat(base.loop(EventBase.LOOP_NO_EXIT_ON_EMPTY)).isZero();
            assertThat(polls[0]).isGreaterThanOrEqualTo(3);
            assertThat(base.gotExit()).isTrue();
        }
    }

    @Test
    @DisplayName("a closed base refuses to loop and close() is idempotent")
    void closedBase() {
        EventBase base = new EventBase();
        base.close();
        base.close();
        assertThat(base.isClosed()).isTrue();
        assertThatThrownBy(base::dispatch).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        assertThatThrownBy(() -> base.newTimer((e, w) -> { })).isInstanceOf(IllegalStateException.class);
    }
}
