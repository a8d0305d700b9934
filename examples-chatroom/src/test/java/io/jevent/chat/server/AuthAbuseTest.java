package io.jevent.chat.server;

import static io.jevent.chat.server.ServerFixture.PW;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import io.jevent.chat.Transport;
import io.jevent.chat.auth.AuthLimits;
import io.jevent.chat.auth.RateLimit;
import io.jevent.chat.server.HashingPool.Priority;

/**
 * A REGISTER flood does not deny LOGIN, wrong passwords do not
 * lock the owner out, and both floods get {@code ERR 429}. Tests that need a second client address
 * connect from 127.0.0.2 (loopback on Linux; skipped where it cannot be bound).
 */
@ParameterizedClass
@EnumSource(Transport.class)
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class AuthAbuseTest {
    @Parameter
    Transport transport;

    private static final String OTHER_ADDRESS = "127.0.0.2";

    @TempDir
    Path dir;
    ServerFixture fx;
    private final CountDownLatch releaseWorkers = new CountDownLatch(1);

    @AfterEach
    void stop() {
        releaseWorkers.countDown();
        if (fx != null) {
            fx.close();
        }
    }

    /** The owner, from another address, logs in however many wrong passwords were sent. */
    @Test
    void wrongPasswordsFromOneAddressDoNotLockTheOwnerOutFromAnother() throws Exception {
        assumeTrue(canBind(OTHER_ADDRESS), OTHER_ADDRESS + " is not a local address here");
        fx = ServerFixture.start(transport, dir);   // the production LOGIN limits
        ChatClient owner = fx.from(OTHER_ADDRESS);
        assertThat(owner.call("REGISTER ann " + PW)).isEqualTo("OK registered");

        ChatClient attacker = fx.client();
        for (int i = 0; i < 5; i++) {
            assertThat(attacker.call("LOGIN ann wrongpass" + i)).isEqualTo("ERR 401 bad credentials");
        }
        assertThat(attacker.call("LOGIN ann wrongpass5")).as("the guessing address is throttled")
                .isEqualTo("ERR 429 too many attempts");
        assertThat(fx.client().call("LOGIN ann wrongpass6")).as("on any connection from it")
                .isEqualTo("ERR 429 too many attempts");

        assertThat(owner.call("LOGIN ann " + PW)).as("the owner is not locked out").isEqualTo("OK welcome ann");
    }

    /**
     * With every background (REGISTER) share of the hashing workers held, and twenty
     * REGISTERs queued, a LOGIN sent after them is answered first.
     */
    @Test
    void loginIsServedWhileRegistrationsFloodTheHashingWorkers() throws Exception {
        fx = ServerFixture.start(transport, dir, c -> c.withThreads(1, 2));
        ChatClient owner = fx.client();
        assertThat(owner.call("REGISTER ann " + PW)).isEqualTo("OK registered");

        HashingPool pool = fx.server.hashing();
        CountDownLatch holding = new CountDownLatch(1);
        for (int i = 0; i < 2; i++) {   // a FIFO pool would give both workers to these
            pool.execute(Priority.BACKGROUND, () -> {
                holding.countDown();
                awaitQuietly(releaseWorkers);
            });
        }
        assertThat(holding.await(10, TimeUnit.SECONDS)).isTrue();
        List<ChatClient> flood = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            flood.add(fx.client().send("REGISTER flood" + i + " " + PW));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> pool.queued(Priority.BACKGROUND) == 1 + 20);

        assertThat(owner.call("LOGIN ann " + PW)).isEqualTo("OK welcome ann");
        assertThat(pool.queued(Priority.BACKGROUND)).as("every REGISTER still waits").isEqualTo(21);

        releaseWorkers.countDown();
        for (ChatClient c : flood) {
            assertThat(c.readReply()).containsExactly("OK registered");
        }
    }

    /** REGISTER is limited per address, then for the whole server, with a clear ERR 429. */
    @Test
    void registerIsRateLimitedPerAddressAndOverall() throws Exception {
        assumeTrue(canBind(OTHER_ADDRESS), OTHER_ADDRESS + " is not a local address here");
        AuthLimits limits = AuthLimits.defaults()
                .withRegister(RateLimit.of(3, Duration.ofMinutes(10)), RateLimit.of(5, Duration.ofMinutes(1)));
        fx = ServerFixture.startWithLimits(transport, dir, limits, c -> c);
        ChatClient first = fx.client();
        for (int i = 0; i < 3; i++) {
            assertThat(first.call("REGISTER a" + i + " " + PW)).isEqualTo("OK registered");
        }
        assertThat(first.call("REGISTER a3 " + PW))
                .isEqualTo("ERR 429 too many registrations from this address, try again later");

        ChatClient second = fx.from(OTHER_ADDRESS);
        for (int i = 0; i < 2; i++) {
            assertThat(second.call("REGISTER b" + i + " " + PW)).isEqualTo("OK registered");
        }
        assertThat(second.call("REGISTER b2 " + PW)).isEqualTo("ERR 429 too many registrations, try again later");

        assertThat(first.call("LOGIN a0 " + PW)).as("LOGIN is not limited by REGISTER").isEqualTo("OK welcome a0");
    }

    private static boolean canBind(String host) {
        try (Socket s = new Socket()) {
            s.bind(new InetSocketAddress(host, 0));
            return true;
        } catch (IOException e) {
            return false;
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
