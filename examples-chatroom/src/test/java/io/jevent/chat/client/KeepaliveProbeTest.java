package io.jevent.chat.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The server drops a logged-in connection that stays silent after a {@code PING}
 * probe, so the terminal client answers every probe, and shows the person nothing of it. The server
 * here is the test itself on a plain socket, so each step is an exchange of lines, not a wait.
 */
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class KeepaliveProbeTest {

    @Test
    void theClientAnswersProbesWithoutShowingThem() throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             PipedClient ann = PipedClient.plain(listener.getLocalPort())) {
            listener.setSoTimeout(10_000);
            try (Socket s = listener.accept()) {
                s.setSoTimeout(10_000);
                BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
                OutputStream out = s.getOutputStream();
                send(out, "HELLO jevent-chat 1");
                ann.expect("Connected to").expect(Texts.MENU_OUT);

                for (int probe = 0; probe < 2; probe++) {
                    send(out, "PING");
                    assertThat(in.readLine()).as("answer to probe " + probe).isEqualTo("PING");
                    send(out, "OK pong");
                }
                send(out, "JOIN zed");   // an event that is shown: everything before it was handled
                ann.expect("* zed is online");
                assertThat(ann.screen.text()).doesNotContain("PING").doesNotContain("pong").doesNotContain("(server:");

                ann.keys.close();   // the person quits: the client says QUIT and waits for the goodbye
                assertThat(in.readLine()).isEqualTo("QUIT");
                send(out, "OK bye");
                assertThat(ann.awaitExit()).isZero();
            }
        }
    }

    private static void send(OutputStream out, String line) throws Exception {
        out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }
}
