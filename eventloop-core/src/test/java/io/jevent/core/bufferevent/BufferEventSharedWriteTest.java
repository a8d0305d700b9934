package io.jevent.core.bufferevent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.jevent.core.Event;
import io.jevent.core.buffer.EvBuffer;
import io.jevent.core.buffer.SharedBytes;

/**
 * Fan-out through buffer events over loopback sockets: the same {@link SharedBytes} added to many
 * connections' outputs reaches every peer whole and in order, interleaved with copied bytes,
 * including bytes larger than a socket buffer that need several writes.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class BufferEventSharedWriteTest {

    @Test
    @DisplayName("one SharedBytes added to 20 connections' outputs arrives at every peer intact, between copied bytes")
    void sharedBytesReachEveryPeer() throws IOException {
        byte[] small = "GROUP bob 1 2 hi all\n".getBytes(StandardCharsets.UTF_8);
        byte[] large = new byte[1 << 20];   // more than a loopback socket buffer: partial writes
        for (int i = 0; i < large.length; i++) {
            large[i] = (byte) (i * 7 + i / 251);
        }
        SharedBytes sharedSmall = SharedBytes.copyOf(small);
        SharedBytes sharedLarge = SharedBytes.copyOf(large);
        int peers = 20;
        try (Loops loops = new Loops()) {
            List<BufferEvent> senders = new ArrayList<>();
            List<EvBuffer> received = new ArrayList<>();
            for (int i = 0; i < peers; i++) {
                SocketChannel[] ch = Loops.socketPair();
                BufferEvent sender = BufferEvent.socket(loops.base, ch[0]);
                BufferEvent receiver = BufferEvent.socket(loops.base, ch[1]);
                EvBuffer got = new EvBuffer();
                receiver.setCallbacks(b -> got.addBuffer(b.input()), null, Loops.noStatus());
                receiver.enable(Event.READ);
                sender.setCallbacks(null, null, Loops.noStatus());
                senders.add(sender);
                received.add(got);
            }
            // Added from a timer callback, not a read callback: the flush after the iteration sends them.
            loops.base.newTimer((ev, what) -> {
                for (int i = 0; i < peers; i++) {
                    EvBuffer out = senders.get(i).output();
                    out.add(new byte[] {(byte) i});
                    out.addShared(sharedSmall);
                    out.addShared(sharedLarge);
                    out.addShared(sharedSmall);
                }
            }).add(Duration.ofMillis(1));
            long each = 1 + 2L * small.length + large.length;
            loops.runUntil(() -> received.stream().allMatch(r -> r.length() == each), Duration.ofSeconds(30));

            for (int i = 0; i < peers; i++) {
                byte[] all = new byte[(int) each];
                received.get(i).copyOut(all);
                assertThat(all[0]).isEqualTo((byte) i);
                assertThat(Arrays.copyOfRange(all, 1, 1 + small.length)).isEqualTo(small);
                assertThat(Arrays.equals(all, 1 + small.length, 1 + small.length + large.length, large, 0, large.length))
                        .as("large part of peer %d", i).isTrue();
                assertThat(Arrays.copyOfRange(all, (int) each - small.length, (int) each)).isEqualTo(small);
                assertThat(senders.get(i).output().isEmpty()).isTrue();
            }
            assertThat(sharedLarge.toByteArray()).isEqualTo(large);
            senders.forEach(BufferEvent::close);
        }
    }
}
