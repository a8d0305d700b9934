package io.jevent.chat.tls;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import java.util.Collections;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

/**
 * How the chat client decides to trust a TLS server. One of three:
 * <ul>
 *   <li>{@link #trustStore}: the server's chain must lead to a certificate in a trust store (a CA's,
 *       or the server's own), and the certificate must name the host connected to (hostname
 *       verification, as a browser does);</li>
 *   <li>{@link #pinned}: the server's certificate must have one given SHA-256 fingerprint;</li>
 *   <li>{@link #firstUse}: trust on first use, like ssh: the first time, the fingerprint is shown
 *       and, once the person accepts it, pinned in {@link KnownServers}; afterwards only that
 *       certificate is accepted.</li>
 * </ul>
 * Immutable; any thread.
 */
public final class ServerTrust {
    private final TrustManager[] anchors;   // trust store mode only
    private final String pin;               // pinned mode only
    private final KnownServers known;       // first-use mode only

    private ServerTrust(TrustManager[] anchors, String pin, KnownServers known) {
        this.anchors = anchors;
        this.pin = pin;
        this.known = known;
    }

    /**
     * Trust what a trust store trusts, checking the host name.
     *
     * @param file         PEM (one or more {@code -----BEGIN CERTIFICATE-----} blocks) or PKCS#12
     * @param passwordFile the PKCS#12 store's password file, or null (PEM, or a store without one)
     * @return the trust
     * @throws IOException if the file cannot be read or holds no certificate; the message says why
     */
    public static ServerTrust trustStore(Path file, Path passwordFile) throws IOException {
        KeyStore anchors;
        try {
            byte[] bytes = Files.readAllBytes(file);
            if (new String(bytes, 0, Math.min(bytes.length, 4096), java.nio.charset.StandardCharsets.ISO_8859_1)
                    .contains("-----BEGIN")) {
                anchors = fromPem(file);
            } else {
                char[] password = passwordFile == null ? null : ServerIdentity.readPassword(passwordFile);
                anchors = ServerIdentity.readPkcs12(file, password,
                        passwordFile == null ? "no --trust-password-file" : "--trust-password-file " + passwordFile);
            }
            if (Collections.list(anchors.aliases()).stream().noneMatch(a -> isCertificate(anchors, a))) {
                throw new IOException("trust store " + file + " holds no certificate"
                        + (passwordFile == null ? " that can be read without a password (give --trust-password-file)" : ""));
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(anchors);
            return new ServerTrust(tmf.getTrustManagers(), null, null);
        } catch (NoSuchFileException e) {
            throw new IOException("trust store " + file + " does not exist", e);
        } catch (GeneralSecurityException e) {
            throw new IOException("trust store " + file + " is not usable: " + e.getMessage(), e);
        }
    }

    private static boolean isCertificate(KeyStore ks, String alias) {
        try {
            return ks.getCertificate(alias) != null;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static KeyStore fromPem(Path file) throws IOException, GeneralSecurityException {
        Collection<? extends Certificate> certs;
        try (InputStream in = Files.newInputStream(file)) {
            certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
        } catch (CertificateException e) {
            throw new IOException("trust store " + file + ": not PEM certificates: " + e.getMessage(), e);
        }
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        int i = 0;
        for (Certificate c : certs) {
            ks.setCertificateEntry("cert-" + i++, c);
        }
        return ks;
    }

    /**
     * Trust exactly the certificate with this fingerprint.
     *
     * @param fingerprint as {@link Fingerprints#parse} reads it
     * @return the trust
     * @throws IllegalArgumentException if it is not a SHA-256 fingerprint
     */
    public static ServerTrust pinned(String fingerprint) {
        return new ServerTrust(null, Fingerprints.parse(fingerprint), null);
    }

    /**
     * Trust on first use, with pins kept in {@code known}.
     *
     * @param known the pins
     * @return the trust
     */
    public static ServerTrust firstUse(KnownServers known) {
        return new ServerTrust(null, null, known);
    }

    /** @return the pins of trust on first use, or null in the other modes */
    public KnownServers knownServers() {
        return known;
    }

    /**
     * Whether the certificate must name the host: in trust store mode only (a pin names the
     * certificate itself, which is stronger and works for a self-signed one made for another name).
     *
     * @return true in trust store mode
     */
    public boolean verifiesHostname() {
        return anchors != null;
    }

    /**
     * A client context for connections to one server.
     *
     * @param host the host as the person gave it
     * @param port its port
     * @return a new context
     * @throws IllegalStateException if the JDK has no TLS (it always has)
     */
    public SSLContext context(String host, int port) {
        TrustManager[] tms;
        if (anchors != null) {
            tms = anchors;
        } else {
            String server = KnownServers.key(host, port);
            PinnedTrustManager.Pin source = pin != null
                    ? new FixedPin(pin)
                    : new KnownPin(known, host, port);
            tms = new TrustManager[] {new PinnedTrustManager(server, source)};
        }
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, tms, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK cannot make a TLS context", e);
        }
    }

    private record FixedPin(String fingerprint) implements PinnedTrustManager.Pin {
        @Override
        public String expected() {
            return fingerprint;
        }

        @Override
        public String source() {
            return "given with --fingerprint";
        }
    }

    private record KnownPin(KnownServers known, String host, int port) implements PinnedTrustManager.Pin {
        @Override
        public String expected() throws IOException {
            return known.lookup(host, port);
        }

        @Override
        public String source() {
            return "pinned in " + known.file();
        }
    }
}
