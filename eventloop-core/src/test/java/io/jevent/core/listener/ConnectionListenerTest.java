package io.jevent.core.listener;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.jevent.core.EventBase;
import io.jevent.core.EventConfig;

/** Behaviour 20 of the libevent map (regress_listener), plus running out of descriptors. */
class ConnectionListenerTest {
    private static final InetSocketAddress ANY_PORT = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    @Test
    @DisplayName("20. two listeners on port 0 get different ports (regress_listener: test_listener)")
    void portZeroPicksDistinctPorts() {
        try (EventBase base = new EventBase();
             ConnectionListener a = ConnectionListener.bind(base, ANY_PORT, (l, ch) -> { });
             ConnectionListener b = ConnectionListener.bind(base, ANY_PORT, (l, ch) -> { })) {
            assertThat(a.localAddress().getPort()).isPositive();
            assertThat(b.localAddress().getPort()).isPositive().isNotEqualTo(a.localAddress().getPort());
        }
    }

    @Test
    @DisplayName("binding to a host that does not resolve fails with a message naming the host, not null")
    void unresolvedBindAddressNamesTheHost() {
        try (EventBase base = new EventBase()) {
            assertThatThrownBy(() -> ConnectionListener.bind(base, InetSocketAddress.createUnresolved("no.such.host", 0),
                    (l, ch) -> { }))
                    .isInstanceOf(UncheckedIOException.class)
                    .hasMessageContaining("cannot resolve host no.such.host")
                    .hasCauseInstanceOf(java.net.UnknownHostException.class);
        }
    }

    @Test
    @DisplayName("20b. an accept callback that disables its listener stops accepting until enabled again")
    void disableFromCallbackStopsAccepting() throws IOException {
        List<SocketChannel> accepted = new ArrayList<>();
        List<SocketChannel> clients = new ArrayList<>();
        try (EventBase base = new EventBase();
             ConnectionListener listener = ConnectionListener.bind(base, ANY_PORT, (l, ch) -> {
                 accepted.add(ch);
                 if (accepted.size() == 1) {
                     l.disable();
                     base.loopBreak();
                 }
             })) {
            for (int i = 0; i < 3; i++) {
                clients.add(SocketChannel.open(listener.localAddress()));
            }
            base.dispatch();
            assertThat(accepted).hasSize(1);
            assertThat(listener.isEnabled()).isFalse();
            assertThat(base.loop(EventBase.LOOP_NONBLOCK)).as("nothing pending while disabled").isEqualTo(1);
            assertThat(accepted).hasSize(1);

            listener.enable();
            while (accepted.size() < 3) {
                base.loop(EventBase.LOOP_ONCE);
            }
            assertThat(accepted).hasSize(3);
            assertThat(listener.acceptedCount()).isEqualTo(3);
            assertThat(accepted).allSatisfy(ch -> assertThat(ch.isBlocking()).isFalse());
        } finally {
            clients.forEach(ConnectionListenerTest::close);
            accepted.forEach(ConnectionListenerTest::close);
        }
    }

    @Test
    @Timeout(30)
    @DisplayName("an accept callback that throws does not leak the connection: it is closed, the error reported")
    void throwingAcceptCallbackClosesTheConnection() throws IOException {
        List<Throwable> reported = new ArrayList<>();
        List<SocketChannel> accepted = new ArrayList<>();
        EventConfig config = EventConfig.builder().exceptionHandler((ev, t) -> reported.add(t)).build();
        try (EventBase base = new EventBase(config);
             ConnectionListener listener = ConnectionListener.bind(base, ANY_PORT, (l, ch) -> {
                 accepted.add(ch);
                 throw new IllegalStateException("callback bug");
             });
             SocketChannel client = SocketChannel.open(listener.localAddress())) {
            while (accepted.isEmpty()) {
                base.loop(EventBase.LOOP_ONCE);
            }
            assertThat(accepted.get(0).isOpen()).as("accepted channel closed by the listener").isFalse();
            assertThat(reported).singleElement().satisfies(t -> assertThat(t).hasMessage("callback bug"));
            client.socket().setSoTimeout(10_000);
            assertThat(client.socket().getInputStream().read()).as("the client sees the close").isEqualTo(-1);
        } finally {
            accepted.forEach(ConnectionListenerTest::close);
        }
    }

    @Test
    @DisplayName("binding a port that is taken fails clearly, naming the address")
    void bindConflict() {
        try (EventBase base = new EventBase();
             ConnectionListener a = ConnectionListener.bind(base, ANY_PORT, (l, ch) -> { },
                     new ConnectionListener.Options().reuseAddress(false))) {
            InetSocketAddress taken = a.localAddress();
            assertThatThrownBy(() -> ConnectionListener.bind(base, taken, (l, ch) -> { },
                    new ConnectionListener.Options().reuseAddress(false)))
                    .isInstanceOf(UncheckedIOException.class)
                    .hasMessageContaining(String.valueOf(taken.getPort()));
        }
    }

    @Test
    @DisplayName("20c. out of file descriptors: the error is reported once, no accept is tried during the pause (no spin), accepting resumes")
    void emfileIsReportedOncePausesAndRecovers() throws Exception {
        long pauseMs = 40;
        String cp = Path.of("target", "classes") + File.pathSeparator + Path.of("target", "test-classes");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder("bash", "-c",
                "ulimit -n 128 && exec \"$0\" -Xshare:off -cp \"$1\" io.jevent.core.listener.EmfileListenerMain \"$2\"",
                java, cp, Long.toString(pauseMs)).redirectErrorStream(true);
        Process p = pb.start();
        Map<String, Long> out = new HashMap<>();
        List<String> lines = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                lines.add(line);
                String[] words = line.split(" ", -1);
                for (int i = 0; i + 1 < words.length; i += 2) {
                    try {
                        out.put(words[i], Long.parseLong(words[i + 1]));
                    } catch (NumberFormatException ignored) {
                        // a log line, kept in `lines` for the failure message
                    }
                }
            }
        }
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(String.join("\n", lines)).isZero();
        assertThat(out.get("REPORTED")).as("reported once per run of failures").isEqualTo(1L);
        assertThat(out.get("FAILURES")).isGreaterThanOrEqualTo(5L);
        assertThat(lines).as("no accept attempt while paused, however often the loop turns: no busy loop")
                .noneMatch(l -> l.startsWith("SPIN") || l.startsWith("STUCK"));
        assertThat(out.get("RESUMED")).as("accepting resumed once descriptors were free").isPositive();
    }

    private static void close(SocketChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // test cleanup
        }
    }
}
