package io.jevent.chat.server;

import static io.jevent.chat.server.ServerFixture.PW;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
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

    @AfterEach
    void stop() {
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
        ChatClient owner = fx.client();
        assertThat(owner.call("REGISTER ann " + PW)).isEqualTo("OK registered");
        owner.close();   // a connection left open would hold the shutdown's drain until its timeout
        HashingPool pool = fx.server.hashing();
        CompletableFuture<Void> stopped;
        HeldWorker held = HeldWorker.hold(pool, Priority.LOGIN);
        try {
            ChatClient login = fx.client().send("LOGIN ann " + PW);
            ChatClient register = fx.client().send("REGISTER bob " + PW);
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> pool.queued(Priority.LOGIN) == 1 && pool.queued(Priority.BACKGROUND) == 1);

            stopped = fx.server.shutdown();
            assertThat(login.readToEnd()).containsExactly("ERR 503 server shutting down", "BYE server shutting down");
            assertThat(register.readToEnd()).containsExactly("ERR 503 server shutting down", "BYE server shutting down");
            login.close();
            register.close();
        } finally {
            held.close();
        }
        stopped.get(30, TimeUnit.SECONDS);
    }
}
