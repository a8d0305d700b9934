package io.jevent.chat.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.jevent.chat.Transport;
import io.jevent.chat.protocol.ProtocolError;
import io.jevent.chat.store.ChatStore;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A client that sends commands without waiting for their replies has them running together, not
 * one at a time, and still gets every reply in the order of its commands; commands that change the
 * session's state wait for the earlier ones, and the lines after them are read in the new state.
 */
@ParameterizedClass
@EnumSource(Transport.class)
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class PipeliningTest {
    private static final String BUSY = "ERR 503 server busy, try again";

    @Parameter
    Transport transport;

    @TempDir
    Path dir;

    @Test
    void pipelinedMessagesWaitForTheStoreTogetherAndAreAnsweredInOrder() throws Exception {
        try (ServerFixture fx = ServerFixture.startWithStore(transport, dir, s -> s.withWriterQueueCapacity(4))) {
            ChatClient ann = fx.user("ann");
            ChatClient bob = fx.user("bob");
            ChatStore store = fx.server.store();
            // A store callback runs on the writer thread, so one that waits holds the writer: what
            // the session submits meanwhile stays queued, and the fifth message finds the queue full.
            CountDownLatch writerHeld = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            store.markDelivered(0, new long[0], r -> {
                writerHeld.countDown();
                awaitQuietly(release);
            });
            try {
                assertThat(writerHeld.await(10, TimeUnit.SECONDS)).isTrue();
                String commands = """
                        MSG bob m1
                        WHO
                        BOGUS
                        MSG bob m2
                        HELP
                        MSG bob m3
                        PING
                        MSG bob m4
                        MSG bob m5
                        PING
                        """;
                ann.sendRaw(commands.getBytes(StandardCharsets.UTF_8));
                // All five were started while the first still waits for its commit.
                await().atMost(Duration.ofSeconds(20)).until(() -> store.stats().rejected() == 1);
            } finally {
                release.countDown();
            }
            long m1 = sentId(ann.readReply());
            assertThat(ann.readReply()).containsExactly("USER ann", "USER bob", "OK 2");
            assertThat(ann.readReply()).containsExactly(ProtocolError.UNKNOWN_COMMAND.line().strip());
            long m2 = sentId(ann.readReply());
            assertThat(ann.readReply()).last().isEqualTo("OK");
            long m3 = sentId(ann.readReply());
            assertThat(ann.readReply()).containsExactly("OK pong");
            long m4 = sentId(ann.readReply());
            assertThat(ann.readReply()).containsExactly(BUSY);
            assertThat(ann.readReply()).containsExactly("OK pong");
            assertThat(List.of(m1, m2, m3, m4)).as("committed in command order").isSorted().doesNotHaveDuplicates();
            assertThat(store.stats().largestBatch()).as("the queued messages shared one commit").isGreaterThanOrEqualTo(3);
            for (String body : List.of("m1", "m2", "m3", "m4")) {
                assertThat(bob.awaitEvent(e -> e.startsWith("FROM "))).endsWith(" " + body);
            }
            assertThat(bob.events).noneMatch(e -> e.endsWith(" m5"));
        }
    }

    @Test
    void linesAfterAStateChangeAreReadInTheNewState() throws Exception {
        try (ServerFixture fx = ServerFixture.start(transport, dir)) {
            ChatClient ann = fx.user("ann");
            fx.user("bob");
            String commands = """
                    MSG bob before
                    LOGOUT
                    MSG bob after
                    HELP
                    """;
            ann.sendRaw(commands.getBytes(StandardCharsets.UTF_8));
            assertThat(sentId(ann.readReply())).isPositive();
            assertThat(ann.readReply()).last().asString().startsWith("OK bye");
            assertThat(ann.readReply()).containsExactly(ProtocolError.LOGIN_REQUIRED.line().strip());
            assertThat(ann.readReply()).last().isEqualTo("OK");
        }
    }

    private static long sentId(List<String> reply) {
        assertThat(reply).hasSize(1);
        assertThat(reply.get(0)).matches("OK sent \\d+");
        return Long.parseLong(reply.get(0).substring("OK sent ".length()));
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
