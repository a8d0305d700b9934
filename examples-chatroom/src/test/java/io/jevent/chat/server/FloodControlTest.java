package io.jevent.chat.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.jevent.chat.Transport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * One user sending as fast as the link allows is throttled with {@code ERR 429 slow down}, instead of
 * making every slower reader a slow consumer. The limits' clock stands still unless the test moves
 * it, so exactly the burst passes.
 */
@ParameterizedClass
@EnumSource(Transport.class)
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class FloodControlTest {
    @Parameter
    Transport transport;

    static final int LINE = 4000;
    /** 4 messages of LINE bytes fit the byte burst; the message burst (10) is not what binds. */
    static final SendLimits LIMITS = new SendLimits(1, 10, 4096, 16 * 1024);
    static final int BURST = 4;

    @TempDir
    Path dir;
    final AtomicLong clock = new AtomicLong();
    ServerFixture fx;

    @BeforeEach
    void start() throws Exception {
        fx = ServerFixture.startWithClock(transport, dir, c -> c.withWatermarks(64 * 1024, 64 * 1024).withSendLimits(LIMITS),
                clock::get);
    }

    @AfterEach
    void stop() {
        fx.close();
    }

    @Test
    void aFloodingSenderIsToldToSlowDownAndReadersAreNotKicked() {
        ChatClient reader = fx.raw(8 * 1024);
        assertThat(reader.readLine()).startsWith("HELLO");
        reader.registerAndLogin("reader", ServerFixture.PW);
        ChatClient flooder = fx.user("flooder");

        // 400 × 4 KB pipelined: 1.6 MB, 25 times the reader's write high watermark; the reader does not read.
        String say = "SAY " + "f".repeat(LINE) + "\n";
        List<String> sent = new ArrayList<>();
        int slowDown = 0;
        for (int batch = 0; batch < 10; batch++) {
            flooder.sendRaw(say.repeat(40).getBytes(StandardCharsets.US_ASCII));
            for (int i = 0; i < 40; i++) {
                String reply = flooder.readReply().get(0);
                if (reply.equals("ERR 429 slow down")) {
                    slowDown++;
                } else {
                    assertThat(reply).matches("OK sent \\d+");
                    sent.add(reply.substring(8));
                }
            }
        }
        assertThat(sent).as("exactly the burst passes while the clock stands still").hasSize(BURST);
        assertThat(slowDown).isEqualTo(400 - BURST);
        assertThat(flooder.call("PING")).as("throttled, not disconnected").isEqualTo("OK pong");
        assertThat(flooder.call("MSG reader " + "m".repeat(LINE))).as("MSG shares the buckets")
                .isEqualTo("ERR 429 slow down");

        // The reader now reads: everything that was accepted, and it is still connected.
        for (String id : sent) {
            assertThat(reader.awaitEvent(e -> e.startsWith("GROUP "))).startsWith("GROUP flooder " + id + " ");
        }
        assertThat(reader.call("PING")).isEqualTo("OK pong");
        assertThat(fx.server.stats().slowConsumers()).isZero();
        assertThat(reader.callBlock("WHO")).containsExactly("USER flooder", "USER reader", "OK 2");

        // Throttled, not locked out: a second later a second's worth passes again.
        assertThat(flooder.call("LOGOUT")).isEqualTo("OK bye");
        flooder.login("flooder", ServerFixture.PW);
        String big = "b".repeat(LINE);
        assertThat(flooder.call("SAY " + big)).as("logging in again does not refill the buckets")
                .isEqualTo("ERR 429 slow down");
        clock.addAndGet(TimeUnit.SECONDS.toNanos(1));   // 4096 bytes more: one more long message
        assertThat(flooder.call("MSG reader " + big)).matches("OK sent \\d+");
        assertThat(flooder.call("MSG reader " + big)).as("4 KiB a second").isEqualTo("ERR 429 slow down");
        assertThat(flooder.call("MSG reader short")).as("what is left of the byte bucket").matches("OK sent \\d+");
    }
}
