package io.jevent.chat.tls;

import java.security.cert.CertificateException;

/**
 * The server presented another certificate than the one pinned for it: possibly a
 * man-in-the-middle, possibly a replaced certificate. Never accepted automatically.
 */
public final class ServerChangedException extends CertificateException {
    private static final long serialVersionUID = 1L;
    private final String server;
    private final String expected;
    private final String actual;
    private final String pinnedIn;

    ServerChangedException(String server, String expected, String actual, String pinnedIn) {
        super("the certificate of " + server + " has changed: SHA-256 fingerprint " + actual + ", expected "
                + expected + " (" + pinnedIn + ")");
        this.server = server;
        this.expected = expected;
        this.actual = actual;
        this.pinnedIn = pinnedIn;
    }

    /** @return {@code host:port} */
    public String server() {
        return server;
    }

    /** @return the pinned fingerprint */
    public String expected() {
        return expected;
    }

    /** @return the fingerprint the server presented */
    public String actual() {
        return actual;
    }

    /** @return where the pin came from: the known-servers file, or the command line */
    public String pinnedIn() {
        return pinnedIn;
    }
}
