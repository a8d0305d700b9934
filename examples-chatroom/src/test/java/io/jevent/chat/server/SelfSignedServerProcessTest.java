package io.jevent.chat.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.net.ssl.SSLSocket;

import io.jevent.chat.tls.ServerIdentity;
import io.jevent.chat.tls.ServerTrust;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code chatroom server --tls-self-signed} as a person runs it: the first start makes the
 * certificate next to the database and prints its fingerprint, a client pinned to that printed
 * fingerprint talks to it, and the next start reuses the same certificate.
 */
@Timeout(value = 90, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SelfSignedServerProcessTest {
    private static final Pattern FINGERPRINT =
            Pattern.compile("TLS certificate SHA-256 fingerprint ([0-9A-F:]{95}) \\(self-signed, (made now in|from) (.+)\\)");

    @TempDir
    Path dir;

    @Test
    void theCertificateIsMadeOnFirstStartPrintedAndReusedOnTheNext() throws Exception {
        Path db = dir.resolve("chat.db");
        Path store = dir.resolve(ServerIdentity.SELF_SIGNED_STORE).toAbsolutePath();
        String fingerprint;
        try (ChildServer first = ChildServer.start(db, "--tls-self-signed", "--tls-port", "0")) {
            assertThat(first.startLine).contains(" (plain text) and ").contains(" (TLS), database ");
            Matcher m = FINGERPRINT.matcher(first.readLine());
            assertThat(m.matches()).isTrue();
            assertThat(m.group(2)).isEqualTo("made now in");
            assertThat(Path.of(m.group(3))).isEqualTo(store);
            fingerprint = m.group(1);
            assertThat(greetingOver(first.tlsAddress, fingerprint)).isEqualTo("HELLO jevent-chat 1");
        }
        try (ChildServer again = ChildServer.start(db, "--tls-self-signed", "--tls-port", "0")) {
            Matcher m = FINGERPRINT.matcher(again.readLine());
            assertThat(m.matches()).isTrue();
            assertThat(m.group(2)).isEqualTo("from");
            assertThat(m.group(1)).as("the same certificate: pinned clients still connect").isEqualTo(fingerprint);
            assertThat(greetingOver(again.tlsAddress, fingerprint)).isEqualTo("HELLO jevent-chat 1");
        }
    }

    /** Connects with TLS trusting only {@code fingerprint}, as {@code client --tls --fingerprint}, and reads a line. */
    private static String greetingOver(InetSocketAddress at, String fingerprint) throws Exception {
        Socket tcp = new Socket();
        tcp.connect(at, 10_000);
        tcp.setSoTimeout(10_000);
        try (SSLSocket tls = (SSLSocket) ServerTrust.pinned(fingerprint).context("127.0.0.1", at.getPort())
                .getSocketFactory().createSocket(tcp, "127.0.0.1", at.getPort(), true)) {
            tls.startHandshake();
            String greeting = new BufferedReader(new InputStreamReader(tls.getInputStream(), StandardCharsets.UTF_8))
                    .readLine();
            OutputStream out = tls.getOutputStream();
            out.write("QUIT\n".getBytes(StandardCharsets.UTF_8));
            out.flush();
            return greeting;
        }
    }
}
