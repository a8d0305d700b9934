package io.jevent.chat.server;

import static io.jevent.chat.server.ServerFixture.PW;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12 item 5, end to end: wrong passwords do not lock the owner out, and the guessing address
 * gets {@code ERR 429}. Tests that need a second client address
 * connect from 127.0.0.2 (loopback on Linux; skipped where it cannot be bound).
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class AuthAbuseTest {
    private static final String OTHER_ADDRESS = "127.0.0.2";

    @TempDir
    Path dir;
    ServerFixture fx;

    @AfterEach
    void stop() {
        if (fx != null) {
            fx.close();
        }
    }

    /** Item 5: the owner, from another address, logs in however many wrong passwords were sent. */
    @Test
    void wrongPasswordsFromOneAddressDoNotLockTheOwnerOutFromAnother() throws Exception {
        assumeTrue(canBind(OTHER_ADDRESS), OTHER_ADDRESS + " is not a local address here");
        fx = ServerFixture.start(dir);   // the production LOGIN limits
        ChatClient owner = fx.track(ChatClient.connectFrom(fx.address(), OTHER_ADDRESS));
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

    private static boolean canBind(String host) {
        try (Socket s = new Socket()) {
            s.bind(new InetSocketAddress(host, 0));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
