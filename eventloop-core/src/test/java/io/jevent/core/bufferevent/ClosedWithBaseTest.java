package io.jevent.core.bufferevent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.jevent.core.listener.ConnectionListener;

/** EventBase.closeOwnedResources(): what is still open on a base is closed with it (Netty's loop termination). */
@Timeout(value = 30, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ClosedWithBaseTest {

    @Test
    @DisplayName("closeOwnedResources closes every buffer event and listener still open; each status callback sees CLOSED once")
    void closeOwnedResourcesClosesWhatIsStillOpenAndTellsEachBufferEvent() throws IOException {
        try (Loops loops = new Loops()) {
            List<String> statuses = new ArrayList<>();
            ConnectionListener listener = ConnectionListener.bind(loops.base, Loops.ANY_PORT, (l, ch) -> { });
            InetSocketAddress listening = listener.localAddress();
            SocketChannel[] raw = Loops.socketPair();
            BufferEvent socket = BufferEvent.socket(loops.base, raw[0]);
            BufferEvent.Pair pair = BufferEvent.pair(loops.base);
            BufferEvent closedByUser = BufferEvent.socket(loops.base, raw[1]);
            record(socket, "socket", statuses);
            record(pair.first(), "pair0", statuses);
            record(pair.second(), "pair1", statuses);
            record(closedByUser, "user", statuses);
            closedByUser.close();

            loops.base.closeOwnedResources();

            assertThat(statuses).containsExactly("socket CLOSED", "pair0 CLOSED", "pair1 CLOSED");
            assertThat(socket.isClosed() && pair.first().isClosed() && pair.second().isClosed()).isTrue();
            assertThat(raw[0].isOpen()).as("the buffer event's socket is closed").isFalse();
            assertThatThrownBy(() -> SocketChannel.open(listening).close())
                    .as("the listener's socket is closed").isInstanceOf(ConnectException.class);
            loops.assertNoCallbackFailures();

            loops.base.closeOwnedResources();
            assertThat(statuses).as("each is closed once, then forgotten").hasSize(3);
        }
    }

    @Test
    @DisplayName("a buffer event lingering in closeAfterFlush is closed with the base: its ClosedCallback hears it, "
            + "its status callback does not")
    void aLingeringCloseEndsWithTheBase() throws IOException {
        try (Loops loops = new Loops()) {
            List<String> heard = new ArrayList<>();
            SocketChannel[] raw = Loops.socketPair();
            BufferEvent bev = BufferEvent.socket(loops.base, raw[0]);
            record(bev, "status", heard);
            bev.write(new byte[] {1, 2, 3});
            bev.closeAfterFlush(Duration.ofMinutes(1), (b, flushed) -> heard.add("closed, flushed=" + flushed));
            // The three bytes go out; the peer never closes, so the close lingers.
            loops.runUntil(() -> bev.output().isEmpty(), Duration.ofSeconds(10));
            assertThat(bev.isClosed()).as("still lingering").isFalse();

            loops.base.closeOwnedResources();

            assertThat(heard).containsExactly("closed, flushed=true");
            assertThat(bev.isClosed()).isTrue();
            assertThat(raw[0].isOpen()).isFalse();
            raw[1].close();
        }
    }

    private static void record(BufferEvent bev, String name, List<String> statuses) {
        bev.setCallbacks(null, null, (b, what, cause) ->
                statuses.add(name + (what == BufferEvent.CLOSED ? " CLOSED" : " " + Integer.toHexString(what))));
    }
}
