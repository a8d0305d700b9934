package io.jevent.examples.echo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLSocket;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.jevent.core.bufferevent.TlsOptions;
import io.jevent.testing.TestTls;

/**
 * The echo server over TLS, with the JDK's blocking {@link SSLSocket} as the client: the server's key
 * from a PKCS#12 store and a password file ({@link EchoTls}), the protocol and cipher suite it is
 * restricted to, and the command line's TLS flags.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class EchoServerTlsTest {
    private static final String PROTOCOL = "TLSv1.3";
    private static final String CIPHER = "TLS_AES_128_GCM_SHA256";

    @TempDir
    Path dir;

    @ParameterizedTest(name = "delegated tasks on the loop: {0}")
    @ValueSource(booleans = {false, true})
    @DisplayName("A TLS client's 1 MiB comes back whole over the negotiated protocol and cipher suite the server "
            + "was restricted to, and the connection closes when the client does")
    void echoesOverTlsWithTheForcedSuite(boolean tasksOnLoop) throws Exception {
        TestTls certs = TestTls.get();
        EchoTls tls = EchoTls.load(certs.serverKeyStore(), passwordFile(certs), PROTOCOL, CIPHER);
        TlsOptions options = tasksOnLoop
                ? TlsOptions.builder().delegatedTaskExecutor(Runnable::run).build() : TlsOptions.defaults();
        try (EchoServer.Running server = EchoServer.startInThread(0, EchoTransport.tls(tls, options))) {
            try (SSLSocket socket = (SSLSocket) certs.clientContext().getSocketFactory()
                    .createSocket(InetAddress.getLoopbackAddress(), server.port())) {
                socket.startHandshake();
                assertThat(socket.getSession().getProtocol()).isEqualTo(PROTOCOL);
                assertThat(socket.getSession().getCipherSuite()).isEqualTo(CIPHER);

                byte[] sent = new byte[1 << 20];
                new Random(14).nextBytes(sent);
                // The echo comes back while it is being sent: write from another thread, so that
                // neither side's socket buffers fill up with nobody reading.
                CompletableFuture<Void> writing = CompletableFuture.runAsync(() -> {
                    try {
                        OutputStream out = socket.getOutputStream();
                        out.write(sent);
                        out.flush();
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
                byte[] back = new byte[sent.length];
                new DataInputStream(socket.getInputStream()).readFully(back);
                writing.get(30, TimeUnit.SECONDS);
                assertThat(back).isEqualTo(sent);
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> server.openConnections() == 0);
            assertThat(server.acceptedConnections()).isEqualTo(1);
        }
    }

    @Test
    @DisplayName("EchoServer --tls-keystore ... --tls-protocol ... --tls-cipher ... prints its port, echoes over TLS, "
            + "and exits 0 on SIGTERM")
    void mainServesTlsWithTheFlags() throws Exception {
        TestTls certs = TestTls.get();
        String cp = System.getProperty("java.class.path");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-Xshare:off", "-cp", cp, EchoServer.class.getName(), "--port", "0",
                "--tls-keystore", certs.serverKeyStore().toString(),
                "--tls-password-file", passwordFile(certs).toString(),
                "--tls-protocol", PROTOCOL, "--tls-cipher", CIPHER, "--tls-tasks", "loop")
                .redirectErrorStream(true).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String first = out.readLine();
            assertThat(first).matches("port \\d+");
            int port = Integer.parseInt(first.substring("port ".length()));
            try (SSLSocket socket = (SSLSocket) certs.clientContext().getSocketFactory()
                    .createSocket(InetAddress.getLoopbackAddress(), port)) {
                byte[] hello = "hello, TLS echo\n".getBytes(StandardCharsets.US_ASCII);
                socket.getOutputStream().write(hello);
                byte[] back = new byte[hello.length];
                new DataInputStream(socket.getInputStream()).readFully(back);
                assertThat(back).isEqualTo(hello);
                assertThat(socket.getSession().getCipherSuite()).isEqualTo(CIPHER);
            }
            p.destroy();
            assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).isZero();
        } finally {
            p.destroyForcibly();
        }
    }

    private Path passwordFile(TestTls certs) throws java.io.IOException {
        return Files.writeString(dir.resolve("password"), new String(certs.password()) + "\n", StandardCharsets.UTF_8);
    }
}
