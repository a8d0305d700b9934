package io.jevent.core.bufferevent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.jevent.core.Event;
import io.jevent.core.EventBase;
import io.jevent.core.buffer.EvBuffer;
import io.jevent.core.listener.ConnectionListener;

/** close(), closeAfterFlush(), and what happens to calls after them. */
@Timeout(value = 30, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class BufferEventCloseTest {

    @ParameterizedTest(name = "over {0}")
    @ValueSource(strings = {"socket", "pair"})
    @DisplayName("closeAfterFlush: all 4 MiB queued arrive intact, then the peer sees EOF; the sender is closed "
            + "once the peer closes too")
    void closeAfterFlushDeliversEverythingThenCloses(String transport) throws IOException {
        try (Loops loops = new Loops()) {
            BufferEvent[] bevs = loops.connectedPair(transport.equals("socket"));
            BufferEvent sender = bevs[0];
            BufferEvent receiver = bevs[1];
            int total = 4 * 1024 * 1024;
            byte[] data = Loops.streamBytes(5, total);
            Loops.Received received = new Loops.Received();
            long[] receivedAtEof = {-1};
            receiver.setCallbacks(received, null, (b, what, cause) -> {
                assertThat(what).isEqualTo(BufferEvent.READING | BufferEvent.EOF);
                receivedAtEof[0] = received.bytes;
                b.close();
            });
            receiver.enable(Event.READ);
            sender.setCallbacks(null, null, Loops.noStatus());
            sender.write(data);
            sender.closeAfterFlush(Duration.ofSeconds(20));
            assertThat(sender.isClosed()).as("not before the flush").isFalse();
            assertThatThrownBy(() -> sender.write(new byte[1])).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("closing");

            loops.runUntil(() -> receivedAtEof[0] >= 0, Duration.ofSeconds(20));
            assertThat(receivedAtEof[0]).isEqualTo(total);
            assertThat(received.crc()).isEqualTo(Loops.crc(data));
            loops.runUntil(sender::isClosed, Duration.ofSeconds(10));
        }
    }

    @Test
    @DisplayName("closeAfterFlush with unread input from the peer: the peer still gets all 4 MiB, then EOF, "
            + "never a reset (the lingering close of nginx and Apache)")
    void closeAfterFlushWithUnreadInputLingersInsteadOfResetting() throws IOException {
        try (Loops loops = new Loops()) {
            BufferEvent[] bevs = loops.connectedPair(true);
            BufferEvent a = bevs[0];              // never reads: the bytes from b stay in its kernel buffer
            BufferEvent b = bevs[1];
            int total = 4 * 1024 * 1024;
            byte[] data = Loops.streamBytes(7, total);
            Loops.Received received = new Loops.Received();
            long[] receivedAtEof = {-1};
            List<String> bStatus = new ArrayList<>();
            boolean[] bFlushed = {false};
            b.setCallbacks(received, x -> bFlushed[0] = true, (x, what, cause) -> {
                bStatus.add(Integer.toHexString(what) + (cause == null ? "" : " " + cause));
                if (what == (BufferEvent.READING | BufferEvent.EOF)) {
                    receivedAtEof[0] = received.bytes;
                }
                x.close();
            });
            b.write("unread by a\n", StandardCharsets.US_ASCII);
            b.enable(Event.READ);
            loops.runUntil(() -> bFlushed[0], Duration.ofSeconds(10));

            a.setCallbacks(x -> { throw new AssertionError("read callback after closeAfterFlush"); },
                    null, Loops.noStatus());
            a.write(data);
            a.closeAfterFlush(Duration.ofSeconds(20));

            loops.runUntil(() -> !bStatus.isEmpty(), Duration.ofSeconds(20));
            assertThat(bStatus).as("EOF, not Connection reset").containsExactly("11");
            assertThat(receivedAtEof[0]).isEqualTo(total);
            assertThat(received.crc()).isEqualTo(Loops.crc(data));
            loops.runUntil(a::isClosed, Duration.ofSeconds(10));
        }
    }

    @Test
    @DisplayName("closeAfterFlush with nothing left in the output but bytes still in the kernel: the peer "
            + "still gets them all, then EOF, never a reset")
    void closeAfterFlushOfAnEmptyOutputStillLingers() throws IOException {
        try (Loops loops = new Loops()) {
            BufferEvent[] bevs = loops.connectedPair(true);
            BufferEvent a = bevs[0];
            BufferEvent b = bevs[1];
            int total = 4 * 1024 * 1024;
            long[] received = {0};
            List<String> bStatus = new ArrayList<>();
            b.setCallbacks(x -> received[0] += x.input().drain(x.input().length()), null, (x, what, cause) -> {
                bStatus.add(Integer.toHexString(what) + (cause == null ? "" : " " + cause));
                x.close();
            });
            b.write("unread by a\n", StandardCharsets.US_ASCII);
            b.enable(Event.READ);
            boolean[] closeCalled = {false};
            // The write callback runs when the kernel has taken the last byte, long before b read it all.
            a.setCallbacks(null, x -> {
                closeCalled[0] = true;
                x.closeAfterFlush(Duration.ofSeconds(20));
            }, Loops.noStatus());
            a.write(new byte[total]);

            loops.runUntil(() -> !bStatus.isEmpty(), Duration.ofSeconds(20));
            assertThat(closeCalled[0]).isTrue();
            assertThat(bStatus).as("EOF, not Connection reset").containsExactly("11");
            assertThat(received[0]).isEqualTo(total);
            loops.runUntil(a::isClosed, Duration.ofSeconds(10));
        }
    }

    @Test
    @DisplayName("while lingering, what the peer sends is discarded without a callback; the peer's close ends it, "
            + "then the ClosedCallback runs once, from the loop, with flushed=true")
    void lingeringDiscardsInputAndEndsAtThePeersClose() throws IOException {
        try (Loops loops = new Loops()) {
            BufferEvent[] bevs = loops.connectedPair(true);
            BufferEvent a = bevs[0];
            BufferEvent b = bevs[1];
            List<String> log = new ArrayList<>();
            a.setCallbacks(x -> log.add("a read"), x -> log.add("a write"), (x, what, cause) -> log.add("a status"));
            a.enable(Event.READ);
            b.setCallbacks(x -> {
                log.add("b got " + x.input().readString(x.input().length(), StandardCharsets.US_ASCII));
                x.write(new byte[8 * 1024 * 1024]);    // more than the kernel buffers hold: a must read it away
            }, null, (x, what, cause) -> {
                log.add("b status " + Integer.toHexString(what));
                x.closeAfterFlush(Duration.ofSeconds(20), (y, flushed) -> log.add("b closed flushed=" + flushed));
            });
            b.enable(Event.READ);
            a.write("last words", StandardCharsets.US_ASCII);
            a.closeAfterFlush(Duration.ofSeconds(20), (x, flushed) -> log.add("a closed flushed=" + flushed));
            a.enable(Event.READ);
            assertThat(log).as("nothing runs inside closeAfterFlush").isEmpty();

            loops.runUntil(() -> log.size() == 4, Duration.ofSeconds(20));
            assertThat(a.isClosed()).isTrue();
            assertThat(log.subList(0, 2)).containsExactly("b got last words", "b status 11");
            assertThat(log.subList(2, 4)).containsExactlyInAnyOrder("b closed flushed=true", "a closed flushed=true");
        }
    }

    @Test
    @DisplayName("a peer that never closes is waited for only until the deadline; the data was flushed")
    void lingeringEndsAtTheDeadline() throws IOException {
        try (Loops loops = new Loops()) {
            BufferEvent[] bevs = loops.connectedPair(true);
            BufferEvent a = bevs[0];
            BufferEvent b = bevs[1];
            List<String> log = new ArrayList<>();
            b.setCallbacks(x -> x.input().drain(x.input().length()), null, (x, what, cause) -> log.add(
                    "b status " + Integer.toHexString(what)));
            b.enable(Event.READ);
            a.setCallbacks(null, null, Loops.noStatus());
            a.write("bye", StandardCharsets.US_ASCII);
            a.closeAfterFlush(Duration.ofMillis(300), (x, flushed) -> log.add("a closed flushed=" + flushed));
            loops.runUntil(() -> log.contains("b status 11"), Duration.ofSeconds(10));
            assertThat(a.isClosed()).as("lingering: the peer has not closed").isFalse();
            assertThat(a.channel().isOpen()).isTrue();
            SocketChannel ch = a.channel();
            loops.runUntil(a::isClosed, Duration.ofSeconds(10));
            assertThat(ch.isOpen()).isFalse();
            loops.runUntil(() -> log.size() == 2, Duration.ofSeconds(5));
            assertThat(log).containsExactly("b status 11", "a closed flushed=true");
            b.close();
        }
    }

    @Test
    @DisplayName("close() during the lingering closes at once and the ClosedCallback does not run")
    void closeAbortsTheLingering() throws IOException {
        try (Loops loops = new Loops()) {
            BufferEvent[] bevs = loops.connectedPair(true);
            BufferEvent a = bevs[0];
            BufferEvent b = bevs[1];
            boolean[] eof = {false};
            b.setCallbacks(null, null, (x, what, cause) -> eof[0] = true);
            b.enable(Event.READ);
            a.setCallbacks(null, null, Loops.noStatus());
            a.closeAfterFlush(Duration.ofSeconds(20), (x, flushed) -> {
                throw new AssertionError("ClosedCallback after close()");
            });
            loops.runUntil(() -> eof[0], Duration.ofSeconds(10));
            SocketChannel ch = a.channel();
            a.close();
            assertThat(a.isClosed()).isTrue();
            assertThat(ch.isOpen()).isFalse();
            loops.runFor(Duration.ofMillis(50));
            b.close();
        }
    }

    @ParameterizedTest(name = "over {0}")
    @ValueSource(strings = {"socket", "pair"})
    @DisplayName("closeAfterFlush with a deadline the peer never lets it meet: it closes at the deadline anyway")
    void closeAfterFlushDeadline(String transport) throws IOException {
        try (Loops loops = new Loops()) {
            BufferEvent[] bevs = loops.connectedPair(transport.equals("socket"));
            BufferEvent sender = bevs[0];
            BufferEvent receiver = bevs[1];       // never enables READ
            if (sender.channel() != null) {
                sender.channel().setOption(StandardSocketOptions.SO_SNDBUF, 64 * 1024);
                receiver.channel().setOption(StandardSocketOptions.SO_RCVBUF, 64 * 1024);
            }
            sender.setCallbacks(null, null, Loops.noStatus());
            sender.write(new byte[8 * 1024 * 1024]);
            long start = System.nanoTime();
            boolean[] flushed = {true};
            sender.closeAfterFlush(Duration.ofMillis(200), (x, f) -> flushed[0] = f);
            loops.runUntil(sender::isClosed, Duration.ofSeconds(10));
            loops.runUntil(() -> !flushed[0], Duration.ofSeconds(5));
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isGreaterThanOrEqualTo(200);
            if (receiver.channel() != null) {
                assertThat(receiver.channel().isOpen()).isTrue();
            }
            receiver.close();
        }
    }

    @Test
    @DisplayName("closing one side of a pair: the other sees the data already moved, then READING|EOF once, "
            + "from the loop (never inside close()); writing on afterwards is WRITING|ERROR")
    void pairCloseIsEofToThePartner() {
        try (Loops loops = new Loops()) {
            BufferEvent.Pair p = BufferEvent.pair(loops.base);
            List<String> log = new ArrayList<>();
            p.second().setCallbacks(b -> log.add("data:" + b.input().readString(b.input().length(), StandardCharsets.US_ASCII)),
                    null, (b, what, cause) -> log.add("status:" + Integer.toHexString(what)
                            + (cause == null ? "" : ":" + cause.getClass().getSimpleName())));
            p.second().enable(Event.READ);
            p.first().write("bye", StandardCharsets.US_ASCII);
            loops.runUntil(() -> !log.isEmpty(), Duration.ofSeconds(5));
            p.first().close();
            assertThat(log).as("nothing runs inside close()").containsExactly("data:bye");
            loops.runUntil(() -> log.size() == 2, Duration.ofSeconds(5));
            p.second().write("anyone?", StandardCharsets.US_ASCII);
            loops.runUntil(() -> log.size() == 3, Duration.ofSeconds(5));
            loops.runFor(Duration.ofMillis(20));
            assertThat(log).containsExactly("data:bye", "status:11", "status:22:IOException");
            p.second().close();
        }
    }

    @Test
    @DisplayName("after close(): every method but close/isClosed/base throws IllegalStateException; close is idempotent")
    void everyMethodFailsAfterClose() throws IOException {
        try (Loops loops = new Loops()) {
            SocketChannel[] ch = Loops.socketPair();
            BufferEvent bev = BufferEvent.socket(loops.base, ch[0]);
            bev.enable(Event.READ);
            bev.write("queued", StandardCharsets.US_ASCII);
            bev.close();
            bev.close();
            assertThat(bev.isClosed()).isTrue();
            assertThat(bev.base()).isSameAs(loops.base);
            assertThat(ch[0].isOpen()).as("the channel belongs to the buffer event and is closed with it").isFalse();

            Map<String, ThrowingCallable> calls = new LinkedHashMap<>();
            calls.put("setCallbacks", () -> bev.setCallbacks(null, null, null));
            calls.put("enable", () -> bev.enable(Event.READ));
            calls.put("disable", () -> bev.disable(Event.READ));
            calls.put("enabled", bev::enabled);
            calls.put("setReadWatermarks", () -> bev.setReadWatermarks(0, 0));
            calls.put("setWriteWatermarks", () -> bev.setWriteWatermarks(0, 0));
            calls.put("setTimeouts", () -> bev.setTimeouts(null, null));
            calls.put("input", bev::input);
            calls.put("output", bev::output);
            calls.put("write(byte[])", () -> bev.write(new byte[1]));
            calls.put("write(ByteBuffer)", () -> bev.write(ByteBuffer.allocate(1)));
            calls.put("write(CharSequence)", () -> bev.write("x", StandardCharsets.US_ASCII));
            calls.put("write(EvBuffer)", () -> bev.write(new EvBuffer()));
            calls.put("read", () -> bev.read(new byte[1]));
            calls.put("isOutputFull", bev::isOutputFull);
            calls.put("channel", bev::channel);
            calls.put("connect", () -> bev.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), 9)));
            calls.put("closeAfterFlush", () -> bev.closeAfterFlush(Duration.ofSeconds(1)));
            calls.forEach((name, call) -> assertThatThrownBy(call).as(name)
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed"));
            assertThat(loops.base.loop(EventBase.LOOP_NONBLOCK)).as("no event left behind").isEqualTo(1);
            ch[1].close();
        }
    }

    @Test
    @DisplayName("calls from another thread fail with IllegalStateException naming the loop thread")
    void offLoopThreadCallsFail() throws Exception {
        try (Loops loops = new Loops()) {
            BufferEvent.Pair p = BufferEvent.pair(loops.base);
            CompletableFuture<Throwable> f = CompletableFuture.supplyAsync(() -> {
                try {
                    p.first().write(new byte[1]);
                    return null;
                } catch (Throwable t) {
                    return t;
                }
            });
            assertThat(f.get(10, TimeUnit.SECONDS)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("confined");
            CompletableFuture<Throwable> g = CompletableFuture.supplyAsync(() -> {
                try {
                    p.first().close();
                    return null;
                } catch (Throwable t) {
                    return t;
                }
            });
            assertThat(g.get(10, TimeUnit.SECONDS)).isInstanceOf(IllegalStateException.class);
            assertThat(p.first().isClosed()).isFalse();
            p.first().close();
            p.second().close();
        }
    }

    @Test
    @DisplayName("closing the base first: closing the buffer event afterwards still closes its channel")
    void closeAfterBaseClosed() throws IOException {
        Loops loops = new Loops();
        SocketChannel[] ch = Loops.socketPair();
        BufferEvent bev = BufferEvent.socket(loops.base, ch[0]);
        bev.enable(Event.READ);
        loops.close();
        bev.close();
        assertThat(bev.isClosed()).isTrue();
        assertThat(ch[0].isOpen()).isFalse();
        ch[1].close();
    }

    /** Where a test closes the buffer event from. */
    enum Where { READ, WRITE, CONNECTED, EOF, ERROR, TIMEOUT }

    @ParameterizedTest(name = "from the {0} callback")
    @ValueSource(strings = {"READ", "WRITE", "CONNECTED", "EOF", "ERROR", "TIMEOUT"})
    @DisplayName("closing from inside each callback is safe: no exception, no further callback, the loop goes on")
    void closeFromInsideEachCallback(String whereName) throws IOException {
        Where where = Where.valueOf(whereName);
        try (Loops loops = new Loops()) {
            List<String> after = new ArrayList<>();
            boolean[] closedIn = {false};
            ConnectionListener listener = ConnectionListener.bind(loops.base, Loops.ANY_PORT, (l, channel) -> {
                BufferEvent s = BufferEvent.socket(loops.base, channel);
                s.setCallbacks(b -> { }, null, (b, what, cause) -> b.close());
                s.write(new byte[100_000]);
                if (where == Where.EOF) {
                    s.closeAfterFlush(Duration.ofSeconds(5));
                } else if (where == Where.ERROR) {
                    try {
                        channel.setOption(StandardSocketOptions.SO_LINGER, 0);
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                    s.close();
                } else if (where == Where.TIMEOUT) {
                    s.output().clear();
                }
            });
            BufferEvent c = BufferEvent.connect(loops.base, listener.localAddress());
            DataCallback closeOnRead = b -> {
                if (closedIn[0]) {
                    after.add("read after close");
                }
                if (where == Where.READ) {
                    closedIn[0] = true;
                    b.close();
                }
            };
            DataCallback closeOnWrite = b -> {
                if (closedIn[0]) {
                    after.add("write after close");
                }
                if (where == Where.WRITE) {
                    closedIn[0] = true;
                    b.close();
                }
            };
            c.setCallbacks(closeOnRead, closeOnWrite, (b, what, cause) -> {
                if (closedIn[0]) {
                    after.add("status after close " + Integer.toHexString(what));
                }
                boolean mine = switch (where) {
                    case CONNECTED -> what == BufferEvent.CONNECTED;
                    case EOF -> (what & BufferEvent.EOF) != 0;
                    case ERROR -> (what & BufferEvent.ERROR) != 0;
                    case TIMEOUT -> (what & BufferEvent.TIMEOUT) != 0;
                    default -> false;
                };
                if (mine) {
                    closedIn[0] = true;
                    b.close();
                }
            });
            c.enable(Event.READ);
            c.write(new byte[200_000]);
            if (where == Where.TIMEOUT) {
                c.setTimeouts(Duration.ofMillis(100), null);
            }
            loops.runUntil(() -> closedIn[0], Duration.ofSeconds(10));
            loops.runFor(Duration.ofMillis(100));
            assertThat(c.isClosed()).isTrue();
            assertThat(after).isEmpty();
            listener.close();
        }
    }
}
