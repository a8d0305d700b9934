package io.jevent.core.bufferevent;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.jevent.core.Event;
import io.jevent.core.EventBase;
import io.jevent.core.EventConfig;
import io.jevent.core.spi.LoopObserver;
import io.jevent.core.spi.LoopObservers;

/**
 * When a socket buffer event's output reaches the kernel: in one write after the callbacks of the
 * iteration that produced it, before the loop polls again; WRITE readiness is watched only while the
 * kernel leaves part of it queued. And timeouts that count from the last progress.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class BufferEventWriteThroughTest {

    @Test
    @DisplayName("ping-pong: each reply is in the kernel before the next poll, and no WRITE event is ever pending")
    void repliesLeaveBeforeThePollWithoutWatchingWrite() throws IOException {
        try (Loops loops = new Loops()) {
            SocketChannel[] ch = Loops.socketPair();
            BufferEvent server = BufferEvent.socket(loops.base, ch[0]);
            BufferEvent client = BufferEvent.socket(loops.base, ch[1]);
            int rounds = 1000;
            int[] replies = {0};
            server.setCallbacks(b -> b.write(b.input()), null, Loops.noStatus());     // echo
            client.setCallbacks(b -> {
                b.input().drain(b.input().length());
                if (++replies[0] < rounds) {
                    b.write(new byte[64]);
                }
            }, null, Loops.noStatus());
            server.enable(Event.READ);
            client.enable(Event.READ);

            List<String> violations = new ArrayList<>();
            LoopObservers.add(loops.base, new LoopObserver() {
                @Override
                public boolean beforePoll() {
                    if (client.isClosed() || server.isClosed()) {
                        return false;
                    }
                    if (!server.output().isEmpty() || !client.output().isEmpty()) {
                        violations.add("output still queued at the poll: server " + server.output().length()
                                + ", client " + client.output().length());
                    }
                    loops.base.forEachEvent(ev -> {
                        if ((ev.events() & Event.WRITE) != 0) {
                            violations.add("WRITE watched: " + ev);
                        }
                    });
                    return false;
                }

                @Override
                public void afterPoll() {
                }
            });
            client.write(new byte[64]);
            loops.runUntil(() -> replies[0] == rounds, Duration.ofSeconds(20));
            assertThat(violations).isEmpty();
            server.close();
            client.close();
        }
    }

    @Test
    @DisplayName("writes of one iteration leave together: the peer reads them in order, and the write callback runs after the flush")
    void writesOfOneIterationLeaveTogether() throws IOException {
        try (Loops loops = new Loops()) {
            SocketChannel[] ch = Loops.socketPair();
            BufferEvent bev = BufferEvent.socket(loops.base, ch[0]);
            List<String> seen = new ArrayList<>();
            bev.setCallbacks(null, b -> seen.add("write callback, output " + b.output().length()), Loops.noStatus());
            Event producer = loops.base.newTimer((ev, what) -> {
                bev.write("one ".getBytes(StandardCharsets.US_ASCII));
                bev.write("two ".getBytes(StandardCharsets.US_ASCII));
                bev.write("three".getBytes(StandardCharsets.US_ASCII));
                seen.add("queued " + bev.output().length());
            });
            producer.activate(Event.TIMEOUT);
            loops.runUntil(() -> seen.size() == 2, Duration.ofSeconds(10));
            assertThat(seen).containsExactly("queued 13", "write callback, output 0");
            ByteBuffer got = ByteBuffer.allocate(13);
            ch[1].configureBlocking(true);
            while (got.hasRemaining()) {
                ch[1].read(got);
            }
            assertThat(new String(got.array(), StandardCharsets.US_ASCII)).isEqualTo("one two three");
            producer.free();
            bev.close();
            ch[1].close();
        }
    }

    @Test
    @DisplayName("a reply from the read callback leaves when that callback returns: the next ready connection "
            + "of the same iteration finds it sent, so a loop holds one reply's segments, not one per connection")
    void aReplyLeavesBeforeTheNextConnectionIsServed() throws IOException {
        try (Loops loops = new Loops()) {
            SocketChannel[] one = Loops.socketPair();
            SocketChannel[] two = Loops.socketPair();
            BufferEvent first = BufferEvent.socket(loops.base, one[0]);
            BufferEvent second = BufferEvent.socket(loops.base, two[0]);
            long[] iteration = {0};
            LoopObservers.add(loops.base, new LoopObserver() {
                @Override
                public boolean beforePoll() {
                    return false;
                }

                @Override
                public void afterPoll() {
                    iteration[0]++;
                }
            });
            List<String> seen = new ArrayList<>();
            long[] servedIn = new long[2];
            BufferEvent[] both = {first, second};
            for (int i = 0; i < 2; i++) {
                int me = i;
                both[i].setCallbacks(b -> {
                    BufferEvent other = both[1 - me];
                    if (servedIn[1 - me] == iteration[0]) {     // the other was served earlier in this iteration
                        seen.add("other's output when served second: " + other.output().length());
                    }
                    servedIn[me] = iteration[0];
                    b.write(b.input());
                }, null, Loops.noStatus());
                both[i].enable(Event.READ);
            }
            // Both requests are in the kernel before the loop polls, so one poll reports both.
            one[1].write(ByteBuffer.wrap(new byte[100]));
            two[1].write(ByteBuffer.wrap(new byte[100]));
            loops.runUntil(() -> servedIn[0] > 0 && servedIn[1] > 0, Duration.ofSeconds(10));
            assertThat(servedIn[0]).as("both served in the same iteration").isEqualTo(servedIn[1]);
            assertThat(seen).containsExactly("other's output when served second: 0");
            first.close();
            second.close();
            one[1].close();
            two[1].close();
        }
    }

    @Test
    @DisplayName("a full kernel buffer: WRITE is watched while output waits, dropped once drained; every byte arrives")
    void writeIsWatchedOnlyWhileTheKernelIsFull() throws IOException {
        try (Loops loops = new Loops()) {
            SocketChannel[] ch = Loops.socketPair();
            ch[0].setOption(StandardSocketOptions.SO_SNDBUF, 64 * 1024);
            ch[1].setOption(StandardSocketOptions.SO_RCVBUF, 64 * 1024);
            BufferEvent sender = BufferEvent.socket(loops.base, ch[0]);
            BufferEvent receiver = BufferEvent.socket(loops.base, ch[1]);
            int total = 4 * 1024 * 1024;
            byte[] data = Loops.streamBytes(3, total);
            int[] drained = {0};
            sender.setCallbacks(null, b -> {
                if (b.output().isEmpty()) {
                    drained[0]++;
                }
            }, Loops.noStatus());
            sender.write(data);
            loops.base.loop(EventBase.LOOP_NONBLOCK);     // the flush: the kernel takes a part
            assertThat(sender.output().length()).as("part still queued").isPositive().isLessThan(total);
            assertThat(writeWatched(loops, ch[0])).as("WRITE watched while the kernel is full").isTrue();

            Loops.Received received = new Loops.Received();
            receiver.setCallbacks(received, null, Loops.noStatus());
            receiver.enable(Event.READ);
            loops.runUntil(() -> received.bytes == total && drained[0] > 0, Duration.ofSeconds(20));
            assertThat(received.crc()).isEqualTo(Loops.crc(data));
            assertThat(drained[0]).as("write callback at empty: once").isEqualTo(1);
            assertThat(writeWatched(loops, ch[0])).as("WRITE dropped once drained").isFalse();
            sender.close();
            receiver.close();
        }
    }

    @Test
    @DisplayName("a read timeout counts from the last byte read: steady traffic never times out, silence does, one period after the last byte")
    void readTimeoutCountsFromTheLastProgress() {
        AtomicLong clock = new AtomicLong(1_000_000_000L);
        List<Throwable> failures = new ArrayList<>();
        try (EventBase base = new EventBase(EventConfig.builder().clock(clock::get)
                .exceptionHandler((ev, e) -> failures.add(e)).build())) {
            BufferEvent.Pair p = BufferEvent.pair(base);
            List<Integer> status = new ArrayList<>();
            long[] read = {0};
            p.first().setCallbacks(b -> read[0] += b.input().drain(b.input().length()), null,
                    (b, what, cause) -> status.add(what));
            p.first().setTimeouts(Duration.ofSeconds(10), null);
            p.first().enable(Event.READ);
            for (int i = 1; i <= 5; i++) {
                clock.addAndGet(Duration.ofSeconds(6).toNanos());     // 30 s in all, never 10 s of silence
                p.second().write(new byte[] {(byte) i});
                base.loop(EventBase.LOOP_NONBLOCK);
                assertThat(read[0]).isEqualTo(i);
            }
            assertThat(status).as("no timeout while bytes keep coming").isEmpty();
            clock.addAndGet(Duration.ofSeconds(9).toNanos());
            base.loop(EventBase.LOOP_NONBLOCK);
            assertThat(status).as("9 s after the last byte").isEmpty();
            clock.addAndGet(Duration.ofSeconds(1).toNanos());
            base.loop(EventBase.LOOP_NONBLOCK);
            assertThat(status).as("10 s after the last byte").containsExactly(BufferEvent.READING | BufferEvent.TIMEOUT);
            assertThat(p.first().enabled() & Event.READ).isZero();
            assertThat(failures).isEmpty();
            p.first().close();
            p.second().close();
        }
    }

    private static boolean writeWatched(Loops loops, SocketChannel channel) {
        boolean[] found = {false};
        loops.base.forEachEvent(ev -> {
            if (ev.channel() == channel && (ev.events() & Event.WRITE) != 0) {
                found[0] = true;
            }
        });
        return found[0];
    }
}
