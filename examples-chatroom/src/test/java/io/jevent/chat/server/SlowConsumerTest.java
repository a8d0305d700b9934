package io.jevent.chat.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import io.jevent.chat.Transport;
import io.jevent.testing.CapturedLog;
import java.util.logging.Level;

/**
 * A client that does not read costs the server a bounded amount of memory: if it is sent events it
 * is disconnected with {@code BYE slow consumer}; if it only pipelines requests it is not served
 * faster than it reads. Asserted on the server's own largest output queue, not on heap numbers.
 */
@ParameterizedClass
@EnumSource(Transport.class)
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SlowConsumerTest {
    @Parameter
    Transport transport;

    static final int WRITE_HIGH = 64 * 1024;
    static final int LINE = 4000;

    @TempDir
    Path dir;
    ServerFixture fx;

    @BeforeEach
    void start() throws Exception {
        fx = ServerFixture.start(transport, dir, c -> c.withWatermarks(64 * 1024, WRITE_HIGH));
    }

    @AfterEach
    void stop() {
        fx.close();
    }

    @Test
    void aLoggedInClientThatStopsReadingIsDisconnected() {
        try (CapturedLog log = CapturedLog.of(Session.class)) {
            aLoggedInClientThatStopsReadingIsDisconnected(log);
        }
    }

    private void aLoggedInClientThatStopsReadingIsDisconnected(CapturedLog log) {
        // A small receive window so the kernel holds little for it; the server's queue does the rest.
        ChatClient slow = fx.raw(8 * 1024);
        assertThat(slow.readLine()).startsWith("HELLO");
        slow.registerAndLogin("slow", ServerFixture.PW);
        ChatClient talker = fx.user("talker");
        String text = "y".repeat(LINE);
        int sent = 0;
        while (fx.server.stats().slowConsumers() == 0) {
            assertThat(sent).as("messages sent before the slow client was dropped").isLessThan(20_000);
            StringBuilder batch = new StringBuilder();
            for (int i = 0; i < 32; i++) {
                batch.append("SAY ").append(text).append('\n');
            }
            talker.sendRaw(batch.toString().getBytes(StandardCharsets.US_ASCII));
            for (int i = 0; i < 32; i++) {
                assertThat(talker.readReply()).singleElement().asString().startsWith("OK sent ");
            }
            sent += 32;
        }
        ServerStats stats = fx.server.stats();
        System.out.printf("slow consumer: dropped after %d messages of %d bytes (%d KiB); largest output queue %d KiB%n",
                sent, LINE, (long) sent * LINE / 1024, stats.largestOutputBytes() / 1024);
        assertThat(stats.slowConsumers()).isEqualTo(1);
        // High watermark plus the group lines that crossed it plus small reply blocks: not what it
        // failed to read. A loop hands a recipient the group lines committed together as one shared
        // span (the bytes exist once for all recipients), so what crosses the watermark is one batch:
        // at most the 32 SAYs the talker has in flight, each LINE bytes plus its GROUP prefix.
        assertThat(stats.largestOutputBytes()).isLessThanOrEqualTo(WRITE_HIGH + 32L * (LINE + 64) + 1024);
        assertThat(talker.awaitEvent("PART slow")).isNotNull();
        // Logged on the loop before the PART went out.
        assertThat(log.messages(Level.WARNING)).singleElement().asString()
                .contains("is a slow consumer").endsWith("bytes unread); disconnecting");
        assertThat(talker.call("PING")).isEqualTo("OK pong");
        assertThat(talker.callBlock("WHO")).containsExactly("USER talker", "OK 1");

        // The dropped client reads whole lines, then the BYE, then the end of the stream.
        List<String> rest = slow.readToEnd();
        assertThat(rest).isNotEmpty();
        assertThat(rest.get(rest.size() - 1)).isEqualTo("BYE slow consumer");
        assertThat(rest.subList(0, rest.size() - 1)).allMatch(l -> l.equals("JOIN talker")
                || l.matches("GROUP talker \\d+ \\d+ y{" + LINE + "}"));
    }

    @Test
    void aClientThatPipelinesWithoutReadingIsServedAtItsOwnPace() {
        ChatClient c = fx.raw(8 * 1024);
        assertThat(c.readLine()).startsWith("HELLO");
        int requests = 4000;   // about 3.6 MiB of HELP replies, far above the watermark
        c.sendRaw("HELP\n".repeat(requests).getBytes(StandardCharsets.US_ASCII));
        org.awaitility.Awaitility.await().until(() -> fx.server.stats().largestOutputBytes() >= WRITE_HIGH);
        for (int i = 0; i < requests; i++) {
            List<String> block = c.readReply();
            assertThat(block.get(block.size() - 1)).isEqualTo("OK");
        }
        long helpBlock = io.jevent.chat.protocol.Replies.HELP.length();
        assertThat(fx.server.stats().largestOutputBytes()).isLessThanOrEqualTo(WRITE_HIGH + helpBlock);
        assertThat(fx.server.stats().slowConsumers()).as("it did read, slowly: not dropped").isZero();
        assertThat(c.call("PING")).isEqualTo("OK pong");
    }
}
