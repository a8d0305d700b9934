package io.jevent.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Certificates made for a test run, never checked in: a throw-away certificate authority and a server
 * certificate signed by it for {@code localhost} and {@code 127.0.0.1}, in PKCS#12 key stores written
 * by the JDK's own {@code keytool} (run with {@link ProcessBuilder}) into a temporary directory.
 *
 * <pre>{@code
 * TestTls tls = TestTls.get();                  // made once per JVM, shared
 * SSLContext server = tls.serverContext();      // key: the server certificate and its chain
 * SSLContext client = tls.clientContext();      // trusts the test CA only
 * }</pre>
 *
 * <p>The key pairs are EC P-256 (fast to make and to use). Both stores use the password
 * {@link #password()}. The files live in a temporary directory deleted when the JVM exits.
 * Thread-safe: the instance is immutable; every context method makes a new {@link SSLContext} (so a
 * test that needs its own session cache gets one).
 */
public final class TestTls {
    /** The host names the server certificate is valid for (subject alternative names). */
    public static final List<String> SERVER_NAMES = List.of("localhost", "127.0.0.1");

    private static final String PASSWORD = "jevent-test";
    private static TestTls shared;

    private final Path dir;
    private final Path serverKeyStore;
    private final Path trustStore;

    private TestTls(Path dir, Path serverKeyStore, Path trustStore) {
        this.dir = dir;
        this.serverKeyStore = serverKeyStore;
        this.trustStore = trustStore;
    }

    /**
     * The JVM-wide instance, made on first use (a few seconds of {@code keytool}).
     *
     * @return the shared certificates
     * @throws UncheckedIOException if {@code keytool} cannot be run or fails
     */
    public static synchronized TestTls get() {
        if (shared == null) {
            try {
                Path dir = Files.createTempDirectory("jevent-tls");
                Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(dir)));
                shared = create(dir);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return shared;
    }

    /**
     * Makes a new CA and server certificate in {@code dir} (files {@code ca.p12}, {@code server.p12},
     * {@code trust.p12}, and the intermediate request and signed certificate); the caller owns the
     * directory. Four {@code keytool} runs, two of them in parallel.
     *
     * @param dir an existing, writable directory
     * @return the new certificates
     * @throws UncheckedIOException if {@code keytool} cannot be run or fails
     */
    public static TestTls create(Path dir) {
        Path ca = dir.resolve("ca.p12");
        Path server = dir.resolve("server.p12");
        Path trust = dir.resolve("trust.p12");
        Path request = dir.resolve("server.csr");
        Path signed = dir.resolve("server.pem");
        // Four keytool runs, the two key pairs in parallel: each is a JVM start, slow on a loaded machine.
        // The rest (exporting, importing) is done here with the KeyStore API.
        Process caKey = start("-genkeypair", "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=jevent test CA", "-ext", "bc:c", "-validity", "2", "-keystore", ca.toString());
        Process serverKey = start("-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=localhost", "-validity", "2", "-keystore", server.toString());
        finish(caKey);
        finish(serverKey);
        keytool("-certreq", "-alias", "server", "-keystore", server.toString(), "-file", request.toString());
        keytool("-gencert", "-rfc", "-alias", "ca", "-keystore", ca.toString(), "-infile", request.toString(),
                "-outfile", signed.toString(), "-validity", "2",
                "-ext", "san=dns:localhost,ip:127.0.0.1", "-ext", "eku=serverAuth,clientAuth");
        try {
            char[] pw = PASSWORD.toCharArray();
            Certificate caCert = loadFile(ca).getCertificate("ca");
            KeyStore serverStore = loadFile(server);
            Certificate serverCert;
            try (InputStream in = Files.newInputStream(signed)) {
                serverCert = CertificateFactory.getInstance("X.509").generateCertificate(in);
            }
            Key key = serverStore.getKey("server", pw);
            serverStore.setKeyEntry("server", key, pw, new Certificate[] {serverCert, caCert});
            store(serverStore, server);
            KeyStore trustStore = KeyStore.getInstance("PKCS12");
            trustStore.load(null, null);
            trustStore.setCertificateEntry("ca", caCert);
            store(trustStore, trust);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
        return new TestTls(dir, server, trust);
    }

    private static KeyStore loadFile(Path file) throws IOException, GeneralSecurityException {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(file)) {
            ks.load(in, PASSWORD.toCharArray());
        }
        return ks;
    }

    private static void store(KeyStore ks, Path file) throws IOException, GeneralSecurityException {
        try (OutputStream out = Files.newOutputStream(file)) {
            ks.store(out, PASSWORD.toCharArray());
        }
    }

    /**
     * The password of every key store and key here.
     *
     * @return a new copy of the password
     */
    public char[] password() {
        return PASSWORD.toCharArray();
    }

    /**
     * The directory holding the files.
     *
     * @return the directory
     */
    public Path directory() {
        return dir;
    }

    /**
     * The PKCS#12 store holding the server's key (alias {@code server}) with its chain to the CA.
     *
     * @return the file
     */
    public Path serverKeyStore() {
        return serverKeyStore;
    }

    /**
     * The PKCS#12 store holding only the CA's certificate (alias {@code ca}), as a trust store.
     *
     * @return the file
     */
    public Path trustStore() {
        return trustStore;
    }

    /**
     * The test CA's certificate.
     *
     * @return the certificate the server's is signed with
     */
    public X509Certificate caCertificate() {
        try {
            return (X509Certificate) load(trustStore).getCertificate("ca");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A new server context: the server certificate as key, and the test CA as trust (for client
     * authentication, if a test asks for it).
     *
     * @return a new context with its own session cache
     */
    public SSLContext serverContext() {
        return context(true);
    }

    /**
     * A new client context that trusts the test CA only, and has the server certificate as its own
     * key (for client authentication, if a test asks for it).
     *
     * @return a new context with its own session cache
     */
    public SSLContext clientContext() {
        return context(true);
    }

    /**
     * A new client context that trusts the JDK's default CAs ({@code cacerts}) and so not the test
     * CA: for "unknown CA" failures.
     *
     * @return a new context
     */
    public static SSLContext untrustingContext() {
        try {
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init((KeyStore) null);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private SSLContext context(boolean withKey) {
        try {
            KeyManagerFactory kmf = null;
            if (withKey) {
                kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(load(serverKeyStore), password());
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(load(trustStore));
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private KeyStore load(Path file) throws GeneralSecurityException {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(file)) {
            ks.load(in, password());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return ks;
    }

    private static void keytool(String... args) {
        finish(start(args));
    }

    private static Process start(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        cmd.addAll(List.of(args));
        cmd.addAll(List.of("-storetype", "PKCS12", "-storepass", PASSWORD));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            p.getOutputStream().close();
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void finish(Process p) {
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new UncheckedIOException(new IOException("keytool did not finish: " + p.info()));
            }
            if (p.exitValue() != 0) {
                throw new UncheckedIOException(new IOException("keytool failed (" + p.exitValue() + "): "
                        + p.info().arguments().map(a -> String.join(" ", a)).orElse("?") + "\n" + out));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running keytool", e);
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException ignored) {
            // a temporary directory left behind is harmless
        }
    }
}
