package io.jevent.chat.tls;

import java.io.IOException;
import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Trusts a server whose certificate has one given SHA-256 fingerprint, and no other: a pin from the
 * command line, or from {@link KnownServers} (trust on first use). The chain is not validated
 * against any CA and the host name is not checked: the pin names the exact certificate, which is the
 * point with a self-signed one. The handshake itself still proves that the server holds the pinned
 * certificate's private key.
 *
 * <p>Extends {@link X509ExtendedTrustManager} so that JSSE uses it as it is rather than wrapping it
 * with checks of its own. Called by the TLS engine on whatever thread runs its delegated tasks; it
 * only reads the pin, so it is thread-safe.
 */
final class PinnedTrustManager extends X509ExtendedTrustManager {
    /** Where the expected fingerprint comes from: null for "none pinned yet". */
    interface Pin {
        String expected() throws IOException;

        /** For the messages: "--fingerprint" or the known-servers file. */
        String source();
    }

    private static final X509Certificate[] NONE = {};
    private final String server;
    private final Pin pin;

    PinnedTrustManager(String server, Pin pin) {
        this.server = server;
        this.pin = pin;
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        if (chain == null || chain.length == 0) {
            throw new CertificateException(server + " sent no certificate");
        }
        String actual = Fingerprints.of(chain[0]);
        String expected;
        try {
            expected = pin.expected();
        } catch (IOException e) {
            throw new CertificateException("cannot read the pinned certificates: " + e.getMessage(), e);
        }
        if (expected == null) {
            throw new UnknownServerException(server, actual);
        }
        if (!expected.equals(actual)) {
            throw new ServerChangedException(server, expected, actual, pin.source());
        }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        checkServerTrusted(chain, authType);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        checkServerTrusted(chain, authType);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("a chat client does not accept connections");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        checkClientTrusted(chain, authType);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        checkClientTrusted(chain, authType);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return NONE.clone();
    }
}
