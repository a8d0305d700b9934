package io.jevent.chat.client;

import static io.jevent.chat.client.TestServer.PW;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import io.jevent.chat.server.ChatServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The server goes away and comes back: the client says so, reconnects by itself, and logs in again. */
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ReconnectTest {
    @TempDir
    Path dir;

    @Test
    void serverRestartIsReportedAndTheClientReconnectsAndLogsInAgain() throws Exception {
        Path db = dir.resolve("chat.db");
        ChatServer first = TestServer.start(db, 0);
        int port = first.address().getPort();
        ChatServer second = null;
        try (PipedClient ann = PipedClient.plain(port)) {
            ann.expect("Connected to");
            ann.line("/register ann").line(PW).line(PW).expect("Registered ann.");
            ann.line("/login ann").line(PW).expect("Welcome, ann!");
            ann.line("3").expect("Group chat").line("before the restart");
            ann.line("/history 1").expect("] ann: before the restart");   // committed before the restart

            first.close();   // graceful: BYE, then the connection closes
            ann.expect("The server is closing the connection: server shutting down.")
                    .expect("Lost the connection to the server (server shutting down). Reconnecting in");
            // Typed while offline: refused in words, never silently dropped.
            ann.line("lost words").expect("(offline)> lost words").expect("Not connected, so that was not sent.");

            second = TestServer.start(db, port);   // same port, same database: "the server came back"
            ann.expect("Reconnected to 127.0.0.1:" + port);
            ann.line("y").expect("Log in again as ann? [Y/n] y");
            ann.line(PW).expect("Password for ann:").expect("Welcome back, ann!");
            ann.line("4").line("").expect("] ann: before the restart").expect(Texts.MENU_IN);
            assertThat(ann.screen.text()).as("refused offline, so not in history").doesNotContain("] ann: lost words")
                    .doesNotContain(PW);
            ann.line("/quit").expect("Bye.");
            assertThat(ann.awaitExit()).isZero();
        } finally {
            first.close();
            if (second != null) {
                second.close();
            }
        }
    }

    @Test
    void declinedReloginLeavesTheMenu() throws Exception {
        Path db = dir.resolve("chat.db");
        ChatServer first = TestServer.start(db, 0);
        int port = first.address().getPort();
        ChatServer second = null;
        try (PipedClient bob = PipedClient.plain(port)) {
            bob.expect("Connected to");
            bob.line("/register bob").line(PW).line(PW).expect("Registered bob.");
            bob.line("/login bob").line(PW).expect("Welcome, bob!");
            first.close();
            bob.expect("Lost the connection");
            second = TestServer.start(db, port);
            bob.expect("Reconnected").line("n").expect("Log in again as bob? [Y/n] n").expect(Texts.MENU_OUT);
            bob.line("/who").expect("You are not logged in");
        } finally {
            first.close();
            if (second != null) {
                second.close();
            }
        }
    }

    @Test
    void aHostThatDoesNotResolveIsSaidInWords() throws Exception {
        ClientOptions options = PipedClient.options(7777).withRetry(java.time.Duration.ofSeconds(30),
                java.time.Duration.ofSeconds(30));
        try (PipedClient client = PipedClient.plain(new ClientOptions("no.such.host", 7777, options.zone(),
                options.firstRetry(), options.maxRetry(), options.quitTimeout()))) {
            client.expect("Cannot reach the chat server at no.such.host:7777: cannot resolve host no.such.host.");
            assertThat(client.screen.text()).doesNotContain("null");
        }
    }
}
