package io.jevent.core.bufferevent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.jevent.core.Event;
import io.jevent.core.listener.ConnectionListener;

/** Failures, resets, end of file, and writes that must never block the loop. */
@Timeout(value = 30, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class BufferEventErrorsTest {

    private record Status(int what, Throwable cause) {
    }

    @Test
    @DisplayName("peer reset (SO_LINGER 0, close): ERROR|READING with the IOException as cause, reported once")
    void peerResetIsAnErrorWithItsCause() throws IOException {
        try (Loops loops = new Loops()) {
            SocketChannel[] ch = Loops.socketPair();
            BufferEvent bev = BufferEvent.socket(loops.base, ch[0]);
            List<Status> seen = new ArrayList<>();
            bev.setCallbacks(null, null, (b, what, cause) -> seen.add(new Status(what, cause)));
            bev.enable(Event.READ);
            ch[1].setOption(StandardSocketOptions.SO_LINGER, 0);
            ch[1].close();
            loops.runUntil(() -> !seen.isEmpty(), Duration.ofSeconds(10));
            loops.runFor(Duration.ofMillis(50));
            assertThat(seen).hasSize(1);
            assertThat(seen.get(0).what()).isEqualTo(BufferEvent.READING | BufferEvent.ERROR);
            assertThat(seen.get(0).cause()).isInstanceOf(IOException.class);
            assertThat(loops.base.loop(io.jevent.core.EventBase.LOOP_NONBLOCK))
                    .as("nothing left pending after the error: no spin on a dead socket").isEqualTo(1);
            bev.close();
        }
    }

    @Test
    @DisplayName("writing to a reset peer: ERROR|WRITING with the IOException; later writes fail clearly")
    void writeToResetPeerIsAnError() throws IOException {
        try (Loops loops = new Loops()) {
            SocketChannel[] ch = Loops.socketPair();
            BufferEvent bev = BufferEvent.socket(loops.base, ch[0]);
            List<Status> seen = new ArrayList<>();
            bev.setCallbacks(null, null, (b, what, cause) -> seen.add(new Status(what, cause)));
            ch[1].setOption(StandardSocketOptions.SO_LINGER, 0);
            ch[1].close();
            bev.write(new byte[4 * 1024 * 1024]);
            loops.runUntil(() -> !seen.isEmpty(), Duration.ofSeconds(10));
            assertThat(seen).hasSize(1);
            assertThat(seen.get(0).what()).isEqualTo(BufferEvent.WRITING | BufferEvent.ERROR);
            assertThat(seen.get(0).cause()).isInstanceOf(IOException.class);
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> bev.write(new byte[1]))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("failed")
                    .hasCauseInstanceOf(IOException.class);
            bev.close();
        }
    }

    @Test
    @DisplayName("half-close (peer shutdownOutput): READING|EOF once, the data before it arrives first, "
            + "and writing still works after EOF")
    void halfCloseIsEofAndWritingGoesOn() throws IOException {
        try (Loops loops = new Loops()) {
            SocketChannel[] ch = Loops.socketPair();
            BufferEvent bev = BufferEvent.socket(loops.base, ch[0]);
            List<String> log = new ArrayList<>();
            boolean[] flushed = {false};
            bev.setCallbacks(
                    b -> log.add("data:" + b.input().readString(b.input().length(), StandardCharsets.US_ASCII)),
                    b -> flushed[0] = true,
                    (b, what, cause) -> {
                        log.add("status:" + Integer.toHexString(what));
                        if (what == (BufferEvent.READING | BufferEvent.EOF)) {
                            b.write("reply after eof", StandardCharsets.US_ASCII);
                        }
                    });
            bev.enable(Event.READ);
            ch[1].write(ByteBuffer.wrap("last words".getBytes(StandardCharsets.US_ASCII)));
            ch[1].shutdownOutput();
            loops.runUntil(() -> flushed[0], Duration.ofSeconds(10));
            loops.runFor(Duration.ofMillis(50));
            assertThat(log).containsExactly("data:last words", "status:11");

            ch[1].configureBlocking(true);
            ByteBuffer got = ByteBuffer.allocate(64);
            while (got.position() < "reply after eof".length() && ch[1].read(got) >= 0) {
                // blocking read of the bytes already sent
            }
            assertThat(new String(got.array(), 0, got.position(), StandardCharsets.US_ASCII)).isEqualTo("reply after eof");
            bev.close();
            ch[1].close();
        }
    }

    @Test
    @DisplayName("write() never blocks: 16 MiB to a peer that does not read returns at once, the loop's timer keeps "
            + "firing, writes are partial; when the peer reads, every byte arrives in order")
    void writesNeverBlockAndPartialWritesComplete() throws IOException {
        try (Loops loops = new Loops()) {
            SocketChannel[] ch = Loops.socketPair();
            ch[0].setOption(StandardSocketOptions.SO_SNDBUF, 64 * 1024);
            ch[1].setOption(StandardSocketOptions.SO_RCVBUF, 64 * 1024);
            BufferEvent sender = BufferEvent.socket(loops.base, ch[0]);
            BufferEvent receiver = BufferEvent.socket(loops.base, ch[1]);
            int total = 16 * 1024 * 1024;
            byte[] data = Loops.streamBytes(7, total);
            sender.setCallbacks(null, null, Loops.noStatus());
            sender.write(data);       // returns with everything queued: nothing is written inside write()
            assertThat(sender.output().length()).isEqualTo(total);

            int[] ticks = {0};
            Event tick = loops.base.newEvent(null, Event.PERSIST, (ev, what) -> ticks[0]++);
            tick.add(Duration.ofMillis(5));
            loops.runUntil(() -> ticks[0] >= 10, Duration.ofSeconds(10));
            long stuck = sender.output().length();
            assertThat(stuck).as("part written, part still queued").isPositive().isLessThan(total);

            Loops.Received received = new Loops.Received();
            receiver.setCallbacks(received, null, Loops.noStatus());
            receiver.enable(Event.READ);
            loops.runUntil(() -> received.bytes == total, Duration.ofSeconds(20));
            assertThat(received.crc()).isEqualTo(Loops.crc(data));
            assertThat(sender.output().length()).isZero();
            tick.free();
            sender.close();
            receiver.close();
        }
    }

    @Test
    @DisplayName("enable(READ) and write() before connect(): nothing touches the unconnected socket; "
            + "once connected the data flows")
    void enableAndWriteBeforeConnect() throws IOException {
        try (Loops loops = new Loops()) {
            List<BufferEvent> served = new ArrayList<>();
            ConnectionListener listener = ConnectionListener.bind(loops.base, Loops.ANY_PORT, (l, channel) -> {
                BufferEvent s = BufferEvent.socket(loops.base, channel);
                s.setCallbacks(b -> b.write(b.input()), null, (b, what, cause) -> b.close());
                s.enable(Event.READ);
                served.add(s);
            });
            BufferEvent c = BufferEvent.socket(loops.base, null);
            List<String> log = new ArrayList<>();
            c.setCallbacks(b -> log.add("echo:" + b.input().readString(b.input().length(), StandardCharsets.US_ASCII)),
                    null, (b, what, cause) -> log.add("status:" + Integer.toHexString(what) + (cause == null ? "" : cause)));
            c.enable(Event.READ);
            c.write("ping", StandardCharsets.US_ASCII);
            loops.runFor(Duration.ofMillis(20));     // the loop runs while the socket is still unconnected
            assertThat(log).isEmpty();
            c.connect(listener.localAddress());
            loops.runUntil(() -> log.size() >= 2, Duration.ofSeconds(10));
            assertThat(log).containsExactly("status:80", "echo:ping");
            c.close();
            loops.runUntil(() -> served.get(0).isClosed(), Duration.ofSeconds(10));
            listener.close();
        }
    }

    @Test
    @DisplayName("a write timeout bounds a connect that never finishes: WRITING|TIMEOUT once, and the connect is abandoned")
    void writeTimeoutBoundsConnect() throws IOException {
        List<SocketChannel> fillers = new ArrayList<>();
        try (Loops loops = new Loops();
             java.nio.channels.ServerSocketChannel server = java.nio.channels.ServerSocketChannel.open()) {
            // A listener that never accepts, with a backlog of 1: once its accept queue is full, Linux drops
            // further SYNs, so a connect stays pending (the client retransmits for over a minute).
            server.bind(Loops.ANY_PORT, 1);
            for (int i = 0; i < 4; i++) {
                SocketChannel f = SocketChannel.open();
                f.configureBlocking(false);
                f.connect(server.getLocalAddress());
                fillers.add(f);
            }
            loops.runFor(Duration.ofMillis(50));    // let the handshakes that can complete, complete
            BufferEvent c = BufferEvent.socket(loops.base, null);
            List<Integer> seen = new ArrayList<>();
            c.setCallbacks(null, null, (b, what, cause) -> seen.add(what));
            c.setTimeouts(null, Duration.ofMillis(100));
            c.connect((InetSocketAddress) server.getLocalAddress());
            loops.runUntil(() -> !seen.isEmpty(), Duration.ofSeconds(10));
            loops.runFor(Duration.ofMillis(300));
            assertThat(seen).containsExactly(BufferEvent.WRITING | BufferEvent.TIMEOUT);
            assertThat(c.enabled() & Event.WRITE).isZero();
            assertThat(loops.base.loop(io.jevent.core.EventBase.LOOP_NONBLOCK))
                    .as("the abandoned connect is no longer watched").isEqualTo(1);
            c.close();
        } finally {
            for (SocketChannel f : fillers) {
                f.close();
            }
        }
    }

    @Test
    @DisplayName("connecting to a host that does not resolve: ERROR with an UnknownHostException naming the host")
    void unresolvedHostIsAnErrorNamingTheHost() {
        try (Loops loops = new Loops()) {
            BufferEvent c = BufferEvent.socket(loops.base, null);
            List<Status> seen = new ArrayList<>();
            c.setCallbacks(null, null, (b, what, cause) -> seen.add(new Status(what, cause)));
            c.connect(InetSocketAddress.createUnresolved("no.such.host", 7777));
            loops.runUntil(() -> !seen.isEmpty(), Duration.ofSeconds(10));
            assertThat(seen).hasSize(1);
            assertThat(seen.get(0).what() & BufferEvent.ERROR).isNotZero();
            assertThat(seen.get(0).cause()).isInstanceOf(java.net.UnknownHostException.class)
                    .hasMessage("no.such.host");
            c.close();
        }
    }
}
