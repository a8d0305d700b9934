package io.jevent.chat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;

import io.jevent.chat.auth.AuthLimits;
import io.jevent.chat.auth.RateLimit;
import io.jevent.chat.server.ChatServer;
import io.jevent.chat.server.ServerConfig;
import io.jevent.testing.CapturedLog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The attempt limits and the resume token policy are server options: what the operator types is
 * what the server enforces.
 */
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class AuthLimitOptionsTest {
    private static final String PW = "password1";

    @TempDir
    Path dir;

    /** The options parsed as {@code chatroom server} parses them, then validated, then the config. */
    private ServerConfig configOf(String... args) {
        ServerCommand command = new ServerCommand();
        new CommandLine(command).parseArgs(args);
        return command.config(command.validate(), dir.resolve("chat.db"));
    }

    @Test
    void everyLimitOptionLandsInTheServersSettings() {
        ServerConfig config = configOf("--login-attempts-per-name=7", "--login-attempts-per-address=70",
                "--registrations-per-address=3", "--registrations-per-minute=30",
                "--resume-token-ttl=90", "--resume-tokens-per-user=2");
        assertThat(config.authLimits()).isEqualTo(new AuthLimits(
                RateLimit.of(7, Duration.ofMinutes(1)), RateLimit.of(70, Duration.ofMinutes(1)),
                RateLimit.of(3, Duration.ofMinutes(10)), RateLimit.of(30, Duration.ofMinutes(1)),
                Duration.ofSeconds(90), 2));
        assertThat(configOf().authLimits()).as("no options: the production limits").isEqualTo(AuthLimits.defaults());
    }

    @Test
    void theServerStartedFromTheOptionsKeepsOnlyThatManyTokensPerUser() throws Exception {
        ServerConfig config = configOf("--port=0", "--pbkdf2-iterations=1000", "--resume-tokens-per-user=1")
                .withSignals(false);
        try (CapturedLog quiet = CapturedLog.of("io.jevent"); ChatServer server = ChatServer.start(config);
             Line c = new Line(server.address())) {
            assertThat(c.call("REGISTER ann " + PW)).containsExactly("OK registered");
            String first = token(c.call("LOGIN ann " + PW));
            assertThat(c.call("QUIT")).containsExactly("OK bye");   // keeps the token
            try (Line d = new Line(server.address())) {
                String second = token(d.call("LOGIN ann " + PW));   // one token per user: the first is gone
                assertThat(d.call("QUIT")).containsExactly("OK bye");
                try (Line e = new Line(server.address())) {
                    assertThat(e.call("RESUME ann " + first)).containsExactly("ERR 401 bad credentials");
                    assertThat(e.call("RESUME ann " + second)).containsExactly("OK welcome ann");
                }
            }
            assertThat(quiet.records(Level.WARNING)).as("the per-connection INFO lines only").isEmpty();
        }
    }

    private static String token(List<String> loginReply) {
        assertThat(loginReply).hasSize(2);
        assertThat(loginReply.get(1)).isEqualTo("OK welcome ann");
        return loginReply.get(0).substring("TOKEN ".length());
    }

    /** A protocol connection that reads the greeting, then one reply block per call. */
    private static final class Line implements AutoCloseable {
        private final Socket socket = new Socket();
        private final BufferedReader in;
        private final Writer out;

        Line(InetSocketAddress address) throws Exception {
            socket.connect(address, 10_000);
            socket.setSoTimeout(10_000);
            in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            out = new OutputStreamWriter(socket.getOutputStream(), StandardCharsets.UTF_8);
            assertThat(in.readLine()).startsWith("HELLO ");
        }

        List<String> call(String line) throws Exception {
            out.write(line + "\n");
            out.flush();
            List<String> block = new ArrayList<>();
            while (true) {
                String l = in.readLine();
                assertThat(l).as("reply to " + line + " after " + block).isNotNull();
                if (l.startsWith("JOIN ") || l.startsWith("PART ")) {
                    continue;
                }
                block.add(l);
                if (l.startsWith("OK") || l.startsWith("ERR ")) {
                    return block;
                }
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
