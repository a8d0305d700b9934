package io.jevent.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Behaviours 1, 2, 7, 8 and 10 of the libevent map, on real pipes. */
class EventBasicsTest {
    private final ManualClock clock = new ManualClock();
    private EventBase base;
    private Pipe pipe;

    @BeforeEach
    void open() throws IOException {
        base = ManualClock.base(clock, 1);
        pipe = Pipe.open();
        pipe.source().configureBlocking(false);
    }

    @AfterEach
    void close() throws IOException {
        base.close();
        pipe.source().close();
        pipe.sink().close();
    }

    private int readOne() {
        try {
            return pipe.source().read(ByteBuffer.allocate(1));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    @DisplayName("1. a non-persistent READ fires once, is then not pending, and re-adding gives one call per readiness (test_simpleread)")
    void simpleRead() {
        Channels.write(pipe.sink(), "abc");
        List<Boolean> pendingInCallback = new ArrayList<>();
        int[] calls = {0};
        Event ev = base.newEvent(pipe.source(), Event.READ, (e, what) -> {
            assertThat(what).isEqualTo(Event.READ);
            pendingInCallback.add(e.isPending(Event.READ));
            readOne();
            if (++calls[0] < 3) {
                e.add();
            }
        });
        ev.add();

        assertThat(base.dispatch()).as("returns 1 once nothing is pending").isEqualTo(1);
        assertThat(calls[0]).isEqualTo(3);
        assertThat(pendingInCallback).containsExactly(false, false, false);
        assertThat(ev.isPending(Event.READ)).isFalse();
    }

    @Test
    @DisplayName("2. READ|PERSIST and WRITE|PERSIST keep firing until deleted; 4096 bytes in small chunks arrive intact (test_persistent)")
    void persistentReadAndWrite() throws IOException {
        byte[] data = new byte[4096];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 31);
        }
        ByteBuffer out = ByteBuffer.wrap(data);
        ByteBuffer in = ByteBuffer.allocate(data.length);
        pipe.sink().configureBlocking(false);
        Event writer = base.newEvent(pipe.sink(), Event.WRITE | Event.PERSIST, (e, what) -> {
            try {
                ByteBuffer chunk = out.slice().limit(Math.min(out.remaining(), 97));
                out.position(out.position() + pipe.sink().write(chunk));
            } catch (IOException ex) {
                throw new UncheckedIOException(ex);
            }
            if (!out.hasRemaining()) {
                e.del();
            }
        });
        int[] readCalls = {0};
        Event reader = base.newEvent(pipe.source(), Event.READ | Event.PERSIST, (e, what) -> {
            readCalls[0]++;
            try {
                ByteBuffer chunk = in.slice().limit(Math.min(in.remaining(), 53));
                in.position(in.position() + pipe.source().read(chunk));
            } catch (IOException ex) {
                throw new UncheckedIOException(ex);
            }
            if (!in.hasRemaining()) {
                e.del();
            }
        });
        writer.add();
        reader.add();

        assertThat(base.dispatch()).isEqualTo(1);
        assertThat(in.array()).isEqualTo(data);
        assertThat(readCalls[0]).as("persistent: many calls without re-adding").isGreaterThan(1);
    }

    @Test
    @DisplayName("7. isPending: READ pending on an added read event, WRITE not; a 500 ms timer reports its deadline (test_event_pending)")
    void pending() {
        Event reader = base.newEvent(pipe.source(), Event.READ, (e, w) -> { });
        Event timer = base.newTimer((e, w) -> { });
        reader.add();
        timer.add(Duration.ofMillis(500));

        assertThat(reader.isPending(Event.READ)).isTrue();
        assertThat(reader.isPending(Event.WRITE)).isFalse();
        assertThat(reader.isPending(Event.TIMEOUT)).isFalse();
        assertThat(timer.isPending(Event.TIMEOUT)).isTrue();
        assertThat(timer.isPending(Event.READ)).isFalse();
        assertThat(timer.deadline()).hasValue(clock.getAsLong() + Duration.ofMillis(500).toNanos());
        assertThat(reader.deadline()).isEmpty();

        timer.del();
        assertThat(timer.isPending(Event.TIMEOUT)).isFalse();
    }

    @Test
    @DisplayName("8. activate(READ) then activate(WRITE) before it runs: one callback with READ|WRITE (test_manipulate_active_events)")
    void activationsMerge() {
        List<Integer> calls = new ArrayList<>();
        Event ev = base.newTimer((e, what) -> calls.add(what));
        ev.activate(Event.READ);
        ev.activate(Event.WRITE);
        assertThat(ev.isPending(Event.READ | Event.WRITE)).isTrue();

        base.loop(EventBase.LOOP_NONBLOCK);
        assertThat(calls).containsExactly(Event.READ | Event.WRITE);
    }

    @Test
    @DisplayName("8b. deleting an active event cancels its queued callback (event_del removes it from the active queue)")
    void deleteCancelsActivation() {
        List<Integer> calls = new ArrayList<>();
        Event ev = base.newTimer((e, what) -> calls.add(what));
        ev.activate(Event.TIMEOUT);
        ev.del();
        base.loop(EventBase.LOOP_NONBLOCK);
        assertThat(calls).isEmpty();
    }

    @Test
    @DisplayName("8c. a non-persistent READ event activated with READ whose timeout expires before it runs: one callback with READ|TIMEOUT (libevent #1530)")
    void readAndTimeoutMergeForNonPersistent() {
        List<Integer> calls = new ArrayList<>();
        Event ev = base.newEvent(pipe.source(), Event.READ, (e, what) -> calls.add(what));
        ev.add(Duration.ofMillis(100));
        ev.activate(Event.READ);
        clock.advance(Duration.ofMillis(100));

        base.loop(EventBase.LOOP_NONBLOCK);
        base.loop(EventBase.LOOP_NONBLOCK);

        assertThat(calls).containsExactly(Event.READ | Event.TIMEOUT);
        assertThat(ev.isPending(Event.READ | Event.TIMEOUT)).as("non-persistent: done after its call").isFalse();
    }

    @Test
    @DisplayName("10. removeTimeout() on READ|PERSIST with a timeout: it then only ever sees READ (test_event_remove_timeout)")
    void removeTimeout() {
        List<Integer> seen = new ArrayList<>();
        Event ev = base.newEvent(pipe.source(), Event.READ | Event.PERSIST, (e, what) -> {
            seen.add(what);
            readOne();
        });
        ev.add(Duration.ofMillis(100));
        ev.removeTimeout();
        assertThat(ev.isPending(Event.TIMEOUT)).isFalse();
        assertThat(ev.isPending(Event.READ)).isTrue();

        clock.advance(Duration.ofSeconds(1));
        base.loop(EventBase.LOOP_NONBLOCK);
        Channels.write(pipe.sink(), "x");
        base.loop(EventBase.LOOP_ONCE);
        clock.advance(Duration.ofSeconds(1));
        base.loop(EventBase.LOOP_NONBLOCK);

        assertThat(seen).containsExactly(Event.READ);
        assertThat(ev.isPending(Event.READ)).isTrue();
    }

    @Test
    @DisplayName("a persistent READ with a timeout re-arms the timeout on each activation (libevent's persist closure)")
    void persistentTimeoutRearms() {
        List<Long> timeouts = new ArrayList<>();
        long start = clock.getAsLong();
        Event ev = base.newEvent(pipe.source(), Event.READ | Event.PERSIST, (e, what) -> {
            if ((what & Event.TIMEOUT) != 0) {
                timeouts.add(clock.millisSince(start));
            }
            if ((what & Event.READ) != 0) {
                readOne();
            }
        });
        ev.add(Duration.ofMillis(100));
        clock.advance(Duration.ofMillis(60));
        Channels.write(pipe.sink(), "x");
        base.loop(EventBase.LOOP_ONCE);           // READ at 60 ms: next timeout at 160 ms
        for (int i = 0; i < 30; i++) {
            clock.advance(Duration.ofMillis(10));
            base.loop(EventBase.LOOP_NONBLOCK);
        }
        assertThat(timeouts).containsExactly(160L, 260L, 360L);
    }
}
