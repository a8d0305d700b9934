package io.jevent.chat.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;

import io.jevent.chat.Transport;
import io.jevent.chat.protocol.Replies;
import io.jevent.testing.CapturedLog;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Clients without an account that pipeline {@code HELP} and never read (each with a
 * tiny receive buffer) cannot make the server's output grow without bound: each stops being read
 * once its unsent replies reach the reply backlog, and all of them together never hold more than the
 * output budget, because the ones holding the most are dropped. The server keeps serving everyone
 * else. Limits are small here so that the test is quick; bounds are read from the server's stats.
 */
@ParameterizedClass
@EnumSource(Transport.class)
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class OutputBudgetTest {
    @Parameter
    Transport transport;

    static final int BACKLOG = 16 * 1024;
    static final int WRITE_HIGH = 64 * 1024;
    static final int HELPS = 5000;   // ~3.5 MiB of replies each: more than the kernel buffers take
    static final String BYE_BUDGET = "BYE output budget exceeded";

    @TempDir
    Path dir;

    @Test
    void aClientThatPipelinesWithoutReadingIsNoLongerReadOnceItsRepliesReachTheBacklog() throws Exception {
        try (ServerFixture fx = ServerFixture.start(transport, dir, c -> c.withWatermarks(64 * 1024, WRITE_HIGH)
                .withOutputLimits(BACKLOG, 16L * WRITE_HIGH).withFlushTimeout(Duration.ofSeconds(60)))) {
            ChatClient abuser = fx.raw(4096);
            assertThat(abuser.readLine()).startsWith("HELLO");
            abuser.sendRaw("HELP\n".repeat(HELPS).getBytes(StandardCharsets.US_ASCII));

            Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> fx.server.stats().pausedInputs() == 1);
            long block = Replies.HELP.length();
            ServerStats paused = fx.server.stats();
            assertThat(paused.largestOutputBytes()).as("replies queued: the backlog plus one block at most")
                    .isLessThanOrEqualTo(BACKLOG + block);
            assertThat(paused.queuedOutputBytes()).isLessThanOrEqualTo(BACKLOG + block);
            assertThat(fx.client().call("PING")).as("everyone else is served").isEqualTo("OK pong");

            // Throttled, not dropped: as it reads, it is read from again, and every request is answered.
            abuser.socket.setReceiveBufferSize(1 << 20);   // now it reads, at loopback speed
            abuser.send("QUIT");
            for (int i = 0; i < HELPS; i++) {
                assertThat(abuser.readReply()).last().isEqualTo("OK");
            }
            assertThat(abuser.readToEnd()).containsExactly("OK bye");
            ServerStats after = fx.server.stats();
            assertThat(after.largestOutputBytes()).isLessThanOrEqualTo(BACKLOG + block);
            assertThat(after.slowConsumers() + after.budgetDrops()).isZero();
            assertThat(after.pausedInputs()).isZero();
        }
    }

    @Test
    void manyClientsThatDoNotReadAreDroppedAtTheOutputBudgetAndTheServerServesOthers() throws Exception {
        long budget = 128 * 1024;   // room for a handful of paused abusers, not for 24
        int abusers = 24;
        try (CapturedLog log = CapturedLog.of(Session.class);
             ServerFixture fx = ServerFixture.start(transport, dir, c -> c.withWatermarks(64 * 1024, WRITE_HIGH)
                .withOutputLimits(BACKLOG, budget).withFlushTimeout(Duration.ofSeconds(60)))) {
            List<ChatClient> flood = new ArrayList<>();
            byte[] helps = "HELP\n".repeat(HELPS).getBytes(StandardCharsets.US_ASCII);
            for (int i = 0; i < abusers; i++) {
                ChatClient a = fx.raw(4096);
                a.sendRaw(helps);   // the greeting stays unread too
                flood.add(a);
            }
            // Each abuser ends up either paused at its backlog or dropped.
            Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> {
                ServerStats s = fx.server.stats();
                return s.pausedInputs() + s.budgetDrops() == abusers;
            });
            ServerStats flooded = fx.server.stats();
            long byeLines = flooded.budgetDrops() * (BYE_BUDGET.length() + 1L);
            assertThat(flooded.budgetDrops()).as("abusers dropped").isPositive();
            assertThat(flooded.peakQueuedOutputBytes()).as("never more unsent output than the budget")
                    .isLessThanOrEqualTo(budget + byeLines);

            ChatClient ann = fx.user("ann");
            ChatClient bob = fx.user("bob");
            assertThat(ann.call("SAY still here")).matches("OK sent \\d+");
            assertThat(bob.awaitEvent(e -> e.startsWith("GROUP "))).endsWith(" still here");
            assertThat(bob.callBlock("HISTORY")).last().isEqualTo("OK 1");

            // Every abuser was either dropped with BYE or throttled; the throttled get all answers.
            int dropped = 0;
            for (ChatClient a : flood) {
                a.socket.setReceiveBufferSize(1 << 20);   // now they read, at loopback speed
                a.send("QUIT");
                List<String> tail = a.readToEnd();
                String last = tail.get(tail.size() - 1);
                assertThat(last).isIn(BYE_BUDGET, "OK bye");
                if (last.equals(BYE_BUDGET)) {
                    dropped++;
                } else {
                    assertThat(tail.stream().filter("OK"::equals).count()).isEqualTo(HELPS);
                }
            }
            assertThat((long) dropped).isEqualTo(fx.server.stats().budgetDrops());
            // Each drop is logged (before it is counted) for the operator, and nothing else is warned of.
            assertThat(log.messages(Level.WARNING)).as("one warning per drop").hasSize(dropped)
                    .allSatisfy(m -> assertThat(m).matches("#\\d+ \\S+ holds the most unsent output \\(\\d+ bytes\\)"
                            + " and the output budget is exhausted; disconnecting"));
            assertThat(fx.server.stats().peakQueuedOutputBytes()).isLessThanOrEqualTo(
                    budget + fx.server.stats().budgetDrops() * (BYE_BUDGET.length() + 1L));
            assertThat(ann.call("PING")).isEqualTo("OK pong");
        }
    }

    @Test
    void unsentOutputOfAConnectionClosedWithoutFlushingLeavesTheBudget() throws Exception {
        // Closed by the idle timeout while paused at its backlog, it never reads its BYE either: the
        // flush times out and the buffer event releases ~16 KiB nobody read.
        try (ServerFixture fx = ServerFixture.start(transport, dir, c -> c.withWatermarks(64 * 1024, WRITE_HIGH)
                .withOutputLimits(BACKLOG, WRITE_HIGH).withIdleTimeout(Duration.ofMillis(500))
                .withFlushTimeout(Duration.ofMillis(200)))) {
            ChatClient abuser = fx.raw(4096);
            abuser.sendRaw("HELP\n".repeat(HELPS).getBytes(StandardCharsets.US_ASCII));
            Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> fx.server.stats().accepted() == 1
                    && fx.server.stats().open() == 0);
            assertThat(fx.server.stats().largestOutputBytes()).as("it was paused with output unread")
                    .isGreaterThanOrEqualTo(BACKLOG);
            assertThat(fx.server.stats().queuedOutputBytes()).as("nothing left counted against the budget").isZero();
        }
    }
}
