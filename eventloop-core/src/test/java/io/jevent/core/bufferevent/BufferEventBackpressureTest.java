package io.jevent.core.bufferevent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import io.jevent.core.Event;
import io.jevent.core.spi.LoopObserver;
import io.jevent.core.spi.LoopObservers;

/** The read high watermark (no spin, no stall) and a long transfer under write watermarks. */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class BufferEventBackpressureTest {

    /** Counts loop iterations: one beforePoll per poll. */
    private static final class Iterations implements LoopObserver {
        long count;

        @Override
        public boolean beforePoll() {
            count++;
            return false;
        }

        @Override
        public void afterPoll() {
        }
    }

    @ParameterizedTest(name = "over {0}")
    @ValueSource(strings = {"socket", "pair"})
    @DisplayName("read high watermark: while the input is full and the peer keeps sending, no read callback and "
            + "no loop iteration happen (no spin, unlike libevent 2.1.11+, issue #891); draining resumes reading "
            + "and every byte arrives (no stall)")
    void highWatermarkPausesWithoutSpinAndResumes(String transport) throws IOException {
        try (Loops loops = new Loops()) {
            BufferEvent[] bevs = loops.connectedPair(transport.equals("socket"));
            BufferEvent sender = bevs[0];
            BufferEvent receiver = bevs[1];
            if (sender.channel() != null) {
                // Small kernel buffers, so that the kernel cannot swallow the whole transfer.
                sender.channel().setOption(java.net.StandardSocketOptions.SO_SNDBUF, 64 * 1024);
                receiver.channel().setOption(java.net.StandardSocketOptions.SO_RCVBUF, 64 * 1024);
            }
            int total = 1024 * 1024;
            byte[] data = Loops.streamBytes(3, total);
            CRC32 sent = new CRC32();
            sent.update(data);
            sender.setCallbacks(null, null, Loops.noStatus());
            sender.write(data);

            int[] readCalls = {0};
            boolean[] consume = {false};
            CRC32 got = new CRC32();
            long[] received = {0};
            receiver.setReadWatermarks(0, 4096);
            receiver.setCallbacks(b -> {
                readCalls[0]++;
                if (consume[0]) {
                    byte[] chunk = new byte[(int) b.input().length()];
                    b.read(chunk);
                    got.update(chunk);
                    received[0] += chunk.length;
                }
            }, null, Loops.noStatus());
            receiver.enable(Event.READ);

            // Phase 1: the input fills to the high watermark and the callback does not drain it.
            loops.runUntil(() -> receiver.input().length() == 4096, Duration.ofSeconds(10));
            Iterations iterations = new Iterations();
            LoopObservers.add(loops.base, iterations);
            int callsWhenFull = readCalls[0];
            loops.runFor(Duration.ofMillis(300));
            assertThat(receiver.input().length()).as("one read never passes the high watermark").isEqualTo(4096);
            assertThat(readCalls[0]).as("no read callback while paused").isEqualTo(callsWhenFull);
            assertThat(iterations.count).as("the loop sleeps while paused: iterations in 300 ms").isLessThan(20);
            assertThat(sender.output().length()).as("the sender is held back, not finished").isPositive();

            // Phase 2: drain from outside any read callback; reading resumes by itself.
            consume[0] = true;
            byte[] first = new byte[4096];
            receiver.read(first);
            got.update(first);
            received[0] += first.length;
            loops.runUntil(() -> received[0] == total, Duration.ofSeconds(20));
            assertThat(got.getValue()).isEqualTo(sent.getValue());
            LoopObservers.remove(loops.base, iterations);
            sender.close();
            receiver.close();
        }
    }

    /*
     * 64 MiB to a slow reader on the same loop. The receiver reads at most 64 KiB (its high watermark) per
     * callback and then disables READ; a 1 ms timer enables it again, so it consumes roughly 64 KiB per loop
     * tick, far slower than loopback. The sender produces only from its write callback, which runs when the
     * output is down to its low watermark, and stops when isOutputFull(). A 10 ms persistent timer on the same
     * loop records the longest gap between its runs.
     */
    @Test
    @DisplayName("64 MiB to a slow reader: the sender refills only from its write callback and stays under "
            + "high watermark + one chunk, the checksum matches, and a 10 ms timer keeps firing (gap < 1 s)")
    void largeTransferToSlowReaderRespectsWatermarks() throws IOException {
        final long total = 64L * 1024 * 1024;
        final int chunk = 32 * 1024;
        final long writeLow = 64 * 1024;
        final long writeHigh = 256 * 1024;
        try (Loops loops = new Loops()) {
            BufferEvent[] bevs = loops.connectedPair(true);
            BufferEvent sender = bevs[0];
            BufferEvent receiver = bevs[1];

            long[] produced = {0};
            long[] maxOutput = {0};
            List<String> violations = new ArrayList<>();
            CRC32 sent = new CRC32();
            byte[] buf = new byte[chunk];
            sender.setWriteWatermarks(writeLow, writeHigh);
            DataCallback refill = b -> {
                if (b.output().length() > writeLow) {
                    violations.add("write callback above the low watermark: " + b.output().length());
                }
                while (!b.isOutputFull() && produced[0] < total) {
                    int n = (int) Math.min(chunk, total - produced[0]);
                    for (int i = 0; i < n; i++) {
                        buf[i] = Loops.streamByte(11, produced[0] + i);
                    }
                    sent.update(buf, 0, n);
                    b.output().add(buf, 0, n);
                    produced[0] += n;
                    maxOutput[0] = Math.max(maxOutput[0], b.output().length());
                }
            };
            sender.setCallbacks(null, refill, Loops.noStatus());

            CRC32 got = new CRC32();
            long[] received = {0};
            byte[] rbuf = new byte[64 * 1024];
            receiver.setReadWatermarks(0, 64 * 1024);
            receiver.setCallbacks(b -> {
                int n;
                while ((n = b.read(rbuf)) > 0) {
                    got.update(rbuf, 0, n);
                    received[0] += n;
                }
                b.disable(Event.READ);
            }, null, Loops.noStatus());
            Event reenable = loops.base.newEvent(null, Event.PERSIST, (ev, what) -> receiver.enable(Event.READ));
            reenable.add(Duration.ofMillis(1));

            long[] lastTick = {System.nanoTime()};
            long[] maxGap = {0};
            int[] ticks = {0};
            Event tick = loops.base.newEvent(null, Event.PERSIST, (ev, what) -> {
                long now = System.nanoTime();
                maxGap[0] = Math.max(maxGap[0], now - lastTick[0]);
                lastTick[0] = now;
                ticks[0]++;
            });
            tick.add(Duration.ofMillis(10));

            long start = System.nanoTime();
            refill.onData(sender);       // the first batch; afterwards only the write callback produces
            receiver.enable(Event.READ);
            loops.runUntil(() -> received[0] == total, Duration.ofSeconds(50));
            long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            System.out.printf("64 MiB slow-reader transfer: %d ms, %d timer ticks, longest gap %d ms, max output %d%n",
                    elapsedMs, ticks[0], TimeUnit.NANOSECONDS.toMillis(maxGap[0]), maxOutput[0]);

            assertThat(violations).isEmpty();
            assertThat(produced[0]).isEqualTo(total);
            assertThat(got.getValue()).isEqualTo(sent.getValue());
            assertThat(maxOutput[0]).isLessThanOrEqualTo(writeHigh + chunk);
            assertThat(TimeUnit.NANOSECONDS.toMillis(maxGap[0])).as("longest gap between 10 ms timer runs")
                    .isLessThan(1000);
            reenable.free();
            tick.free();
            sender.close();
            receiver.close();
        }
    }
}
