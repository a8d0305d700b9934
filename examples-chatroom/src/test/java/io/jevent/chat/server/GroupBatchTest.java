package io.jevent.chat.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.jevent.chat.auth.AuthLimits;
import io.jevent.chat.protocol.Events;
import io.jevent.chat.store.StoredMessage;
import io.jevent.core.buffer.SharedBytes;
import io.jevent.msgqueue.EventLoopThread;

/**
 * Group messages a loop takes together reach each recipient as few shared spans, in id order, without
 * the recipient's own lines; and committing them while the loop is busy costs one task, not one each.
 */
@Timeout(30)
class GroupBatchTest {
    private static final long ALICE = 1;
    private static final long BOB = 2;
    private static final long CAROL = 3;

    private static GroupLine message(long id, long senderId, String body) {
        return new GroupLine(new StoredMessage(id, 1_700_000_000_000L, senderId, "user" + senderId, 0, null, body));
    }

    private static String text(GroupLine g) {
        StoredMessage m = g.message;
        return Events.group(m.senderName(), m.id(), m.tsMs(), m.body());
    }

    private static List<String> asText(SharedBytes[] spans) {
        List<String> out = new ArrayList<>();
        for (SharedBytes s : spans) {
            out.add(new String(s.toByteArray(), StandardCharsets.UTF_8));
        }
        return out;
    }

    @Test
    @DisplayName("lines encoded back to back reach a recipient who sent none of them as one span, in order")
    void aBatchIsOneSpanForARecipientWhoSentNone() {
        List<GroupLine> lines = List.of(message(1, ALICE, "one"), message(2, BOB, "twö"), message(3, ALICE, "three"));
        GroupBatch batch = GroupBatch.of(lines, new SharedLines());
        assertThat(asText(batch.forRecipient(CAROL))).containsExactly(text(lines.get(0)) + text(lines.get(1)) + text(lines.get(2)));
    }

    @Test
    @DisplayName("a sender gets the batch without its own lines, wherever they fall, the rest in order")
    void aSenderGetsTheOthersLinesOnly() {
        List<GroupLine> lines = List.of(message(1, ALICE, "a1"), message(2, BOB, "b1"), message(3, BOB, "b2"),
                message(4, ALICE, "a2"), message(5, CAROL, "c1"), message(6, ALICE, "a3"));
        GroupBatch batch = GroupBatch.of(lines, new SharedLines());
        assertThat(asText(batch.forRecipient(ALICE))).containsExactly(text(lines.get(1)) + text(lines.get(2)), text(lines.get(4)));
        assertThat(asText(batch.forRecipient(BOB))).containsExactly(text(lines.get(0)),
                text(lines.get(3)) + text(lines.get(4)) + text(lines.get(5)));
        assertThat(asText(batch.forRecipient(CAROL))).containsExactly(text(lines.get(0)) + text(lines.get(1))
                + text(lines.get(2)) + text(lines.get(3)), text(lines.get(5)));
    }

    @Test
    @DisplayName("lines not next to each other in memory (another slab, a long line) stay separate spans, in order")
    void linesApartInMemoryAreNotJoined() {
        SharedLines other = new SharedLines();
        GroupLine elsewhere = message(2, BOB, "encoded by another loop");
        elsewhere.line(other);
        GroupLine longLine = message(4, BOB, "x".repeat(SharedLines.SLAB_BYTES));
        List<GroupLine> lines = List.of(message(1, BOB, "here"), elsewhere, message(3, BOB, "here again"), longLine,
                message(5, BOB, "after"));
        GroupBatch batch = GroupBatch.of(lines, new SharedLines());
        List<String> expected = new ArrayList<>();
        lines.forEach(g -> expected.add(text(g)));
        assertThat(asText(batch.forRecipient(CAROL))).containsExactlyElementsOf(expected);
        assertThat(batch.forRecipient(BOB)).isEmpty();
    }

    @Test
    @DisplayName("group messages committed while a loop is busy are handed to it in one task, and later ones in another")
    void messagesCommittedWhileTheLoopIsBusyCostOneTask(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        EventLoopThread thread = new EventLoopThread("group-batch-test");
        try {
            ServerContext ctx = new ServerContext(ServerFixture.config(dir.resolve("unused.db")), null, null, null,
                    AuthLimits.defaults(), null, System::nanoTime);
            ChatLoop loop = new ChatLoop(0, thread, ctx);
            ctx.loops = List.of(loop);
            int before = thread.pendingTasks();
            for (int i = 1; i <= 3; i++) {                 // the loop has not started: it is busy elsewhere
                ChatLoop.fanOutGroup(ctx, message(i, ALICE, "m" + i).message);
            }
            assertThat(thread.pendingTasks() - before).as("tasks for three messages").isEqualTo(1);

            CountDownLatch running = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            thread.execute(() -> {
                running.countDown();
                awaitQuietly(release);
            });
            thread.start();
            assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();   // the inbox task ran before it
            int busy = thread.pendingTasks();
            ChatLoop.fanOutGroup(ctx, message(4, ALICE, "m4").message);
            ChatLoop.fanOutGroup(ctx, message(5, ALICE, "m5").message);
            assertThat(thread.pendingTasks() - busy).as("tasks for two messages after the inbox was taken").isEqualTo(1);
            release.countDown();
        } finally {
            thread.close();
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
