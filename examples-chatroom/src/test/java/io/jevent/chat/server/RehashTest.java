package io.jevent.chat.server;

import static io.jevent.chat.server.ServerFixture.PW;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.jevent.chat.auth.PasswordHasher;
import io.jevent.chat.store.ChatStore;
import io.jevent.chat.store.Result;
import io.jevent.chat.store.StoreFaults;
import io.jevent.chat.store.User;

/**
 * A password stored with fewer PBKDF2 rounds than the server now uses (the operator raised
 * {@code --pbkdf2-iterations}) is re-hashed at the user's next LOGIN, and that upgrade never refuses
 * a right password.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class RehashTest {
    private static final int OLD_ROUNDS = 500;

    @TempDir
    Path dir;
    ServerFixture fx;
    ChatStore store;

    @BeforeEach
    void start() throws Exception {
        fx = ServerFixture.start(dir);
        store = fx.server.store();
        String weak = new PasswordHasher(OLD_ROUNDS, new SecureRandom()).hash(PW);
        CompletableFuture<Result<User>> registered = new CompletableFuture<>();
        store.registerUser("ann", weak, registered::complete);
        assertThat(registered.get(30, TimeUnit.SECONDS).isOk()).isTrue();
    }

    @AfterEach
    void stop() {
        fx.close();
    }

    private String storedHash() throws Exception {
        CompletableFuture<Result<Optional<User>>> found = new CompletableFuture<>();
        store.findUser("ann", found::complete);
        return found.get(30, TimeUnit.SECONDS).value().orElseThrow().passwordHash();
    }

    /** The round count of an encoded hash: {@code pbkdf2-sha256$<rounds>$<salt>$<hash>}. */
    private static int rounds(String hash) {
        int from = hash.indexOf('$') + 1;
        return Integer.parseInt(hash.substring(from, hash.indexOf('$', from)));
    }

    @Test
    void aLoginUpgradesAWeakerHashAndThePasswordStillLogsIn() throws Exception {
        assertThat(rounds(storedHash())).isEqualTo(OLD_ROUNDS);
        assertThat(fx.client().callBlock("LOGIN ann " + PW)).last().isEqualTo("OK welcome ann");
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> rounds(storedHash()) > OLD_ROUNDS);
        assertThat(fx.client().callBlock("LOGIN ann " + PW)).last().isEqualTo("OK welcome ann");
    }

    /**
     * Two logins of the same user checked against the weak hash: the first one's upgrade commits
     * before the second one is confirmed. The second finds the stored hash changed, checks the
     * password again against the upgraded one, and logs in (taking the session over, as any second
     * login does).
     */
    @Test
    void aLoginWhoseHashAnotherLoginUpgradedMeanwhileIsNotRefused() throws Exception {
        ChatClient first = fx.client();
        ChatClient second = fx.client();
        Runnable resumeWriter = StoreFaults.pauseWriter(store);
        try {
            first.send("LOGIN ann " + PW);
            // Its token, then (after the re-hash's PBKDF2 on a worker) the upgrade.
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> StoreFaults.queuedWrites(store) >= 2);
            second.send("LOGIN ann " + PW);
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> StoreFaults.queuedWrites(store) >= 3);
        } finally {
            resumeWriter.run();
        }
        List<String> welcome = second.readReply();
        assertThat(welcome).last().as("checked again against the upgraded hash").isEqualTo("OK welcome ann");
        assertThat(welcome.get(0)).startsWith("TOKEN ");
        assertThat(second.callBlock("WHO")).containsExactly("USER ann", "OK 1");
        assertThat(rounds(storedHash())).isGreaterThan(OLD_ROUNDS);
    }
}
