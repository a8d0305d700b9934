package io.jevent.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** EventBase.rebuildSelector(): Netty's remedy for a broken selector, the channels carried over. */
@Timeout(value = 30, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SelectorRebuildTest {

    @Test
    @DisplayName("after rebuildSelector every watched channel keeps its interest on the new selector; one closed meanwhile is skipped")
    void channelsKeepTheirInterestAcrossARebuild() throws IOException {
        List<String> fired = new ArrayList<>();
        SocketChannel[] watched = Channels.socketPair();
        SocketChannel[] closedMeanwhile = Channels.socketPair();
        try (EventBase base = new EventBase()) {
            Event read = base.newEvent(watched[1], Event.READ | Event.PERSIST, (ev, what) -> {
                fired.add("read");
                try {
                    watched[1].read(ByteBuffer.allocate(16));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                base.loopBreak();
            });
            read.add();
            Event write = base.newEvent(watched[1], Event.WRITE, (ev, what) -> fired.add("write"));
            Event gone = base.newEvent(closedMeanwhile[1], Event.READ, (ev, what) -> fired.add("gone"));
            gone.add();
            closedMeanwhile[1].close();

            base.rebuildSelector();

            Channels.write(watched[0], "x");
            base.dispatch();
            assertThat(fired).as("READ kept, WRITE still not added").containsExactly("read");
            write.add();
            base.loop(EventBase.LOOP_ONCE);
            assertThat(fired).as("interest changes after the rebuild reach the new key").endsWith("write");
        } finally {
            for (SocketChannel ch : new SocketChannel[] {watched[0], watched[1], closedMeanwhile[0]}) {
                ch.close();
            }
        }
    }
}
