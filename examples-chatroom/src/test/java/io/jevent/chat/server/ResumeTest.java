package io.jevent.chat.server;

import static io.jevent.chat.server.ServerFixture.PW;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import io.jevent.chat.Transport;
import io.jevent.chat.auth.AuthLimits;
import io.jevent.chat.auth.ResumeTokens;

/**
 * Instant reconnects: LOGIN returns a resume token ({@code TOKEN <token>} before
 * {@code OK welcome}); {@code RESUME <name> <token>} logs in with it, without the password's PBKDF2,
 * until it expires or LOGOUT revokes it. Only its SHA-256 is in the database.
 */
@ParameterizedClass
@EnumSource(Transport.class)
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ResumeTest {
    @Parameter
    Transport transport;

    private static final long START_MS = 1_767_225_600_000L;

    @TempDir
    Path dir;
    ServerFixture fx;
    /** The store's wall clock, moved by hand: token expiry. */
    final AtomicLong nowMs = new AtomicLong(START_MS);

    @AfterEach
    void stop() {
        if (fx != null) {
            fx.close();
        }
    }

    private void start() throws Exception {
        fx = ServerFixture.startWithStore(transport, dir, s -> s.withClock(nowMs::get));
    }

    /** A new connection on which {@code name} was just registered. */
    private ChatClient registered(String name) {
        ChatClient c = fx.client();
        assertThat(c.call("REGISTER " + name + " " + PW)).isEqualTo("OK registered");
        return c;
    }

    /** LOGIN on {@code c}; returns the token. */
    private String loginForToken(ChatClient c, String name) {
        List<String> block = c.callBlock("LOGIN " + name + " " + PW);
        assertThat(block).hasSize(2);
        assertThat(block.get(0)).matches("TOKEN [A-Za-z0-9_-]{43}");
        assertThat(block.get(1)).isEqualTo("OK welcome " + name);
        return block.get(0).substring(6);
    }

    @Test
    void resumeWithTheTokenOfALoginLogsInWithoutThePassword() throws Exception {
        start();
        ChatClient first = fx.client();
        assertThat(first.call("REGISTER ann " + PW)).isEqualTo("OK registered");
        String token = loginForToken(first, "ann");
        assertThat(first.call("QUIT")).isEqualTo("OK bye");

        ChatClient again = fx.client();
        assertThat(again.callBlock("RESUME ANN " + token)).as("no new token; the name as registered")
                .containsExactly("OK welcome ann");
        assertThat(again.callBlock("WHO")).containsExactly("USER ann", "OK 1");
        assertThat(again.call("RESUME ann " + token)).isEqualTo("ERR 409 already logged in, LOGOUT first");
        assertThat(again.call("QUIT")).isEqualTo("OK bye");
        assertThat(fx.client().call("RESUME ann " + token)).as("usable again and again until it expires")
                .isEqualTo("OK welcome ann");
    }

    @Test
    void aWrongOrMalformedTokenIsBadCredentials() throws Exception {
        start();
        fx.user("bob");
        String annToken = loginForToken(registered("ann"), "ann");
        ChatClient c = fx.client();
        String wrong = annToken.charAt(0) == 'A' ? "B" + annToken.substring(1) : "A" + annToken.substring(1);
        assertThat(c.call("RESUME ann " + wrong)).isEqualTo("ERR 401 bad credentials");
        assertThat(c.call("RESUME bob " + annToken)).as("another user's token").isEqualTo("ERR 401 bad credentials");
        assertThat(c.call("RESUME nobody " + annToken)).isEqualTo("ERR 401 bad credentials");
        assertThat(c.call("RESUME ann " + PW)).as("a password is not a token").isEqualTo("ERR 401 bad credentials");
        assertThat(c.call("RESUME ann")).isEqualTo("ERR 400 usage: RESUME <name> <token>");
    }

    @Test
    void resumeIsRateLimitedLikeLogin() throws Exception {
        start();
        String token = loginForToken(registered("ann"), "ann");
        ChatClient c = fx.client();
        String wrong = "A".repeat(43);
        for (int i = 0; i < 5; i++) {
            assertThat(c.call("RESUME ann " + wrong)).isEqualTo("ERR 401 bad credentials");
        }
        assertThat(c.call("RESUME ann " + token)).as("even the right token, once over the limit")
                .isEqualTo("ERR 429 too many attempts");
    }

    @Test
    void aTokenExpiresAfterItsLifetime() throws Exception {
        start();
        String token = loginForToken(registered("ann"), "ann");
        Duration ttl = AuthLimits.DEFAULT_RESUME_TTL;
        nowMs.addAndGet(ttl.toMillis() - 1);
        ChatClient c = fx.client();
        assertThat(c.call("RESUME ann " + token)).as("just before expiry").isEqualTo("OK welcome ann");
        assertThat(c.call("QUIT")).isEqualTo("OK bye");
        nowMs.addAndGet(1);
        assertThat(fx.client().call("RESUME ann " + token)).isEqualTo("ERR 401 bad credentials");
    }

    @Test
    void logoutRevokesTheTokenOfThatLoginOnly() throws Exception {
        start();
        ChatClient phone = fx.client();
        assertThat(phone.call("REGISTER ann " + PW)).isEqualTo("OK registered");
        String phoneToken = loginForToken(phone, "ann");
        ChatClient laptop = fx.client();
        String laptopToken = loginForToken(laptop, "ann");   // takes over the phone's session
        assertThat(laptop.call("LOGOUT")).isEqualTo("OK bye");

        assertThat(fx.client().call("RESUME ann " + laptopToken)).as("revoked by LOGOUT")
                .isEqualTo("ERR 401 bad credentials");
        ChatClient back = fx.client();
        assertThat(back.call("RESUME ann " + phoneToken)).as("the other device's token still works")
                .isEqualTo("OK welcome ann");
        assertThat(back.call("LOGOUT")).isEqualTo("OK bye");
        assertThat(back.call("RESUME ann " + phoneToken)).as("a resumed login's LOGOUT revokes the token it used")
                .isEqualTo("ERR 401 bad credentials");
    }

    @Test
    void onlyTheNewestTokensOfAUserStayLive() throws Exception {
        start();
        ChatClient c = fx.client();
        assertThat(c.call("REGISTER ann " + PW)).isEqualTo("OK registered");
        List<String> tokens = new ArrayList<>();
        for (int i = 0; i <= AuthLimits.DEFAULT_RESUME_TOKENS_PER_USER; i++) {
            tokens.add(loginForToken(fx.client(), "ann"));
        }
        assertThat(fx.client().call("RESUME ann " + tokens.get(0))).as("the oldest, beyond the limit")
                .isEqualTo("ERR 401 bad credentials");
        assertThat(fx.client().call("RESUME ann " + tokens.get(1))).isEqualTo("OK welcome ann");
    }

    @Test
    void resumeTakesOverALiveSessionLikeLogin() throws Exception {
        start();
        ChatClient bob = fx.user("bob");
        ChatClient old = fx.client();
        assertThat(old.call("REGISTER ann " + PW)).isEqualTo("OK registered");
        String token = loginForToken(old, "ann");
        assertThat(bob.awaitEvent("JOIN ann")).isNotNull();

        ChatClient fresh = fx.client();
        assertThat(fresh.call("RESUME ann " + token)).isEqualTo("OK welcome ann");
        assertThat(old.readToEnd()).containsExactly("BYE logged in elsewhere");
        assertThat(fresh.callBlock("WHO")).containsExactly("USER ann", "USER bob", "OK 2");
        assertThat(bob.call("PING")).isEqualTo("OK pong");
        assertThat(bob.events).as("ann never went offline").doesNotContain("PART ann");
    }

    @Test
    void theDatabaseHoldsOnlyTheHashOfAToken() throws Exception {
        start();
        String token = loginForToken(registered("ann"), "ann");
        fx.close();
        fx = null;

        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("chat.db"));
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT token_hash FROM resume_tokens")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getBytes(1)).isEqualTo(ResumeTokens.hash(token));
            assertThat(rs.next()).isFalse();
        }
        byte[] clear = token.getBytes(StandardCharsets.US_ASCII);
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.toList()) {
                assertThat(indexOf(Files.readAllBytes(f), clear)).as("the token in clear in " + f).isEqualTo(-1);
            }
        }
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
