package io.jevent.core.bufferevent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import io.jevent.core.Event;
import io.jevent.core.listener.ConnectionListener;

/** Behaviours 17–19 of the libevent map, ported from libevent's test/regress_bufferevent.c. */
@Timeout(value = 30, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class BufferEventLibeventRegressTest {

    @ParameterizedTest(name = "over {0}")
    @ValueSource(strings = {"socket", "pair"})
    @DisplayName("17. watermarks: reads of 10-20 bytes, write callback only at <= 100 queued, 65000 bytes intact "
            + "(test_bufferevent_watermarks, test_bufferevent_pair_watermarks)")
    void watermarks(String transport) throws IOException {
        try (Loops loops = new Loops()) {
            BufferEvent[] bevs = loops.connectedPair(transport.equals("socket"));
            BufferEvent sender = bevs[0];
            BufferEvent receiver = bevs[1];
            List<String> violations = new ArrayList<>();
            long[] received = {0};
            int[] readCalls = {0};
            int[] emptiedCalls = {0};
            sender.setCallbacks(null, bev -> {
                long queued = bev.output().length();
                if (queued > 100) {
                    violations.add("write callback with " + queued + " queued");
                }
                if (queued == 0) {
                    emptiedCalls[0]++;
                }
            }, Loops.noStatus());
            receiver.setCallbacks(bev -> {
                readCalls[0]++;
                int len = (int) bev.input().length();
                if (len < 10 || len > 20) {
                    violations.add("read callback with " + len + " bytes");
                }
                byte[] chunk = new byte[len];
                assertThat(bev.read(chunk)).isEqualTo(len);
                for (int i = 0; i < len; i++) {
                    if (chunk[i] != (byte) (received[0] + i)) {
                        violations.add("byte " + (received[0] + i) + " corrupted");
                        break;
                    }
                }
                received[0] += len;
                if (received[0] == 65000) {
                    bev.disable(Event.READ);
                }
            }, null, Loops.noStatus());
            sender.disable(Event.READ);
            receiver.enable(Event.READ);
            assertThat(sender.enabled()).isEqualTo(Event.WRITE);
            assertThat(receiver.enabled()).isEqualTo(Event.READ | Event.WRITE);

            byte[] data = new byte[65000];
            for (int i = 0; i < data.length; i++) {
                data[i] = (byte) i;
            }
            receiver.setReadWatermarks(10, 20);
            sender.setWriteWatermarks(100, 2000);
            sender.write(data);

            // As in libevent, dispatch() returns by itself: once all is sent and read, nothing is pending.
            assertThat(loops.base.dispatch()).isEqualTo(1);
            loops.assertNoCallbackFailures();

            assertThat(violations).isEmpty();
            assertThat(received[0]).isEqualTo(65000);
            assertThat(readCalls[0]).isBetween(65000 / 20, 65000 / 10);
            assertThat(emptiedCalls[0]).as("the write callback saw the output empty once").isEqualTo(1);
            sender.close();
            receiver.close();
        }
    }

    @Test
    @DisplayName("18. timeouts on a pair whose peer reads nothing: WRITING|TIMEOUT then READING|TIMEOUT, once each, "
            + "those directions disabled (test_bufferevent_timeouts, pair)")
    void timeoutsOnPair() {
        try (Loops loops = new Loops()) {
            BufferEvent.Pair p = BufferEvent.pair(loops.base);
            BufferEvent bev1 = p.first();
            BufferEvent bev2 = p.second();
            bev2.disable(Event.READ);

            List<Integer> events1 = new ArrayList<>();
            List<Long> at1 = new ArrayList<>();
            List<Integer> events2 = new ArrayList<>();
            long start = System.nanoTime();
            bev1.setCallbacks(null, null, (bev, what, cause) -> {
                events1.add(what);
                at1.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
            });
            bev1.setWriteWatermarks(1024 * 1024 + 10, 0);
            bev1.setTimeouts(Duration.ofMillis(150), Duration.ofMillis(100));
            bev1.write("ABCDEFG", StandardCharsets.US_ASCII);   // stalls: the other side is not reading
            bev1.enable(Event.READ | Event.WRITE);

            // bev2 has nothing to say and is not listening: its timeouts never run.
            bev2.setCallbacks(null, null, (bev, what, cause) -> events2.add(what));
            bev2.setTimeouts(Duration.ofMillis(100), Duration.ofMillis(200));
            bev2.enable(Event.WRITE);

            loops.base.loopExit(Duration.ofMillis(350));
            loops.base.dispatch();
            loops.assertNoCallbackFailures();

            assertThat(events1).containsExactly(BufferEvent.WRITING | BufferEvent.TIMEOUT,
                    BufferEvent.READING | BufferEvent.TIMEOUT);
            assertThat(at1.get(0)).as("write timeout after 100 ms").isGreaterThanOrEqualTo(100);
            assertThat(at1.get(1)).as("read timeout after 150 ms").isGreaterThanOrEqualTo(150);
            assertThat(bev1.enabled()).as("both directions disabled by their timeouts").isZero();
            assertThat(events2).isEmpty();
            assertThat(bev1.output().length()).as("the stalled bytes are still queued").isEqualTo(7);
            bev1.close();
            bev2.close();
        }
    }

    @Test
    @DisplayName("18. timeouts on a socket whose peer reads nothing: one write and one read timeout "
            + "(test_bufferevent_timeouts, socket)")
    void timeoutsOnSocket() throws IOException {
        try (Loops loops = new Loops()) {
            SocketChannel[] ch = Loops.socketPair();
            // Small kernel buffers so that the queued bytes certainly stall.
            ch[0].setOption(java.net.StandardSocketOptions.SO_SNDBUF, 16 * 1024);
            ch[1].setOption(java.net.StandardSocketOptions.SO_RCVBUF, 16 * 1024);
            BufferEvent bev1 = BufferEvent.socket(loops.base, ch[0]);
            BufferEvent bev2 = BufferEvent.socket(loops.base, ch[1]);
            List<Integer> events1 = new ArrayList<>();
            List<Integer> events2 = new ArrayList<>();
            bev1.setCallbacks(null, null, (bev, what, cause) -> events1.add(what));
            bev1.setTimeouts(Duration.ofMillis(150), Duration.ofMillis(100));
            bev1.write(new byte[4 * 1024 * 1024]);
            bev1.enable(Event.READ | Event.WRITE);
            bev2.setCallbacks(null, null, (bev, what, cause) -> events2.add(what));
            bev2.setTimeouts(Duration.ofMillis(100), Duration.ofMillis(200));

            loops.base.loopExit(Duration.ofMillis(400));
            loops.base.dispatch();
            loops.assertNoCallbackFailures();

            // No order asserted: how long the kernel keeps accepting bytes shifts the write timeout.
            assertThat(events1).containsExactlyInAnyOrder(BufferEvent.WRITING | BufferEvent.TIMEOUT,
                    BufferEvent.READING | BufferEvent.TIMEOUT);
            assertThat(bev1.enabled()).isZero();
            assertThat(bev1.output().length()).isPositive();
            assertThat(events2).isEmpty();
            bev1.close();
            bev2.close();
        }
    }

    private static final String TEST_STR = "Now is the time for all good events to signal for the good of their protocol";

    @Test
    @DisplayName("19. connect to a local listener: CONNECTED, data, then EOF, for two clients (test_bufferevent_connect)")
    void connectReceivesThenEof() {
        try (Loops loops = new Loops()) {
            List<BufferEvent> served = new ArrayList<>();
            ConnectionListener listener = ConnectionListener.bind(loops.base, Loops.ANY_PORT, (l, channel) -> {
                BufferEvent bev = BufferEvent.socket(loops.base, channel);
                served.add(bev);
                bev.write(TEST_STR, StandardCharsets.US_ASCII);
                bev.setCallbacks(null, b -> {
                    if (b.output().isEmpty()) {
                        b.close();      // libevent's sender_writecb frees the buffer event here
                    }
                }, Loops.noStatus());
            });
            InetSocketAddress address = listener.localAddress();
            List<List<String>> seen = new ArrayList<>();
            List<BufferEvent> clients = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                List<String> log = new ArrayList<>();
                seen.add(log);
                BufferEvent c = BufferEvent.connect(loops.base, address);
                c.setCallbacks(null, null, (bev, what, cause) -> {
                    if (what == BufferEvent.CONNECTED) {
                        log.add("CONNECTED");
                    } else if (what == (BufferEvent.READING | BufferEvent.EOF)) {
                        log.add("EOF:" + bev.input().readString(bev.input().length(), StandardCharsets.US_ASCII));
                    } else {
                        log.add("unexpected " + Integer.toHexString(what) + " " + cause);
                    }
                });
                c.enable(Event.READ);          // before the connect finished, as libevent's test does
                clients.add(c);
            }
            loops.runUntil(() -> seen.stream().allMatch(l -> l.size() >= 2), Duration.ofSeconds(10));
            for (List<String> log : seen) {
                assertThat(log).containsExactly("CONNECTED", "EOF:" + TEST_STR);
            }
            assertThat(served).hasSize(2).allMatch(BufferEvent::isClosed);
            clients.forEach(BufferEvent::close);
            listener.close();
        }
    }

    @Test
    @DisplayName("19. connect to a port nobody listens on: ERROR alone, carrying the ConnectException "
            + "(test_bufferevent_connect_fail)")
    void connectRefused() throws IOException {
        try (Loops loops = new Loops();
             SocketChannel boundNotListening = SocketChannel.open()) {
            // Bound but not listening: the kernel answers a SYN with a reset, "connection refused".
            boundNotListening.bind(Loops.ANY_PORT);
            InetSocketAddress address = (InetSocketAddress) boundNotListening.getLocalAddress();
            List<Integer> whats = new ArrayList<>();
            List<Throwable> causes = new ArrayList<>();
            BufferEvent c = BufferEvent.connect(loops.base, address);
            c.setCallbacks(null, null, (bev, what, cause) -> {
                whats.add(what);
                causes.add(cause);
            });
            c.enable(Event.READ);
            c.write("never sent", StandardCharsets.US_ASCII);
            loops.runUntil(() -> !whats.isEmpty(), Duration.ofSeconds(10));
            loops.runFor(Duration.ofMillis(50));
            assertThat(whats).containsExactly(BufferEvent.ERROR);
            assertThat(causes.get(0)).isInstanceOf(ConnectException.class);
            c.close();
        }
    }
}
