package io.jevent.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Several events on one channel share its registration; their interests are merged. */
class ChannelInterestTest {

    @Test
    @DisplayName("a READ and a WRITE event on one socket both fire; deleting WRITE leaves READ working")
    void readAndWriteOnOneSocket() throws IOException {
        SocketChannel[] pair = Channels.socketPair();
        try (EventBase base = new EventBase()) {
            List<String> seen = new ArrayList<>();
            Event reader = base.newEvent(pair[0], Event.READ | Event.PERSIST, (e, w) -> {
                ByteBuffer buf = ByteBuffer.allocate(16);
                try {
                    int n = pair[0].read(buf);
                    seen.add("read " + n);
                } catch (IOException ex) {
                    throw new java.io.UncheckedIOException(ex);
                }
                e.del();
            });
            Event writer = base.newEvent(pair[0], Event.WRITE | Event.PERSIST, (e, w) -> {
                seen.add("writable");
                e.del();
                Channels.write(pair[1], "ping");
            });
            reader.add();
            writer.add();

            assertThat(base.dispatch()).isEqualTo(1);
            assertThat(seen).containsExactly("writable", "read 4");

            writer.free();
            reader.add();
            Channels.write(pair[1], "again");
            base.dispatch();
            assertThat(seen).containsExactly("writable", "read 4", "read 5");
        } finally {
            pair[0].close();
            pair[1].close();
        }
    }

    @Test
    @DisplayName("a channel whose events were all freed can be watched again by a new event")
    void reRegisterAfterFree() throws IOException {
        SocketChannel[] pair = Channels.socketPair();
        try (EventBase base = new EventBase()) {
            base.newEvent(pair[0], Event.READ, (e, w) -> { }).free();
            int[] calls = {0};
            base.newEvent(pair[0], Event.READ, (e, w) -> calls[0]++).add();
            Channels.write(pair[1], "x");
            base.dispatch();
            assertThat(calls[0]).isEqualTo(1);
        } finally {
            pair[0].close();
            pair[1].close();
        }
    }

    @Test
    @DisplayName("adding an event on a closed channel fails clearly")
    void closedChannel() throws IOException {
        SocketChannel[] pair = Channels.socketPair();
        try (EventBase base = new EventBase()) {
            Event ev = base.newEvent(pair[0], Event.READ, (e, w) -> { });
            pair[0].close();
            org.assertj.core.api.Assertions.assertThatThrownBy(ev::add)
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
            assertThat(base.dispatch()).isEqualTo(1);
        } finally {
            pair[1].close();
        }
    }
}
