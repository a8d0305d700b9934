package io.jevent.chat.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.jevent.chat.Transport;
import io.jevent.chat.store.ChatStore;
import io.jevent.chat.store.Result;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A store whose writer queue is full refuses the request: the client gets ERR 503, nothing of the
 * request is stored or delivered, and the connection and everyone else go on working.
 */
@ParameterizedClass
@EnumSource(Transport.class)
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class StoreBusyTest {
    @Parameter
    Transport transport;

    private static final String BUSY = "ERR 503 server busy, try again";

    @TempDir
    Path dir;

    @Test
    void aFullWriterQueueIsAnErr503AndEverythingElseGoesOn() throws Exception {
        try (ServerFixture fx = ServerFixture.startWithStore(transport, dir, s -> s.withWriterQueueCapacity(1))) {
            ChatClient ann = fx.user("ann");
            ChatClient bob = fx.user("bob");
            ChatStore store = fx.server.store();
            // Store callbacks run on the writer thread, so a callback that waits holds the writer;
            // a second request then fills the one queue slot, deterministically.
            CountDownLatch writerHeld = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            CompletableFuture<Result<Integer>> queued = new CompletableFuture<>();
            try {
                store.markDelivered(0, new long[0], r -> {
                    writerHeld.countDown();
                    awaitQuietly(release);
                });
                assertThat(writerHeld.await(10, TimeUnit.SECONDS)).isTrue();
                store.markDelivered(0, new long[0], queued::complete);
                assertThat(queued).as("queued, not refused").isNotDone();

                assertThat(ann.call("SAY lost")).isEqualTo(BUSY);
                assertThat(ann.call("MSG bob lost")).isEqualTo(BUSY);
                // The connection goes on, and so do requests that need no writer.
                assertThat(ann.call("PING")).isEqualTo("OK pong");
                assertThat(bob.callBlock("WHO")).containsExactly("USER ann", "USER bob", "OK 2");
                assertThat(bob.callBlock("HISTORY")).containsExactly("OK 0");
            } finally {
                release.countDown();
            }
            assertThat(queued.get(10, TimeUnit.SECONDS).isOk()).isTrue();

            assertThat(ann.call("SAY after")).matches("OK sent \\d+");
            assertThat(bob.awaitEvent(e -> e.startsWith("GROUP "))).endsWith(" after");
            assertThat(ann.call("MSG bob direct")).matches("OK sent \\d+");
            assertThat(bob.awaitEvent(e -> e.startsWith("FROM "))).endsWith(" direct");
            assertThat(bob.events).noneMatch(e -> e.contains("lost"));
            assertThat(bob.callBlock("HISTORY")).noneMatch(l -> l.contains("lost")).last().isEqualTo("OK 2");
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
