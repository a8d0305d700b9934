package io.jevent.chat.server;

import static io.jevent.chat.server.ServerFixture.PW;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.jevent.chat.server.HashingPool.Priority;

/** What a graceful shutdown answers to the commands it finds waiting. */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ShutdownTest {
    @TempDir
    Path dir;
    ServerFixture fx;
    private final CountDownLatch releaseWorker = new CountDownLatch(1);

    @AfterEach
    void stop() {
        releaseWorker.countDown();
        if (fx != null) {
            fx.close();
        }
    }

    /**
     * Commands queued for PBKDF2 are answered {@code ERR 503} as the shutdown starts, rather than
     * hashed first (a queue of LOGINs is minutes of hashing): here the only worker stays busy until
     * both clients have had their answer and their BYE.
     */
    @Test
    void commandsQueuedForHashingAreAnsweredAtOnceNotHashed() throws Exception {
        fx = ServerFixture.start(dir, c -> c.withThreads(1, 1));
        assertThat(fx.client().call("REGISTER ann " + PW)).isEqualTo("OK registered");
        HashingPool pool = fx.server.hashing();
        CountDownLatch holding = new CountDownLatch(1);
        pool.execute(Priority.LOGIN, () -> {
            holding.countDown();
            try {
                releaseWorker.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertThat(holding.await(10, TimeUnit.SECONDS)).isTrue();
        ChatClient login = fx.client().send("LOGIN ann " + PW);
        ChatClient register = fx.client().send("REGISTER bob " + PW);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> pool.queued(Priority.LOGIN) == 1 && pool.queued(Priority.BACKGROUND) == 1);

        CompletableFuture<Void> stopped = fx.server.shutdown();
        assertThat(login.readToEnd()).containsExactly("ERR 503 server shutting down", "BYE server shutting down");
        assertThat(register.readToEnd()).containsExactly("ERR 503 server shutting down", "BYE server shutting down");
        releaseWorker.countDown();
        stopped.get(30, TimeUnit.SECONDS);
    }
}
