package io.jevent.chat.server;

import static io.jevent.chat.server.ServerFixture.PW;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

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
 * With two loops, connections alternate between them (round-robin: the 1st, 3rd... on loop 0, the
 * 2nd, 4th... on loop 1), so users on different loops chat through the loops' message queues.
 */
@ParameterizedClass
@EnumSource(Transport.class)
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class MultiLoopTest {
    @Parameter
    Transport transport;

    @TempDir
    Path dir;
    ServerFixture fx;

    @BeforeEach
    void start() throws Exception {
        fx = ServerFixture.start(transport, dir, c -> c.withThreads(2, 2));
    }

    @AfterEach
    void stop() {
        fx.close();
    }

    @Test
    void usersOnDifferentLoopsChatPrivatelyAndInTheGroup() {
        ChatClient ann = fx.user("ann");   // loop 0
        ChatClient bob = fx.user("bob");   // loop 1
        ChatClient cat = fx.user("cat");   // loop 0
        assertThat(fx.server.stats().openPerLoop()).containsExactly(2L, 1L);
        assertThat(ann.awaitEvent("JOIN bob")).isNotNull();
        assertThat(ann.awaitEvent("JOIN cat")).isNotNull();
        assertThat(bob.awaitEvent("JOIN cat")).isNotNull();
        assertThat(bob.callBlock("WHO")).containsExactly("USER ann", "USER bob", "USER cat", "OK 3");

        String toBob = ann.call("MSG bob across loops");
        assertThat(toBob).matches("OK sent \\d+");
        assertThat(bob.awaitEvent(e -> e.startsWith("FROM "))).matches("FROM ann " + toBob.substring(8) + " \\d+ across loops");
        String toAnn = bob.call("MSG ann and back");
        assertThat(ann.awaitEvent(e -> e.startsWith("FROM "))).matches("FROM bob " + toAnn.substring(8) + " \\d+ and back");

        String said = bob.call("SAY to everyone");
        assertThat(ann.awaitEvent(e -> e.startsWith("GROUP "))).startsWith("GROUP bob " + said.substring(8) + " ");
        assertThat(cat.awaitEvent(e -> e.startsWith("GROUP "))).startsWith("GROUP bob " + said.substring(8) + " ");

        assertThat(bob.call("QUIT")).isEqualTo("OK bye");
        assertThat(ann.awaitEvent("PART bob")).isNotNull();
        assertThat(cat.awaitEvent("PART bob")).isNotNull();
        assertThat(ann.call("MSG bob later")).matches("OK stored \\d+");
    }

    @Test
    void offlineMessagesFollowTheUserAcrossLoops() {
        ChatClient ann = fx.user("ann");                 // loop 0
        ChatClient second = fx.client();                 // loop 1
        assertThat(second.call("REGISTER bob " + PW)).isEqualTo("OK registered");
        String stored = ann.call("MSG bob while you were out");
        assertThat(stored).matches("OK stored \\d+");
        second.send("LOGIN bob " + PW);
        assertThat(second.readLine()).as("the resume token comes first").startsWith("TOKEN ");
        assertThat(second.readLine()).isEqualTo("OK welcome bob");
        assertThat(second.readLine()).matches("FROM ann " + stored.substring(10) + " \\d+ while you were out");
        assertThat(ann.awaitEvent("JOIN bob")).isNotNull();
        assertThat(ann.call("LOGOUT")).isEqualTo("OK bye");
        assertThat(second.awaitEvent("PART ann")).isNotNull();
        assertThat(second.call("LOGOUT")).isEqualTo("OK bye");
        assertThat(second.call("LOGIN ann " + PW)).as("ann again, now on loop 1").isEqualTo("OK welcome ann");
        assertThat(ann.call("LOGIN bob " + PW)).as("bob now on loop 0").isEqualTo("OK welcome bob");
        String live = ann.call("MSG ann hi");
        assertThat(live).matches("OK sent \\d+");
        assertThat(second.awaitEvent(e -> e.startsWith("FROM bob "))).contains(" " + live.substring(8) + " ");
    }

    /**
     * Group messages committed by senders on both loops reach every reader in id
     * order, and every reader sees the same sequence. Before the fix each sender's loop fanned its own
     * message out, delivering it at once to its own readers but through a queue hop to the other
     * loop's, so a reader there could get a later id first. Senders pipeline, so batches hold messages
     * of both loops and the race comes up many times per run.
     */
    @Test
    void everyReaderSeesGroupMessagesInIdOrderWhicheverLoopSentThem() {
        ChatClient reader0 = fx.user("reader0");   // loop 0
        ChatClient reader1 = fx.user("reader1");   // loop 1
        List<ChatClient> senders = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            senders.add(fx.user("sender" + i));    // loops 0, 1, 0, 1
        }
        assertThat(fx.server.stats().openPerLoop()).containsExactly(3L, 3L);
        int perSender = 250;
        for (int i = 0; i < senders.size(); i++) {
            senders.get(i).sendRaw(("SAY from " + i + "\n").repeat(perSender).getBytes(StandardCharsets.US_ASCII));
        }
        for (ChatClient sender : senders) {
            for (int k = 0; k < perSender; k++) {
                assertThat(sender.readReply()).last().asString().startsWith("OK sent ");
            }
        }
        int total = senders.size() * perSender;
        List<Long> seen0 = groupIds(reader0, total);
        List<Long> seen1 = groupIds(reader1, total);
        assertThat(seen0).as("ids reader0 (loop 0) saw").isSorted().doesNotHaveDuplicates();
        assertThat(seen1).as("ids reader1 (loop 1) saw").isSorted().doesNotHaveDuplicates();
        assertThat(seen1).as("both readers see one sequence").isEqualTo(seen0);
    }

    /**
     * Senders pipelining on both loops: each gets every other sender's group messages, in id order,
     * and none of its own, however many of them a loop takes in one batch.
     */
    @Test
    void sendersGetEveryOtherSendersGroupMessagesInOrderAndNoneOfTheirOwn() {
        List<ChatClient> senders = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            senders.add(fx.user("sender" + i));    // loops 0, 1, 0, 1
        }
        int perSender = 200;
        for (int i = 0; i < senders.size(); i++) {
            senders.get(i).sendRaw(("SAY from " + i + "\n").repeat(perSender).getBytes(StandardCharsets.US_ASCII));
        }
        List<List<Long>> own = new ArrayList<>();
        for (ChatClient sender : senders) {
            List<Long> ids = new ArrayList<>();
            for (int k = 0; k < perSender; k++) {
                List<String> reply = sender.readReply();
                String ok = reply.get(reply.size() - 1);
                assertThat(ok).startsWith("OK sent ");
                ids.add(Long.parseLong(ok.substring("OK sent ".length())));
            }
            own.add(ids);
        }
        for (int i = 0; i < senders.size(); i++) {
            List<Long> expected = new ArrayList<>();
            for (int j = 0; j < senders.size(); j++) {
                if (j != i) {
                    expected.addAll(own.get(j));
                }
            }
            expected.sort(null);
            List<String> events = groupEvents(senders.get(i), expected.size());
            List<Long> ids = new ArrayList<>();
            for (String e : events) {
                assertThat(e).as("sender%d got", i).doesNotStartWith("GROUP sender" + i + " ");
                ids.add(Long.parseLong(e.split(" ", -1)[2]));
            }
            assertThat(ids).as("ids sender%d saw", i).isEqualTo(expected);
        }
    }

    /** Reads until {@code count} GROUP events have arrived; returns them in arrival order. */
    private static List<String> groupEvents(ChatClient reader, int count) {
        List<String> events = new ArrayList<>();
        while (events.size() < count) {
            events.add(reader.awaitEvent(e -> e.startsWith("GROUP ")));
        }
        return events;
    }

    /** Reads until {@code count} GROUP events have arrived; returns their ids in arrival order. */
    private static List<Long> groupIds(ChatClient reader, int count) {
        List<Long> ids = new ArrayList<>();
        while (ids.size() < count) {
            String event = reader.awaitEvent(e -> e.startsWith("GROUP "));
            ids.add(Long.parseLong(event.split(" ", -1)[2]));
        }
        return ids;
    }
}
