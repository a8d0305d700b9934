package io.jevent.chat.client;

import static io.jevent.chat.client.TestServer.PW;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;

import io.jevent.chat.Transport;
import io.jevent.chat.server.ChatServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The server goes away and comes back: the client says so, reconnects by itself, and logs in again
 * with the resume token of its LOGIN, asking for the password only if that fails.
 */
@ParameterizedClass
@EnumSource(Transport.class)
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ReconnectTest {
    @Parameter
    Transport transport;

    @TempDir
    Path dir;

    @Test
    void afterAServerRestartTheClientLogsBackInWithoutAskingForThePassword() throws Exception {
        Path db = dir.resolve("chat.db");
        ChatServer first = TestServer.start(transport, db, 0);
        int port = TestServer.port(first);
        ChatServer second = null;
        try (PipedClient ann = PipedClient.plain(transport, port)) {
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

            second = TestServer.start(transport, db, port);   // same port, same database: "the server came back"
            ann.expect("Reconnected to 127.0.0.1:" + port + ". Logging in again as ann ...")
                    .expect("Welcome back, ann!").expect("Back in the group chat.");
            ann.line("after the restart").line("/history 2")
                    .expect("] ann: before the restart").expect("] ann: after the restart");
            assertThat(ann.screen.text()).as("no question, no password").doesNotContain("Log in again as")
                    .doesNotContain("Password for").doesNotContain(PW).doesNotContain("] ann: lost words");
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
    void afterAPasswordChangeTheClientLogsBackInWithTheNewToken() throws Exception {
        Path db = dir.resolve("chat.db");
        ChatServer first = TestServer.start(transport, db, 0);
        int port = TestServer.port(first);
        ChatServer second = null;
        try (PipedClient ann = PipedClient.plain(transport, port)) {
            ann.expect("Connected to");
            ann.line("/register ann").line(PW).line(PW).expect("Registered ann.");
            ann.line("/login ann").line(PW).expect("Welcome, ann!");
            // The change revokes the token of the LOGIN; the client must keep the one the change gave.
            ann.line("/password").line(PW).line("new-password-2").line("new-password-2").expect("Password changed.");

            first.close();
            ann.expect("Lost the connection to the server (server shutting down). Reconnecting in");
            second = TestServer.start(transport, db, port);
            ann.expect("Reconnected to 127.0.0.1:" + port + ". Logging in again as ann ...").expect("Welcome back, ann!");
            assertThat(ann.screen.text()).as("no question, no password").doesNotContain("Log in again as")
                    .doesNotContain("no longer valid");
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
    void whenTheTokenIsNoLongerValidTheClientAsksForThePassword() throws Exception {
        Path db = dir.resolve("chat.db");
        ChatServer first = TestServer.start(transport, db, 0);
        int port = TestServer.port(first);
        ChatServer second = null;
        try (PipedClient ann = PipedClient.plain(transport, port)) {
            ann.expect("Connected to");
            ann.line("/register ann").line(PW).line(PW).expect("Registered ann.");
            ann.line("/login ann").line(PW).expect("Welcome, ann!");
            ann.line("3").expect("Group chat").line("before the restart");
            ann.line("/history 1").expect("] ann: before the restart");

            first.close();
            ann.expect("Lost the connection to the server (server shutting down). Reconnecting in");
            forgetResumeTokens(db);   // as if it had expired while the server was down

            second = TestServer.start(transport, db, port);
            ann.expect("Reconnected to 127.0.0.1:" + port).expect("The saved login of ann is no longer valid.");
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
        ChatServer first = TestServer.start(transport, db, 0);
        int port = TestServer.port(first);
        ChatServer second = null;
        try (PipedClient bob = PipedClient.plain(transport, port)) {
            bob.expect("Connected to");
            bob.line("/register bob").line(PW).line(PW).expect("Registered bob.");
            bob.line("/login bob").line(PW).expect("Welcome, bob!");
            first.close();
            bob.expect("Lost the connection");
            forgetResumeTokens(db);
            second = TestServer.start(transport, db, port);
            bob.expect("Reconnected").expect("no longer valid").line("n").expect("Log in again as bob? [Y/n] n").expect(Texts.MENU_OUT);
            bob.line("/who").expect("You are not logged in");
        } finally {
            first.close();
            if (second != null) {
                second.close();
            }
        }
    }

    @Test
    void aSessionTakenOverElsewhereIsNotTakenBack() throws Exception {
        ChatServer server = TestServer.start(transport, dir.resolve("chat.db"), 0);
        int port = TestServer.port(server);
        try (PipedClient here = PipedClient.plain(transport, port); PipedClient there = PipedClient.plain(transport, port)) {
            here.expect("Connected to");
            here.line("/register ann").line(PW).line(PW).expect("Registered ann.");
            here.line("/login ann").line(PW).expect("Welcome, ann!");
            there.expect("Connected to");
            there.line("/login ann").line(PW).expect("Welcome, ann!");

            here.expect("Your session was taken over: ann logged in from another window or device.")
                    .expect("You are logged out here (ann is logged in elsewhere).")
                    .expect("Reconnected to 127.0.0.1:" + port).expect(Texts.MENU_OUT);
            here.line("/who").expect("You are not logged in");
            assertThat(here.screen.text()).doesNotContain("Log in again as").doesNotContain("Logging in again");
            there.line("/who").expect("Online (1): ann (you)");
        } finally {
            server.close();
        }
    }

    /**
     * On a terminal, the person is half-way through a chat line when the connection is lost and the
     * client, back online with no valid token, asks "Log in again as ann? [Y/n]". The Enter that ends
     * that chat line is not the answer: the question is asked again on a fresh line.
     */
    @Test
    void aHalfTypedChatLineIsNeverTheAnswerToAQuestion() throws Exception {
        Path db = dir.resolve("chat.db");
        ChatServer first = TestServer.start(transport, db, 0);
        int port = TestServer.port(first);
        ChatServer second = null;
        try (PipedClient ann = PipedClient.over(transport, port, PrintAboveTest::virtualTerminal)) {
            ann.expect("menu> ").line("/register ann").expect("New password").line(PW)
                    .expect("Repeat the password").line(PW).expect("Registered ann.");
            ann.expect("menu> ").line("/login ann").expect("Password: ").line(PW).expect("Welcome, ann!");
            ann.expect("ann> ").line("/group").expect("ann to all> ");
            ann.keys.type("yes");   // answering a friend; not sent yet
            ann.expect("yes");

            first.close();
            ann.expect("Lost the connection");
            forgetResumeTokens(db);
            second = TestServer.start(transport, db, port);
            ann.expect("no longer valid").expect("Log in again as ann? [Y/n] yes");
            ann.keys.type("\n");
            ann.expect("That line was typed before the question, so it is not the answer");
            ann.expect("Log in again as ann? [Y/n] ");
            assertThat(ann.screen.text()).doesNotContain("Password for ann");
            ann.keys.type("n\n");
            ann.expect(Texts.MENU_OUT.lines().findFirst().orElseThrow());
            assertThat(ann.screen.text()).doesNotContain("Password for ann");
        } finally {
            first.close();
            if (second != null) {
                second.close();
            }
        }
    }

    /** Deletes every stored resume token, as expiry or a revocation would, with the server down. */
    private static void forgetResumeTokens(Path db) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
             Statement st = c.createStatement()) {
            st.executeUpdate("DELETE FROM resume_tokens");
        }
    }

    @Test
    void aHostThatDoesNotResolveIsSaidInWords() throws Exception {
        ClientOptions options = PipedClient.options(transport, 7777).withRetry(java.time.Duration.ofSeconds(30),
                java.time.Duration.ofSeconds(30));
        try (PipedClient client = PipedClient.plain(new ClientOptions("no.such.host", 7777, options.zone(),
                options.firstRetry(), options.maxRetry(), options.quitTimeout(), options.tls()))) {
            client.expect("Cannot reach the chat server at no.such.host:7777: cannot resolve host no.such.host.");
            assertThat(client.screen.text()).doesNotContain("null");
        }
    }
}
