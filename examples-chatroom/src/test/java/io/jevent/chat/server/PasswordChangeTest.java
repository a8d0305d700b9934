package io.jevent.chat.server;

import static io.jevent.chat.server.ServerFixture.PW;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.awaitility.Awaitility;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.jevent.chat.store.ChatStore;
import io.jevent.chat.store.StoreFaults;

/**
 * {@code PASSWORD <old> <new>}: a logged-in user changes the password. The old one is checked, the
 * new one must be a valid password, and the change revokes every resume token of the user (a
 * device that had one must use the new password), while the session that changed it gets a new one.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class PasswordChangeTest {
    private static final String NEW_PW = "new-password-2";

    @TempDir
    Path dir;
    ServerFixture fx;

    @BeforeEach
    void start() throws Exception {
        fx = ServerFixture.start(dir);
    }

    @AfterEach
    void stop() {
        fx.close();
    }

    /** LOGIN on a new connection; returns the token. */
    private String loginForToken(String name, String password) {
        List<String> block = fx.client().callBlock("LOGIN " + name + " " + password);
        assertThat(block).hasSize(2);
        assertThat(block.get(1)).isEqualTo("OK welcome " + name);
        return block.get(0).substring("TOKEN ".length());
    }

    /** ann's phone logged in (its token kept), then her laptop, which took the session over. */
    private record TwoDevices(String phoneToken, ChatClient laptop) {
    }

    private TwoDevices registerOnTwoDevices() {
        assertThat(fx.client().call("REGISTER ann " + PW)).isEqualTo("OK registered");
        String phoneToken = loginForToken("ann", PW);
        ChatClient laptop = fx.client();
        laptop.callBlock("LOGIN ann " + PW);
        return new TwoDevices(phoneToken, laptop);
    }

    @Test
    void aPasswordChangeRevokesEveryResumeTokenAndGivesTheSessionANewOne() {
        assertThat(fx.client().call("REGISTER ann " + PW)).isEqualTo("OK registered");
        String phoneToken = loginForToken("ann", PW);
        ChatClient laptop = fx.client();
        List<String> login = laptop.callBlock("LOGIN ann " + PW);   // takes over the phone's session
        String laptopToken = login.get(0).substring("TOKEN ".length());

        List<String> changed = laptop.callBlock("PASSWORD " + PW + " " + NEW_PW);
        assertThat(changed).hasSize(2);
        assertThat(changed.get(0)).matches("TOKEN [A-Za-z0-9_-]{43}");
        assertThat(changed.get(1)).isEqualTo("OK password changed");
        String newToken = changed.get(0).substring("TOKEN ".length());
        assertThat(newToken).isNotIn(phoneToken, laptopToken);
        assertThat(laptop.callBlock("WHO")).as("still logged in").containsExactly("USER ann", "OK 1");

        assertThat(fx.client().call("RESUME ann " + phoneToken)).as("another device's token")
                .isEqualTo("ERR 401 bad credentials");
        assertThat(fx.client().call("RESUME ann " + laptopToken)).as("this session's old token")
                .isEqualTo("ERR 401 bad credentials");
        assertThat(fx.client().call("LOGIN ann " + PW)).as("the old password").isEqualTo("ERR 401 bad credentials");

        ChatClient resumed = fx.client();
        assertThat(resumed.call("RESUME ann " + newToken)).as("the new token").isEqualTo("OK welcome ann");
        assertThat(resumed.call("LOGOUT")).isEqualTo("OK bye");
        assertThat(fx.client().call("RESUME ann " + newToken)).as("LOGOUT revokes the new token")
                .isEqualTo("ERR 401 bad credentials");
        assertThat(loginForToken("ann", NEW_PW)).as("the new password logs in").hasSize(43);
    }

    @Test
    void theLogoutOfTheSessionThatChangedThePasswordRevokesItsNewToken() {
        ChatClient ann = fx.client();
        assertThat(ann.call("REGISTER ann " + PW)).isEqualTo("OK registered");
        ann.callBlock("LOGIN ann " + PW);
        String newToken = ann.callBlock("PASSWORD " + PW + " " + NEW_PW).get(0).substring("TOKEN ".length());
        assertThat(ann.call("LOGOUT")).isEqualTo("OK bye");
        assertThat(fx.client().call("RESUME ann " + newToken)).isEqualTo("ERR 401 bad credentials");
    }

    @Test
    void aResumeWhoseTokenTheChangeRevokedWhileItWasCheckedIsRefused() {
        TwoDevices devices = registerOnTwoDevices();
        String phoneToken = devices.phoneToken();
        ChatClient laptop = devices.laptop();
        ChatStore store = fx.server.store();
        ChatClient thief = fx.client();
        Runnable resumeWriter = StoreFaults.pauseWriter(store);
        try {
            laptop.send("PASSWORD " + PW + " " + NEW_PW);
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> StoreFaults.queuedWrites(store) >= 1);
            // The readers still see the phone's token live: the change waits for the writer.
            thief.send("RESUME ann " + phoneToken);
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> StoreFaults.queuedWrites(store) >= 2);
        } finally {
            resumeWriter.run();
        }
        assertThat(thief.readLine()).as("checked again after the change, in the writer's order")
                .isEqualTo("ERR 401 bad credentials");
        assertThat(thief.callBlock("WHO")).as("not logged in").containsExactly("ERR 401 login required");

        ChatClient ann = fx.client();
        assertThat(ann.callBlock("LOGIN ann " + NEW_PW)).as("the change stands").hasSize(2);
        assertThat(ann.callBlock("WHO")).containsExactly("USER ann", "OK 1");
    }

    /**
     * The likelier order of the same race: the change is still hashing when a login with the old
     * credentials completes (and takes the session over). The change then commits, and that login,
     * checked against the old hash, is closed with it.
     */
    @Test
    void aLoginCompletedWhileTheChangeWasHashingIsClosedWhenItCommits() throws Exception {
        TwoDevices devices = registerOnTwoDevices();
        String phoneToken = devices.phoneToken();
        ChatClient laptop = devices.laptop();
        HashingPool pool = fx.server.hashing();
        ChatClient thief = fx.client();
        // Holds the background share of the workers: the change's PBKDF2 work queues behind it.
        HeldWorker held = HeldWorker.hold(pool, HashingPool.Priority.BACKGROUND);
        try {
            laptop.send("PASSWORD " + PW + " " + NEW_PW);
            Awaitility.await().atMost(Duration.ofSeconds(30))
                    .until(() -> pool.queued(HashingPool.Priority.BACKGROUND) == 1);
            assertThat(thief.call("RESUME ann " + phoneToken)).as("nothing has changed yet")
                    .isEqualTo("OK welcome ann");
            assertThat(laptop.readToEnd()).as("taken over").contains("BYE logged in elsewhere");
        } finally {
            held.close();
        }
        assertThat(thief.readToEnd()).as("the change commits and closes the login it did not make")
                .containsExactly("BYE password changed");
        assertThat(fx.client().call("RESUME ann " + phoneToken)).as("revoked")
                .isEqualTo("ERR 401 bad credentials");
        ChatClient ann = fx.client();
        assertThat(ann.callBlock("LOGIN ann " + NEW_PW)).as("the change stands").hasSize(2);
        assertThat(ann.callBlock("WHO")).containsExactly("USER ann", "OK 1");
    }

    @Test
    void aWrongOldPasswordChangesNothingAndIsRateLimitedLikeLogin() {
        assertThat(fx.client().call("REGISTER ann " + PW)).isEqualTo("OK registered");
        ChatClient ann = fx.client();
        String token = ann.callBlock("LOGIN ann " + PW).get(0).substring("TOKEN ".length());
        for (int i = 0; i < 5; i++) {
            assertThat(ann.call("PASSWORD wrong-password " + NEW_PW)).isEqualTo("ERR 401 wrong password");
        }
        assertThat(ann.call("PASSWORD " + PW + " " + NEW_PW)).as("even the right one, once over the limit")
                .isEqualTo("ERR 429 too many attempts");
        assertThat(ann.callBlock("WHO")).as("still logged in").containsExactly("USER ann", "OK 1");

        ChatClient other = fx.client();
        assertThat(other.call("RESUME ann " + token)).as("tokens untouched; the same per-address limit")
                .isEqualTo("ERR 429 too many attempts");
    }

    @Test
    void badArgumentsAreRefusedBeforeAnyHashing() {
        ChatClient out = fx.client();
        assertThat(out.call("PASSWORD " + PW + " " + NEW_PW)).isEqualTo("ERR 401 login required");
        ChatClient ann = fx.user("ann");
        assertThat(ann.call("PASSWORD")).isEqualTo("ERR 400 usage: PASSWORD <old-password> <new-password>");
        assertThat(ann.call("PASSWORD " + PW)).isEqualTo("ERR 400 usage: PASSWORD <old-password> <new-password>");
        assertThat(ann.call("PASSWORD " + PW + " new pass word")).isEqualTo("ERR 400 usage: PASSWORD <old-password> <new-password>");
        assertThat(ann.call("PASSWORD " + PW + " short")).isEqualTo("ERR 422 password must be 8-128 bytes");
        assertThat(ann.call("password " + PW + " " + "x".repeat(129))).isEqualTo("ERR 422 password must be 8-128 bytes");
        assertThat(ann.call("PASSWORD " + "x".repeat(129) + " " + NEW_PW)).isEqualTo("ERR 401 wrong password");
        assertThat(fx.client().call("LOGIN ann " + PW)).as("unchanged").isEqualTo("OK welcome ann");
    }
}
