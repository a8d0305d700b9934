package io.jevent.chat.client;

import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.time.Duration;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;

import io.jevent.chat.tls.ServerChangedException;
import io.jevent.chat.tls.ServerTrust;
import io.jevent.chat.tls.UnknownServerException;
import io.jevent.core.Event;
import io.jevent.core.EventBase;
import io.jevent.core.buffer.EolStyle;
import io.jevent.core.buffer.LineTooLongException;
import io.jevent.core.bufferevent.BufferEvent;
import io.jevent.core.bufferevent.TlsOptions;

/**
 * The client's one connection to the server: a {@link BufferEvent} that connects, splits what arrives
 * into lines, and — when told to — tries again after an exponential {@link Backoff}, on an
 * {@link EventBase} timer rather than a sleeping thread.
 *
 * <p>With a {@link ServerTrust} the connection speaks TLS: it counts as up once the handshake is
 * done (so nothing is sent to a server that is not trusted), and a server certificate the trust
 * refuses is reported to {@link Listener#refused}, not as a lost connection to retry.
 *
 * <h2>Threads</h2>
 * Everything, including construction, on the client's loop thread: the socket is never touched from
 * anywhere else. The listener is called on that thread too, synchronously from the buffer event's
 * callbacks, so it may call back into this link (send, close, retry).
 */
final class ServerLink {
    /** Longest server line accepted: a 4 KiB message text plus its event header, with room to spare. */
    static final int MAX_SERVER_LINE = 16 * 1024;
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

    /** Told what happens to the connection; loop thread. */
    interface Listener {
        /** The connection is up: TCP connected, and the TLS handshake done if TLS is on (the server's greeting follows as a line). */
        void connected();

        /**
         * The TLS handshake failed because the server's certificate is not trusted: not pinned yet
         * ({@link UnknownServerException}), changed ({@link ServerChangedException}), or refused by
         * the trust store (the JDK's message says why). The connection is closed; nothing was sent;
         * no retry is scheduled, and {@link #down} is not called for it.
         *
         * @param cause why
         */
        void refused(CertificateException cause);

        /** One complete line from the server, without its terminator. */
        void line(String line);

        /**
         * The connection (or the attempt to make one) ended; nothing more comes from it.
         *
         * @param reason       what happened, in plain words
         * @param wasConnected whether it had been connected (false: the attempt failed)
         */
        void down(String reason, boolean wasConnected);
    }

    private final EventBase base;
    private final InetSocketAddress address;
    private final ServerTrust trust;      // null: plain text
    private final SSLContext tlsContext;  // from trust, made once
    private final Listener listener;
    private final Backoff backoff;
    private final Event retryTimer;
    private BufferEvent bev;
    /** TCP is connected (TLS may still be shaking hands). */
    private boolean tcpUp;
    private boolean connected;
    private boolean closed;

    /**
     * @param trust how to trust the server over TLS, or null for plain text
     */
    ServerLink(EventBase base, InetSocketAddress address, ServerTrust trust, Backoff backoff, Listener listener) {
        this.base = base;
        this.address = address;
        this.trust = trust;
        this.tlsContext = trust == null ? null : trust.context(address.getHostString(), address.getPort());
        this.backoff = backoff;
        this.listener = listener;
        this.retryTimer = base.newTimer((ev, what) -> open());
    }

    /** Starts connecting now (a pending retry is cancelled). No-op while connected or after close. */
    void open() {
        if (closed || bev != null) {
            return;
        }
        retryTimer.del();
        InetSocketAddress target = address.isUnresolved()
                ? new InetSocketAddress(address.getHostString(), address.getPort())   // resolve again each time
                : address;
        if (trust == null) {
            bev = BufferEvent.socket(base, null);
            bev.setTimeouts(null, CONNECT_TIMEOUT);
        } else {
            bev = BufferEvent.tlsClient(base, null, tlsContext, address.getHostString(), address.getPort(),
                    TlsOptions.builder().hostnameVerification(trust.verifiesHostname()).build());
            bev.setTimeouts(CONNECT_TIMEOUT, CONNECT_TIMEOUT);   // the server must answer the handshake too
        }
        bev.setCallbacks(b -> readLines(), null, this::status);
        bev.enable(Event.READ);
        bev.connect(target);
    }

    /**
     * Schedules the next attempt after the backoff delay.
     *
     * @return the delay
     */
    Duration retryLater() {
        Duration delay = backoff.nextDelay();
        if (!closed) {
            retryTimer.add(delay);
        }
        return delay;
    }

    /** @return whether a pending retry is scheduled */
    boolean retrying() {
        return retryTimer.isPending(Event.TIMEOUT);
    }

    /** @return whether lines can be sent now */
    boolean isConnected() {
        return connected;
    }

    /**
     * Queues one request line (the terminator is added).
     *
     * @return false if not connected: nothing was queued
     */
    boolean send(String line) {
        if (!connected) {
            return false;
        }
        bev.write(line + "\n", StandardCharsets.UTF_8);
        return true;
    }

    /** A greeting arrived: the server really works, so the next failure starts the backoff over. */
    void resetBackoff() {
        backoff.reset();
    }

    /** Closes the connection for good, dropping unsent output; no listener call follows. */
    void close() {
        closed = true;
        retryTimer.del();
        retryTimer.free();
        drop();
    }

    private void readLines() {
        while (bev != null) {
            String line;
            try {
                line = bev.input().readLine(EolStyle.CRLF, StandardCharsets.UTF_8, MAX_SERVER_LINE);
            } catch (LineTooLongException e) {
                lost("the server sent a line longer than " + MAX_SERVER_LINE + " bytes");
                return;
            }
            if (line == null) {
                return;
            }
            listener.line(line);   // may close this link
        }
    }

    private void status(BufferEvent b, int what, Throwable cause) {
        if ((what & BufferEvent.CONNECTED) != 0) {
            tcpUp = true;
            if (trust == null) {
                up();
            }
        }
        if ((what & BufferEvent.HANDSHAKE_DONE) != 0) {
            up();
        }
        if ((what & BufferEvent.EOF) != 0) {
            readLines();   // lines that came with the close
            lost(tcpUp && !connected ? "the server closed the connection during the TLS handshake"
                    : "the server closed the connection");
        } else if ((what & BufferEvent.TIMEOUT) != 0) {
            lost(connected ? "the server stopped responding"
                    : tcpUp ? "no TLS handshake from " + where() + " within " + CONNECT_TIMEOUT.toSeconds() + " s"
                    : "no answer from " + where() + " within " + CONNECT_TIMEOUT.toSeconds() + " s");
        } else if ((what & BufferEvent.ERROR) != 0) {
            CertificateException untrusted = certificateProblem(cause);
            if (untrusted != null && !connected) {
                drop();
                listener.refused(untrusted);
                return;
            }
            lost(cause instanceof ConnectException ? "nothing is listening at " + where()
                    : cause instanceof UnknownHostException ? "cannot resolve host " + address.getHostString()
                    : cause instanceof SSLException && !connected ? "TLS handshake failed: " + tlsProblem(cause)
                    : cause == null ? "network error" : "network error: " + describe(cause));
        }
    }

    private void up() {
        if (connected) {
            return;
        }
        connected = true;
        bev.setTimeouts(null, null);   // the connect timeout is done; chat may idle forever
        listener.connected();
    }

    /** The certificate problem that failed a handshake, if that is what failed it. */
    private static CertificateException certificateProblem(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof CertificateException c) {
                return c;
            }
        }
        return null;
    }

    /** A handshake failure in words; a plain-text server is the usual one, so it is named. */
    private static String tlsProblem(Throwable cause) {
        String message = describe(cause);
        return message.contains("plaintext connection") || message.contains("Unsupported or unrecognized SSL message")
                ? "the server does not speak TLS on this port (a plain-text port? then leave out --tls)"
                : message;
    }

    /** Its message, or its kind when it has none: a JDK exception without one must not read "null". */
    private static String describe(Throwable t) {
        String message = t.getMessage();
        return message == null || message.isBlank() ? t.getClass().getSimpleName() : message;
    }

    private String where() {
        return address.getHostString() + ":" + address.getPort();
    }

    private void lost(String reason) {
        if (bev == null) {
            return;
        }
        boolean was = connected;
        drop();
        listener.down(reason, was);
    }

    private void drop() {
        connected = false;
        tcpUp = false;
        if (bev != null) {
            bev.close();
            bev = null;
        }
    }
}
