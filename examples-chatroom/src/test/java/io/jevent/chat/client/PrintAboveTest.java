package io.jevent.chat.client;

import static io.jevent.chat.client.TestServer.PW;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import io.jevent.chat.Transport;
import io.jevent.chat.client.console.JLineConsole;
import io.jevent.chat.server.ChatServer;
import org.jline.terminal.Size;
import org.jline.terminal.impl.ExternalTerminal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * On a terminal (JLine over a virtual xterm on the test's streams): a message that arrives while the
 * person is half-way through a line is shown above the prompt, and the half-typed line survives —
 * the rest typed after it completes the same line. Also: a password typed there never reaches the
 * screen. Deterministic without sleeps: each step waits for what the terminal has drawn.
 */
@ParameterizedClass
@EnumSource(Transport.class)
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class PrintAboveTest {
    @Parameter
    Transport transport;

    @TempDir
    Path dir;

    @Test
    void incomingMessageMidLineKeepsTheTypedLine() throws Exception {
        ChatServer server = TestServer.start(transport, dir.resolve("chat.db"), 0);
        int port = TestServer.port(server);
        try (PipedClient bob = PipedClient.plain(transport, port);
             PipedClient ann = PipedClient.over(transport, port, PrintAboveTest::virtualTerminal)) {
            bob.line("/register bob").line(PW).line(PW).expect("Registered bob.");
            bob.line("/login bob").line(PW).expect("Welcome, bob!");

            // Each line is typed once its prompt is drawn, as a person would (type-ahead before a
            // password prompt would be echoed by the terminal, as a real tty does).
            ann.expect("menu> ").line("/register ann").expect("New password").line(PW)
                    .expect("Repeat the password").line(PW).expect("Registered ann.");
            ann.expect("menu> ").line("/login ann").expect("Password: ").line(PW).expect("Welcome, ann!");
            ann.expect("ann> ").line("/chat bob").expect("Private chat with bob").expect("ann to bob> ");

            ann.keys.type("hello wor");
            ann.expect("hello wor");                        // drawn: JLine holds it in its line buffer
            bob.line("/msg ann ping from bob");
            ann.expect("bob -> you: ping from bob");       // printed above ...
            ann.expect("ann to bob> hello wor");            // ... and the prompt and half line redrawn below
            ann.keys.type("ld\n");
            bob.expect("ann -> you: hello world");          // the line was kept whole

            assertThat(ann.screen.text()).as("a password is never drawn").doesNotContain(PW);
            ann.expect("ann to bob> ").line("/quit").expect("Bye.");
            assertThat(ann.awaitExit()).isZero();
        } finally {
            server.close();
        }
    }

    /**
     * An xterm whose output is written synchronously on the writing thread. (TerminalBuilder with
     * streams may pick a pty-backed terminal whose pump thread copies output later, and drops what is
     * left when the terminal closes: fine for a person, not for a test that reads the last line.)
     */
    static JLineConsole virtualTerminal(Keyboard keys, Screen screen) {
        try {
            ExternalTerminal t = new ExternalTerminal("test", "xterm", keys, screen, StandardCharsets.UTF_8);
            t.setSize(new Size(120, 40));
            return new JLineConsole(t);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
