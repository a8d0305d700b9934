package io.jevent.chat.server;

import static io.jevent.chat.server.ServerFixture.PW;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.logging.Level;

import io.jevent.chat.Transport;
import io.jevent.testing.CapturedLog;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Private messages are delivered at least once: a message counts as delivered when
 * the client acknowledged it with {@code SEEN}, or, for a client that never sends SEEN, when it left
 * the server's output buffer; anything else comes again at the next login, with the same id.
 */
@ParameterizedClass
@EnumSource(Transport.class)
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class DeliveryTest {
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
    void privateMessagesDroppedWithASlowConsumerComeAtTheNextLogin() {
        try (CapturedLog log = CapturedLog.of(Session.class)) {
            privateMessagesDroppedWithASlowConsumerComeAtTheNextLogin(log);
        }
    }

    private void privateMessagesDroppedWithASlowConsumerComeAtTheNextLogin(CapturedLog log) {
        ChatClient slow = fx.raw(8 * 1024);
        assertThat(slow.readLine()).startsWith("HELLO");
        slow.registerAndLogin("bob", PW);
        ChatClient ann = fx.user("ann");
        String text = "p".repeat(LINE);
        Set<Long> acknowledged = new LinkedHashSet<>();
        while (fx.server.stats().slowConsumers() == 0) {
            assertThat(acknowledged.size()).as("messages sent before bob was dropped").isLessThan(20_000);
            ann.sendRaw(("MSG bob " + text + "\n").repeat(32).getBytes(StandardCharsets.US_ASCII));
            for (int i = 0; i < 32; i++) {
                String reply = ann.readReply().get(0);
                assertThat(reply).matches("OK (sent|stored) \\d+");
                acknowledged.add(Long.parseLong(reply.substring(reply.lastIndexOf(' ') + 1)));
            }
        }
        ann.awaitEvent("PART bob");
        assertThat(log.messages(Level.WARNING)).as("the drop is logged for the operator").singleElement().asString()
                .matches("#\\d+ \\S+ is a slow consumer \\(\\d+ bytes unread\\); disconnecting");

        // What reached bob before the drop, read only now: whole FROM lines, then BYE.
        List<String> before = slow.readToEnd();
        assertThat(before.get(before.size() - 1)).isEqualTo("BYE slow consumer");
        Set<Long> received = new LinkedHashSet<>(fromIds(before));

        ChatClient bob = fx.client();
        bob.send("LOGIN bob " + PW).send("PING");
        assertThat(bob.readLine()).as("the resume token comes first").startsWith("TOKEN ");
        assertThat(bob.readLine()).isEqualTo("OK welcome bob");
        List<String> pending = new ArrayList<>();
        for (String line = bob.readLine(); !line.equals("OK pong"); line = bob.readLine()) {
            pending.add(line);
        }
        List<Long> resent = fromIds(pending);
        assertThat(resent).as("pending messages come oldest first").isSorted();
        received.addAll(resent);
        System.out.printf("slow consumer: %d private messages acknowledged, %d read before the drop, %d at the next login%n",
                acknowledged.size(), before.size() - 1, resent.size());
        assertThat(resent).as("the ones dropped unsent were not lost").isNotEmpty();
        assertThat(received).as("every acknowledged message arrives, before the drop or at the next login")
                .containsAll(acknowledged);
    }

    @Test
    void aMessageAcknowledgedWithSeenIsNotSentAgainAndOneNotAcknowledgedIs() {
        ChatClient ann = fx.user("ann");
        ChatClient bob = fx.user("bob");
        long one = sentId(ann.call("MSG bob one"));
        assertThat(bob.awaitEvent(e -> e.startsWith("FROM "))).matches("FROM ann " + one + " \\d+ one");
        assertThat(bob.call("SEEN " + one)).isEqualTo("OK");
        long two = sentId(ann.call("MSG bob two"));
        // bob reads it but, as a client that acknowledges, has not said SEEN for it when it quits
        // (it crashed before printing it, say).
        assertThat(bob.awaitEvent(e -> e.startsWith("FROM "))).matches("FROM ann " + two + " \\d+ two");
        assertThat(bob.call("QUIT")).isEqualTo("OK bye");
        ann.awaitEvent("PART bob");

        ChatClient again = fx.client();
        again.send("LOGIN bob " + PW).send("PING");
        assertThat(again.readLine()).as("the resume token comes first").startsWith("TOKEN ");
        assertThat(again.readLine()).isEqualTo("OK welcome bob");
        assertThat(again.readLine()).as("only the unacknowledged one, same id").matches("FROM ann " + two + " \\d+ two");
        assertThat(again.readLine()).isEqualTo("OK pong");
        assertThat(again.call("SEEN " + two)).isEqualTo("OK");
        assertThat(again.call("LOGOUT")).isEqualTo("OK bye");
        again.send("LOGIN bob " + PW).send("PING");
        assertThat(again.readLine()).as("the resume token comes first").startsWith("TOKEN ");
        assertThat(again.readLine()).isEqualTo("OK welcome bob");
        assertThat(again.readLine()).as("nothing left").isEqualTo("OK pong");
    }

    @Test
    void seenChecksItsArgument() {
        ChatClient ann = fx.user("ann");
        assertThat(ann.call("SEEN")).isEqualTo("ERR 400 usage: SEEN <id>");
        assertThat(ann.call("SEEN x1")).isEqualTo("ERR 400 usage: SEEN <id>");
        assertThat(ann.call("SEEN 0")).isEqualTo("ERR 400 usage: SEEN <id>");
        assertThat(ann.call("SEEN 99999999999999999999")).isEqualTo("ERR 400 usage: SEEN <id>");
        assertThat(ann.call("SEEN 1 2")).isEqualTo("ERR 400 usage: SEEN <id>");
        assertThat(ann.call("SEEN 42")).as("an id never sent here acknowledges nothing").isEqualTo("OK");
        assertThat(fx.client().call("SEEN 42")).isEqualTo("ERR 401 login required");
    }

    private static long sentId(String reply) {
        assertThat(reply).matches("OK sent \\d+");
        return Long.parseLong(reply.substring(8));
    }

    private static List<Long> fromIds(List<String> lines) {
        List<Long> ids = new ArrayList<>();
        for (String l : lines) {
            if (l.startsWith("FROM ")) {
                assertThat(l).matches("FROM ann \\d+ \\d+ p{" + LINE + "}");
                ids.add(Long.parseLong(l.split(" ", -1)[2]));
            }
        }
        return ids;
    }
}
