package io.jevent.chat.client;

import static io.jevent.chat.client.TestServer.PW;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.regex.Pattern;

import io.jevent.chat.Transport;
import io.jevent.chat.server.ChatServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The client as a script drives it through a pipe (no terminal), against a real in-process server:
 * every menu item and slash command a person uses, checked on what the client prints.
 */
@ParameterizedClass
@EnumSource(Transport.class)
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class PipedSessionTest {
    @Parameter
    Transport transport;

    @TempDir
    Path dir;
    ChatServer server;

    @BeforeEach
    void startServer() throws Exception {
        server = TestServer.start(transport, dir.resolve("chat.db"), 0);
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    private int port() {
        return TestServer.port(server);
    }

    @Test
    void aTooShortPasswordIsRefusedBeforeItIsRepeated() throws Exception {
        try (PipedClient ann = PipedClient.plain(transport, port())) {
            ann.expect("Connected to").expect(Texts.MENU_OUT);
            ann.line("/register ann").line("short")
                    .expect("That password is too short: at least 8 characters. Choose another one.");
            ann.line(PW).line(PW).expect("Repeat the password:").expect("Registered ann.");
            String shown = ann.screen.text();
            String refused = shown.substring(0, shown.indexOf("That password is too short"));
            assertThat(refused).as("refused at once, not after typing it twice").doesNotContain("Repeat the password");
        }
    }

    @Test
    void passwordAsksForTheCurrentAndTheNewPasswordWithoutShowingThem() throws Exception {
        String newPw = "new-password-2";
        try (PipedClient ann = PipedClient.plain(transport, port())) {
            ann.expect("Connected to").expect(Texts.MENU_OUT);
            ann.line("/register ann").line(PW).line(PW).expect("Registered ann.");
            ann.line("/login ann").line(PW).expect("Welcome, ann!");

            ann.line("/password").line("not-my-password").line(newPw).line(newPw)
                    .expect("That is not your current password, so the password was not changed.");
            ann.line("/password").line(PW).line("short")
                    .expect("That password is too short: at least 8 characters. Choose another one.");
            ann.line(newPw).line("typo-" + newPw).expect("The two new passwords differ. Choose the new password again.");
            ann.line(newPw).line(newPw).expect("Repeat the new password:")
                    .expect("Password changed. Anywhere else you are logged in, log in again with the new password.");
            ann.line("/password").line("").expect("Current password (Enter cancels):").expect("Cancelled.");

            ann.line("/logout").expect("Logged out.");
            ann.line("/login ann").line(PW).expect("Wrong name or password.");
            ann.line("/login ann").line(newPw).expect("Welcome, ann!");
            assertThat(ann.screen.text()).as("passwords are never shown").doesNotContain(PW).doesNotContain(newPw);
            ann.line("/quit").expect("Bye.");
        }
    }

    @Test
    void everyMenuItemBetweenTwoPeople() throws Exception {
        try (PipedClient ann = PipedClient.plain(transport, port()); PipedClient bob = PipedClient.plain(transport, port())) {
            ann.expect("Connected to 127.0.0.1:" + port()).expect(Texts.MENU_OUT);
            bob.expect("Connected to").expect(Texts.MENU_OUT);

            // Logged out: 3 Help, 1 Register (and its errors), 2 Log in (and its errors).
            ann.line("3").expect("/history [n] [name]").expect(Texts.MENU_OUT);
            ann.line("1").line("ann").expect("New name: ann").line(PW).line("different1")
                    .expect("The two passwords differ").line(PW).line(PW).expect("Registered ann.");
            ann.line("1").line("Ann").line(PW).line(PW).expect("That name is already taken");
            ann.line("1").line("ann*").line(PW).line(PW).expect("Names are 1 to 32 characters");
            ann.line("2").line("ann").line("wrong-password").expect("Wrong name or password");
            ann.line("/who").expect("You are not logged in. Log in first");
            ann.line("2").line("ann").expect("Name: ann").line(PW).expect("Welcome, ann!").expect(Texts.MENU_IN);
            assertThat(ann.screen.text()).as("passwords are never printed").doesNotContain(PW);

            // Slash commands work for people who prefer them.
            bob.line("/register bob").line(PW).line(PW).expect("Registered bob.");
            bob.line("/login bob").line(PW).expect("Welcome, bob!");
            ann.expect("* bob is online");

            // 1 Who is online.
            ann.line("1").expect("Online (2): ann (you), bob").expect(Texts.MENU_IN);

            // 2 Private chat: partner chosen from the online list, every line a message until /back.
            ann.line("2").expect("Online (2)").line("bob").expect("Chat with (a name; Enter for the menu): bob")
                    .expect("Private chat with bob").line("hi bob").line("how are you?");
            Pattern fromAnn = Pattern.compile("\\[\\d\\d:\\d\\d] ann -> you: hi bob");
            bob.screen.expectMatch(fromAnn);
            bob.expect("ann -> you: how are you?");
            bob.line("/msg ann fine,   thanks");
            ann.expect("bob -> you: fine,   thanks");   // arrives while ann is in the chat; text verbatim
            ann.line("//slash is text").line("/back").expect(Texts.MENU_IN);
            bob.expect("ann -> you: /slash is text");

            // 3 Group chat.
            ann.line("3").expect("Group chat").line("hello everyone");
            bob.expect("] ann: hello everyone");
            bob.line("/say hi all");
            ann.expect("] bob: hi all").line("/back").expect(Texts.MENU_IN);

            // 4 History: everything ann may see, oldest first; /history with a count and a name.
            ann.line("4").line("").expect("ann -> bob: hi bob").expect("ann -> bob: how are you?")
                    .expect("bob -> ann: fine,   thanks").expect("ann -> bob: /slash is text")
                    .expect("ann: hello everyone").expect("bob: hi all").expect(Texts.MENU_IN);
            ann.line("/history 2 bob").expect("bob -> ann: fine,   thanks").expect("ann -> bob: /slash is text");
            ann.line("/history 1 nobody").expect("There is no user called 'nobody'");

            // 0 Log out: the other side sees it; messages to someone offline are kept for them.
            bob.line("0").expect("Logged out. Goodbye, bob.").expect(Texts.MENU_OUT);
            ann.expect("* bob went offline");
            ann.line("/msg bob are you there?").expect("(bob is offline and gets it at their next login.)");
            bob.line("2").line("bob").line(PW).expect("Welcome, bob!").expect("ann -> you: are you there?");

            // Errors in plain words; then log out and exit through the menus.
            ann.line("/msg nobody hi").expect("There is no user called 'nobody'");
            ann.line("/dance").expect("Unknown command /dance");
            ann.line("0").expect("Logged out").expect(Texts.MENU_OUT).line("0").expect("Bye.");
            assertThat(ann.awaitExit()).isZero();
            bob.expect("* ann went offline");
            bob.keys.close();   // end of the pipe: the client quits
            bob.expect("Bye.");
            assertThat(bob.awaitExit()).isZero();
        }
    }

    @Test
    void aServerThatIsNotThereYetIsWaitedFor() throws Exception {
        Path other = dir.resolve("later.db");
        int port;
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0)) {
            port = probe.getLocalPort();   // free now; nobody listens there once the probe closes
        }
        try (PipedClient c = PipedClient.plain(transport, port)) {
            c.expect("Cannot reach the chat server at 127.0.0.1:" + port).expect("java -jar")
                    .expect(Texts.MENU_OUT);
            c.line("2").expect("Not connected to the server, so nothing was sent");
            ChatServer late = TestServer.start(transport, other, port);
            try {
                c.expect("Connected to 127.0.0.1:" + port);
                c.line("1").line("carol").expect("New name: carol").line(PW).line(PW).expect("Registered carol.");
                c.line("/quit").expect("Bye.");
                assertThat(c.awaitExit()).isZero();
            } finally {
                late.close();
            }
        }
    }
}
