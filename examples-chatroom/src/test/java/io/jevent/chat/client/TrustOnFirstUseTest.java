package io.jevent.chat.client;

import static io.jevent.chat.client.TestServer.PW;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.Base64;

import io.jevent.chat.Transport;
import io.jevent.chat.server.ChatServer;
import io.jevent.chat.tls.KnownServers;
import io.jevent.chat.tls.ServerIdentity;
import io.jevent.chat.tls.ServerTrust;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code chatroom client --tls} against a server with a self-signed certificate: trust on first
 * use as ssh does it (show the fingerprint, ask, pin it in the config directory), silence on later
 * connects, and a loud refusal and exit status 1 when the certificate is not the pinned one; and
 * the other two ways to trust, a fingerprint given and a trust store (which also checks the host
 * name; a CA's chain and a wrong name are covered in {@code ServerTrustTest}).
 */
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class TrustOnFirstUseTest {
    private static final String OTHER = "AB:" + "00:".repeat(30) + "CD";

    @TempDir
    Path dir;
    ChatServer server;
    int port;
    KnownServers known;

    @BeforeEach
    void start() throws Exception {
        server = TestServer.start(Transport.TLS, dir.resolve("chat.db"), 0);
        port = TestServer.port(server);
        known = new KnownServers(dir.resolve("config"));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private PipedClient client(ServerTrust trust) {
        return PipedClient.plain(PipedClient.options(port).withTls(trust));
    }

    private static String fingerprint() {
        return Transport.identity().fingerprint();
    }

    @Test
    void firstContactShowsTheFingerprintAndPinsItWhenAccepted() throws Exception {
        try (PipedClient ann = client(ServerTrust.firstUse(known))) {
            ann.expect("The authenticity of the chat server 127.0.0.1:" + port + " cannot be established")
                    .expect(fingerprint());
            ann.line("maybe").expect("Trust this server and connect? [yes/no] maybe").expect("Type yes or no.");
            ann.line("yes").expect("Saved the fingerprint of 127.0.0.1:" + port + " in " + known.file())
                    .expect("Connected to 127.0.0.1:" + port);
            ann.line("/register ann").line(PW).line(PW).expect("Registered ann.");
            ann.line("/quit").expect("Bye.");
            assertThat(ann.awaitExit()).isZero();
        }
        assertThat(known.lookup("127.0.0.1", port)).isEqualTo(fingerprint());
        assertThat(Files.readString(known.file())).contains("127.0.0.1:" + port + " " + fingerprint());
    }

    @Test
    void theSameCertificateLaterConnectsWithoutAsking() throws Exception {
        known.pin("127.0.0.1", port, fingerprint());
        try (PipedClient ann = client(ServerTrust.firstUse(known))) {
            ann.expect("Connected to 127.0.0.1:" + port);
            ann.line("/quit").expect("Bye.");
            assertThat(ann.awaitExit()).isZero();
            assertThat(ann.screen.text()).doesNotContain("authenticity").doesNotContain("Trust this server");
        }
    }

    @Test
    void aChangedCertificateIsRefusedLoudlyAndNothingIsSent() throws Exception {
        known.pin("127.0.0.1", port, OTHER);
        try (PipedClient ann = client(ServerTrust.firstUse(known))) {
            ann.expect("WARNING: THE CHAT SERVER'S CERTIFICATE HAS CHANGED!")
                    .expect("The server 127.0.0.1:" + port + " presented the SHA-256 fingerprint")
                    .expect(fingerprint())
                    .expect("but the fingerprint pinned in " + known.file() + " is").expect(OTHER)
                    .expect("delete the line for 127.0.0.1:" + port)
                    .expect("Not connecting, and nothing was sent.");
            assertThat(ann.awaitExit()).isEqualTo(ChatClient.EXIT_UNTRUSTED);
            assertThat(ann.screen.text()).doesNotContain("Connected to").doesNotContain("Trust this server");
        }
        assertThat(known.lookup("127.0.0.1", port)).as("the pin is left as it was").isEqualTo(OTHER);
    }

    @Test
    void declinedOnFirstContactExitsWithoutPinning() throws Exception {
        try (PipedClient ann = client(ServerTrust.firstUse(known))) {
            ann.expect(fingerprint());
            ann.line("no").expect("Trust this server and connect? [yes/no] no")
                    .expect("Not trusted, so not connecting.").expect("Bye.");
            assertThat(ann.awaitExit()).isEqualTo(ChatClient.EXIT_UNTRUSTED);
        }
        assertThat(known.file()).doesNotExist();
    }

    @Test
    void aFingerprintThatDoesNotMatchIsRefused() throws Exception {
        try (PipedClient ann = client(ServerTrust.pinned(OTHER))) {
            ann.expect("WARNING: THE CHAT SERVER'S CERTIFICATE HAS CHANGED!")
                    .expect("but the fingerprint given with --fingerprint is").expect(OTHER)
                    .expect("connect with its fingerprint instead");
            assertThat(ann.awaitExit()).isEqualTo(ChatClient.EXIT_UNTRUSTED);
        }
    }

    @Test
    void aTrustStoreThatDoesNotTrustTheServerIsRefused() throws Exception {
        Path stranger = pem(ServerIdentity.selfSigned(dir.resolve("stranger")).certificate());
        try (PipedClient ann = client(ServerTrust.trustStore(stranger, null))) {
            ann.expect("The certificate of the chat server 127.0.0.1:" + port + " is not trusted: ")
                    .expect("Not connecting, and nothing was sent.");
            assertThat(ann.awaitExit()).isEqualTo(ChatClient.EXIT_UNTRUSTED);
        }
    }

    @Test
    void aTrustStoreHoldingTheServersCertificateVerifiesItAndTheHostName() throws Exception {
        ServerTrust trust = ServerTrust.trustStore(pem(Transport.identity().certificate()), null);
        try (PipedClient ann = client(trust)) {
            ann.expect("Connected to 127.0.0.1:" + port);   // the certificate names 127.0.0.1
            ann.line("/quit").expect("Bye.");
            assertThat(ann.awaitExit()).isZero();
        }
        ClientOptions o = PipedClient.options(port);
        try (PipedClient ann = PipedClient.plain(new ClientOptions("localhost", port, o.zone(), o.firstRetry(),
                o.maxRetry(), o.quitTimeout(), trust))) {
            ann.expect("Connected to localhost:" + port);
            ann.line("/quit").expect("Bye.");
            assertThat(ann.awaitExit()).isZero();
        }
    }

    private Path pem(X509Certificate cert) throws Exception {
        Path file = Files.createTempFile(dir, "trust", ".pem");
        Files.writeString(file, "-----BEGIN CERTIFICATE-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(cert.getEncoded())
                + "\n-----END CERTIFICATE-----\n", StandardCharsets.US_ASCII);
        return file;
    }
}
