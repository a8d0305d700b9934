package io.jevent.chat.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.io.Writer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client's three ways to trust a server, each in a real handshake over loopback against a
 * blocking JDK server socket serving a {@link ServerIdentity}: the decision is the trust manager's,
 * so it is the same whatever transport carries the handshake.
 */
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ServerTrustTest {
    @TempDir
    Path dir;

    private final ExecutorService acceptor = Executors.newSingleThreadExecutor();

    @AfterEach
    void stop() {
        acceptor.shutdownNow();
    }

    @Test
    void firstContactIsRefusedWithTheFingerprintUntilItIsPinnedThenAccepted() throws Exception {
        ServerIdentity id = ServerIdentity.selfSigned(dir.resolve("server"));
        KnownServers known = new KnownServers(dir.resolve("config"));
        ServerTrust trust = ServerTrust.firstUse(known);
        try (Served server = new Served(id)) {
            assertThatThrownBy(() -> server.handshake(trust, "127.0.0.1"))
                    .isInstanceOf(SSLHandshakeException.class)
                    .hasRootCauseInstanceOf(UnknownServerException.class)
                    .rootCause().satisfies(e -> assertThat(((UnknownServerException) e).fingerprint())
                            .isEqualTo(id.fingerprint()));

            known.pin("127.0.0.1", server.port, id.fingerprint());
            assertThat(server.handshake(trust, "127.0.0.1")).as("pinned: connects without asking").isTrue();
        }
    }

    @Test
    void aChangedCertificateIsRefusedNamingBothFingerprintsAndTheFile() throws Exception {
        ServerIdentity old = ServerIdentity.selfSigned(dir.resolve("old"));
        ServerIdentity now = ServerIdentity.selfSigned(dir.resolve("new"));
        KnownServers known = new KnownServers(dir.resolve("config"));
        ServerTrust trust = ServerTrust.firstUse(known);
        try (Served server = new Served(now)) {
            known.pin("127.0.0.1", server.port, old.fingerprint());
            assertThatThrownBy(() -> server.handshake(trust, "127.0.0.1"))
                    .isInstanceOf(SSLHandshakeException.class)
                    .hasRootCauseInstanceOf(ServerChangedException.class)
                    .rootCause().satisfies(e -> {
                        ServerChangedException changed = (ServerChangedException) e;
                        assertThat(changed.expected()).isEqualTo(old.fingerprint());
                        assertThat(changed.actual()).isEqualTo(now.fingerprint());
                        assertThat(changed.pinnedIn()).isEqualTo("pinned in " + known.file());
                    });
        }
        assertThat(known.lookup("127.0.0.1", 0)).isNull();
    }

    @Test
    void aFingerprintGivenOnTheCommandLineAcceptsThatServerOnly() throws Exception {
        ServerIdentity id = ServerIdentity.selfSigned(dir.resolve("server"));
        ServerIdentity otherId = ServerIdentity.selfSigned(dir.resolve("other"));
        ServerTrust trust = ServerTrust.pinned(id.fingerprint().toLowerCase(Locale.ROOT));
        assertThat(trust.verifiesHostname()).as("the pin names the certificate").isFalse();
        try (Served server = new Served(id); Served other = new Served(otherId)) {
            assertThat(server.handshake(trust, "127.0.0.1")).isTrue();
            assertThatThrownBy(() -> other.handshake(trust, "127.0.0.1"))
                    .hasRootCauseInstanceOf(ServerChangedException.class)
                    .rootCause().hasMessageContaining("given with --fingerprint");
        }
    }

    @Test
    void aPemTrustStoreTrustsTheServersCertificateForItsNamesOnly() throws Exception {
        ServerIdentity id = ServerIdentity.selfSigned(dir.resolve("server"));
        Path pem = dir.resolve("server.pem");
        try (Writer w = Files.newBufferedWriter(pem, StandardCharsets.US_ASCII)) {
            w.write("-----BEGIN CERTIFICATE-----\n");
            w.write(Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                    .encodeToString(id.certificate().getEncoded()));
            w.write("\n-----END CERTIFICATE-----\n");
        }
        ServerTrust trust = ServerTrust.trustStore(pem, null);
        assertThat(trust.verifiesHostname()).isTrue();
        try (Served server = new Served(id);
             Served stranger = new Served(ServerIdentity.selfSigned(dir.resolve("stranger")))) {
            assertThat(server.handshake(trust, "localhost")).as("a name in the certificate").isTrue();
            assertThatThrownBy(() -> server.handshake(trust, "chat.example.org"))
                    .as("hostname verification").isInstanceOf(SSLHandshakeException.class)
                    .hasMessageContaining("chat.example.org");
            assertThatThrownBy(() -> stranger.handshake(trust, "localhost"))
                    .isInstanceOf(SSLHandshakeException.class).hasMessageContaining("PKIX path");
        }
    }

    @Test
    void aPkcs12TrustStoreIsReadWithItsPasswordFile() throws Exception {
        ServerIdentity id = ServerIdentity.selfSigned(dir.resolve("server"));
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setCertificateEntry("chat", id.certificate());
        Path store = dir.resolve("trust.p12");
        try (OutputStream out = Files.newOutputStream(store)) {
            ks.store(out, "secret".toCharArray());
        }
        Path password = Files.writeString(dir.resolve("pw.txt"), "secret\n");
        try (Served server = new Served(id)) {
            assertThat(server.handshake(ServerTrust.trustStore(store, password), "localhost")).isTrue();
        }
    }

    @Test
    void aTrustStoreThatIsMissingOrIsNotCertificatesIsAClearError() throws Exception {
        assertThatThrownBy(() -> ServerTrust.trustStore(dir.resolve("none.pem"), null))
                .hasMessage("trust store " + dir.resolve("none.pem") + " does not exist");
        Path notPem = Files.writeString(dir.resolve("bad.pem"), "-----BEGIN CERTIFICATE-----\nnot base64\n");
        assertThatThrownBy(() -> ServerTrust.trustStore(notPem, null))
                .hasMessageStartingWith("trust store " + notPem);
    }

    /** A blocking JDK TLS server on 127.0.0.1 serving {@code identity}, one handshake per call. */
    private final class Served implements AutoCloseable {
        final SSLServerSocket listener;
        final int port;

        Served(ServerIdentity identity) throws IOException {
            listener = (SSLServerSocket) identity.context().getServerSocketFactory()
                    .createServerSocket(0, 1, InetAddress.getLoopbackAddress());
            port = listener.getLocalPort();
        }

        /**
         * One handshake of a client with {@code trust}, connecting to 127.0.0.1 but naming
         * {@code host} (SNI, and hostname verification when the trust asks for it, as the chat client
         * does).
         *
         * @return true if both ends completed it and a byte went through
         */
        boolean handshake(ServerTrust trust, String host) throws Exception {
            Future<Boolean> served = acceptor.submit(() -> {
                try (SSLSocket s = (SSLSocket) listener.accept()) {
                    s.setSoTimeout(10_000);
                    s.startHandshake();
                    return s.getInputStream().read() == 'x';
                } catch (IOException e) {
                    return false;   // the client refused it
                }
            });
            SSLContext context = trust.context(host, port);
            Socket tcp = new Socket();
            tcp.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 10_000);
            // Layered, so the engine's peer host is the name given, as in the chat client's engine.
            try (SSLSocket client = (SSLSocket) context.getSocketFactory().createSocket(tcp, host, port, true)) {
                SSLParameters params = client.getSSLParameters();
                params.setServerNames(List.of(new SNIHostName(host.equals("127.0.0.1") ? "localhost" : host)));
                if (trust.verifiesHostname()) {
                    params.setEndpointIdentificationAlgorithm("HTTPS");
                }
                client.setSSLParameters(params);
                client.setSoTimeout(10_000);
                client.startHandshake();
                client.getOutputStream().write('x');
                client.getOutputStream().flush();
            }
            return served.get();
        }

        @Override
        public void close() throws IOException {
            listener.close();
        }
    }
}
