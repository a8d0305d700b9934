package io.jevent.chat.tls;

import java.security.cert.CertificateException;

/**
 * The server's certificate is not pinned yet: trust on first use needs the person to accept its
 * fingerprint. Thrown by the client's trust manager, so the handshake fails and nothing is sent; the
 * client asks, pins the fingerprint if told to, and connects again.
 */
public final class UnknownServerException extends CertificateException {
    private static final long serialVersionUID = 1L;
    private final String server;
    private final String fingerprint;

    UnknownServerException(String server, String fingerprint) {
        super("the certificate of " + server + " is not known yet (SHA-256 fingerprint " + fingerprint + ")");
        this.server = server;
        this.fingerprint = fingerprint;
    }

    /** @return {@code host:port} as the client was told to connect */
    public String server() {
        return server;
    }

    /** @return the SHA-256 fingerprint the server presented */
    public String fingerprint() {
        return fingerprint;
    }
}
