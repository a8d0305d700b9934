package io.jevent.chat.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import io.jevent.chat.Transport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** Hostile or broken input gets a clear error, and never disturbs anybody else. */
@ParameterizedClass
@EnumSource(Transport.class)
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class BadInputTest {
    @Parameter
    Transport transport;

    @TempDir
    Path dir;
    ServerFixture fx;
    ChatClient bystander;

    @BeforeEach
    void start() throws Exception {
        fx = ServerFixture.start(transport, dir, c -> c.withIdleTimeout(Duration.ofSeconds(1)));
        bystander = fx.user("bystander");
    }

    @AfterEach
    void stop() {
        // Whatever the test did, a logged-in user in another connection was not disturbed.
        assertThat(bystander.call("PING")).isEqualTo("OK pong");
        assertThat(bystander.call("SAY still here")).matches("OK sent \\d+");
        fx.close();
    }

    @Test
    void aMebibyteWithoutNewlineIsRefusedOnceAndSkipped() {
        ChatClient c = fx.client();
        byte[] chunk = new byte[64 * 1024];
        Arrays.fill(chunk, (byte) 'x');
        for (int i = 0; i < 16; i++) {
            c.sendRaw(chunk);   // arrives over many reads; the server keeps none of it
        }
        c.sendRaw("\nPING\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(c.readLine()).isEqualTo("ERR 413 line too long");
        assertThat(c.readLine()).as("the rest of that line was discarded, the next is served").isEqualTo("OK pong");
    }

    @Test
    void lineLimitIs4096BytesWithoutTheTerminator() {
        ChatClient c = fx.user("ann");
        String text = "é".repeat(2046);   // 4092 bytes; "SAY " makes 4096
        assertThat(c.call("SAY " + text)).matches("OK sent \\d+");
        c.sendRaw(("SAY " + text + "\r\n").getBytes(StandardCharsets.UTF_8));
        assertThat(c.readReply()).singleElement().asString().matches("OK sent \\d+");
        assertThat(c.call("SAY " + text + "x")).isEqualTo("ERR 413 line too long");
        assertThat(c.call("PING")).isEqualTo("OK pong");
    }

    @Test
    void invalidUtf8AndControlCharactersAreRefusedPerLine() {
        ChatClient c = fx.user("ann");
        c.sendRaw(new byte[] {'S', 'A', 'Y', ' ', (byte) 0xC0, (byte) 0xAF, '\n'});          // overlong '/'
        assertThat(c.readLine()).isEqualTo("ERR 400 invalid utf-8");
        c.sendRaw(new byte[] {'S', 'A', 'Y', ' ', (byte) 0xED, (byte) 0xA0, (byte) 0x80, '\n'}); // surrogate
        assertThat(c.readLine()).isEqualTo("ERR 400 invalid utf-8");
        c.sendRaw(new byte[] {'S', 'A', 'Y', ' ', 'a', 0, 'b', '\n'});
        assertThat(c.readLine()).isEqualTo("ERR 400 control characters are not allowed");
        c.sendRaw(new byte[] {0, 0, 0, '\n'});
        assertThat(c.readLine()).isEqualTo("ERR 400 control characters are not allowed");
        c.sendRaw("SAY a\rb\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(c.readLine()).isEqualTo("ERR 400 control characters are not allowed");
        c.sendRaw("SAY a\u001b[2Jb\n".getBytes(StandardCharsets.UTF_8));
        assertThat(c.readLine()).isEqualTo("ERR 400 control characters are not allowed");
        assertThat(c.call("HISTORY")).as("nothing was stored").isEqualTo("OK 0");
    }

    /** One CR before the LF ends a line; a second CR is content, and refused. */
    @Test
    void doubledCrBeforeLfIsRefusedLikeAnyControlCharacter() {
        ChatClient c = fx.user("ann");
        c.sendRaw("PING\r\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(c.readLine()).as("CRLF is a terminator").isEqualTo("OK pong");
        c.sendRaw("PING\r\r\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(c.readLine()).isEqualTo("ERR 400 control characters are not allowed");
        c.sendRaw("SAY abc\r\r\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(c.readLine()).isEqualTo("ERR 400 control characters are not allowed");
        c.sendRaw("SAY abc\r\r\r\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(c.readLine()).as("as three CRs always were").isEqualTo("ERR 400 control characters are not allowed");
        assertThat(c.call("HISTORY")).as("nothing was stored").isEqualTo("OK 0");
    }

    @Test
    void fiveHundredConnectionsDroppedMidLine() throws Exception {
        List<ChatClient> dropped = new ArrayList<>();
        for (int round = 0; round < 5; round++) {
            for (int i = 0; i < 100; i++) {
                ChatClient c = ChatClient.connectRaw(fx.transport, fx.address(), 0);
                c.sendRaw(("REGISTER user" + i + " passw").getBytes(StandardCharsets.US_ASCII));   // no newline
                dropped.add(c);
            }
            for (ChatClient c : dropped) {
                c.close();
            }
            dropped.clear();
            assertThat(bystander.call("PING")).isEqualTo("OK pong");
        }
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20))
                .until(() -> fx.server.stats().open() == 1);
        assertThat(fx.server.stats().accepted()).isEqualTo(501);
        assertThat(fx.client().call("REGISTER user1 password1")).as("no half-done registration").isEqualTo("OK registered");
    }

    @Test
    void connectionsThatNeverLogInAreClosedAfterTheIdleTimeout() {
        ChatClient idle = fx.client();
        assertThat(idle.call("PING")).isEqualTo("OK pong");
        assertThat(idle.readLine()).isEqualTo("BYE idle timeout");
        assertThat(idle.readLine()).isNull();
        // The bystander logged in before the idle client connected: it would have timed out first.
        assertThat(bystander.call("PING")).isEqualTo("OK pong");
    }

    @Test
    void aClientThatHalfClosesGetsEveryReply() throws Exception {
        ChatClient c = fx.client();
        c.sendRaw("PING\nREGISTER zed password1\nPING\n".getBytes(StandardCharsets.US_ASCII));
        c.socket.shutdownOutput();
        assertThat(c.readToEnd()).containsExactly("OK pong", "OK registered", "OK pong");
    }
}
