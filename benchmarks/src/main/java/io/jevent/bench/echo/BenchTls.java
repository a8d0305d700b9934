package io.jevent.bench.echo;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The TLS setup of the TLS echo benchmark: a throw-away self-signed server certificate made at run time
 * with the JDK's {@code keytool} (EC P-256, for {@code localhost} and {@code 127.0.0.1}) in a PKCS#12
 * key store in a temporary directory, deleted by {@link #close()}; the one protocol and cipher suite
 * every server and the load are restricted to; and the load's client context, which trusts that
 * certificate only and notes which engines checked it ({@link #checkedCertificate}: a resumed handshake
 * checks none).
 *
 * <p>Thread-safe.
 */
final class BenchTls implements AutoCloseable {
    static final String PROTOCOL = "TLSv1.3";
    static final String CIPHER_SUITE = "TLS_AES_128_GCM_SHA256";
    /** Protects nothing: the key is made for one run and deleted with it. */
    private static final String PASSWORD = "jevent-bench";
    private static final String ALIAS = "server";

    private final Path dir;
    private final Path keyStore;
    private final Path passwordFile;
    private final X509Certificate certificate;
    /** Client engines that have checked the server's certificate and not yet been asked about it (identity set). */
    private final Set<SSLEngine> checked = ConcurrentHashMap.newKeySet();

    private BenchTls(Path dir, Path keyStore, Path passwordFile, X509Certificate certificate) {
        this.dir = dir;
        this.keyStore = keyStore;
        this.passwordFile = passwordFile;
        this.certificate = certificate;
    }

    /**
     * Makes the key store (a second or two of {@code keytool}).
     *
     * @throws UncheckedIOException if {@code keytool} cannot be run or fails
     */
    static BenchTls create() throws InterruptedException {
        Path dir;
        try {
            dir = Files.createTempDirectory("jevent-bench-tls");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            Path store = dir.resolve("server.p12");
            Path passwordFile = dir.resolve("password");
            Files.writeString(passwordFile, PASSWORD + "\n", StandardCharsets.UTF_8);
            keytool("-genkeypair", "-alias", ALIAS, "-keystore", store.toString(), "-storetype", "PKCS12",
                    "-storepass", PASSWORD, "-keypass", PASSWORD, "-keyalg", "EC", "-groupname", "secp256r1",
                    "-sigalg", "SHA256withECDSA", "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1",
                    "-validity", "2");
            KeyStore ks = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(store)) {
                ks.load(in, PASSWORD.toCharArray());
            }
            return new BenchTls(dir, store, passwordFile, (X509Certificate) ks.getCertificate(ALIAS));
        } catch (IOException e) {
            deleteTree(dir);
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            deleteTree(dir);
            throw new IllegalStateException("the key store keytool made cannot be read", e);
        } catch (RuntimeException | InterruptedException e) {
            deleteTree(dir);
            throw e;
        }
    }

    /** The TLS flags of the echo servers' command lines ({@code io.jevent.examples.echo.EchoTls.Flags}). */
    List<String> serverFlags() {
        return List.of("--tls-keystore", keyStore.toString(), "--tls-password-file", passwordFile.toString(),
                "--tls-protocol", PROTOCOL, "--tls-cipher", CIPHER_SUITE);
    }

    /**
     * A new client context that trusts the server certificate only, with its own session cache (so
     * resumption in one run does not depend on another).
     */
    SSLContext clientContext() {
        try {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry(ALIAS, certificate);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            X509ExtendedTrustManager jdk = null;
            for (TrustManager tm : tmf.getTrustManagers()) {
                if (tm instanceof X509ExtendedTrustManager x) {
                    jdk = x;
                }
            }
            if (jdk == null) {
                throw new IllegalStateException("no X509ExtendedTrustManager in " + tmf.getAlgorithm());
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {new Noting(jdk, checked)}, null);
            return context;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot make the client context", e);
        }
    }

    /** Restricts a client engine to the benchmark's protocol and cipher suite. */
    static SSLEngine restrict(SSLEngine engine) {
        engine.setUseClientMode(true);
        engine.setEnabledProtocols(new String[] {PROTOCOL});
        engine.setEnabledCipherSuites(new String[] {CIPHER_SUITE});
        return engine;
    }

    /**
     * Whether {@code engine}, from a {@link #clientContext()}, checked the server's certificate (a full
     * handshake) since the last call for it; call once, when its handshake is done.
     */
    boolean checkedCertificate(SSLEngine engine) {
        return checked.remove(engine);
    }

    /** Deletes the key store. */
    @Override
    public void close() {
        deleteTree(dir);
    }

    private static void keytool(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("keytool did not finish within 60 s");
        }
        if (p.exitValue() != 0) {
            throw new IOException("keytool failed with status " + p.exitValue() + ": " + out.strip());
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // a temporary directory left behind is harmless
        }
    }

    /** The JDK's trust manager, noting the engines that check a server chain. Client side only. */
    private static final class Noting extends X509ExtendedTrustManager {
        private final X509ExtendedTrustManager jdk;
        private final Set<SSLEngine> checked;

        Noting(X509ExtendedTrustManager jdk, Set<SSLEngine> checked) {
            this.jdk = jdk;
            this.checked = checked;
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            checked.add(engine);
            jdk.checkServerTrusted(chain, authType, engine);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            jdk.checkServerTrusted(chain, authType, socket);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            jdk.checkServerTrusted(chain, authType);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            jdk.checkClientTrusted(chain, authType, engine);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            jdk.checkClientTrusted(chain, authType, socket);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            jdk.checkClientTrusted(chain, authType);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return jdk.getAcceptedIssuers();
        }
    }
}
