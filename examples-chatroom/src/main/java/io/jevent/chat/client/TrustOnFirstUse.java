package io.jevent.chat.client;

import java.io.IOException;
import java.security.cert.CertificateException;
import java.util.Locale;
import java.util.function.Consumer;

import io.jevent.chat.tls.KnownServers;
import io.jevent.chat.tls.ServerChangedException;
import io.jevent.chat.tls.UnknownServerException;

/**
 * Whom the client trusts over TLS, on the person's side: what a refused server certificate means,
 * and the answer to "trust this server?". Nothing is sent before the handshake has passed the
 * {@link ClientOptions#tls() trust}.
 *
 * <p>Trust on first use: a server whose certificate is not pinned yet fails its first handshake; the
 * client shows the fingerprint and asks, pins it if the person says yes, and connects again, now
 * silently. A certificate that differs from the pin (or from {@code --fingerprint}), or that the
 * trust store refuses, ends the client with a loud message and {@link ChatClient#EXIT_UNTRUSTED}, as
 * ssh does: it is never retried or accepted on a keystroke.
 *
 * <p>This class says everything to the person itself; {@link ClientSession} only changes mode on
 * what it returns. Loop thread only.
 */
final class TrustOnFirstUse {
    /** What the session does next. */
    enum Next {
        /** Ask the question (the {@code TRUST_ASK} mode), then {@link #explain()}. */
        ASK,
        /** Keep asking: the answer was neither yes nor no. */
        ASK_AGAIN,
        /** The fingerprint is pinned: connect again. */
        CONNECT,
        /** Not trusted: exit with {@link ChatClient#EXIT_UNTRUSTED}. */
        EXIT
    }

    private final ClientOptions options;
    private final Consumer<String> say;
    /** The server asked about, between {@link #refused} and the answer. */
    private UnknownServerException unknown;

    /**
     * @param options the client's options: where it connects, and its TLS trust
     * @param say     prints a message to the person
     */
    TrustOnFirstUse(ClientOptions options, Consumer<String> say) {
        this.options = options;
        this.say = say;
    }

    /**
     * The handshake refused the server's certificate.
     *
     * @return {@link Next#ASK} for a server not pinned yet, when there is a file to pin it in;
     *         otherwise {@link Next#EXIT}, the reason said
     */
    Next refused(CertificateException cause) {
        KnownServers known = options.tls().knownServers();
        if (cause instanceof UnknownServerException u && known != null) {
            unknown = u;
            return Next.ASK;
        }
        if (cause instanceof ServerChangedException changed) {
            say.accept(Texts.serverChanged(changed.server(), changed.expected(), changed.actual(), changed.pinnedIn(),
                    known == null));
        } else {
            say.accept("The certificate of the chat server " + options.host() + ":" + options.port()
                    + " is not trusted: " + cause.getMessage() + ".\nNot connecting, and nothing was sent.");
        }
        return Next.EXIT;
    }

    /** After {@link Next#ASK}, once the question's prompt is up: the fingerprint and what yes does. */
    void explain() {
        say.accept(Texts.unknownServer(unknown.server(), unknown.fingerprint(),
                options.tls().knownServers().file().toString()));
    }

    /**
     * The person's answer to the question.
     *
     * @return {@link Next#CONNECT} once pinned, {@link Next#EXIT} for no (or a pin that could not be
     *         saved), {@link Next#ASK_AGAIN} for anything else; each said
     */
    Next answer(String line) {
        String a = line.strip().toLowerCase(Locale.ROOT);
        if (a.equals("y") || a.equals("yes")) {
            KnownServers known = options.tls().knownServers();
            try {
                known.pin(options.host(), options.port(), unknown.fingerprint());
            } catch (IOException e) {
                say.accept("Cannot save the fingerprint in " + known.file() + ": " + e.getMessage() + ". Not connecting.");
                return Next.EXIT;
            }
            say.accept("Saved the fingerprint of " + unknown.server() + " in " + known.file() + ". Connecting ...");
            unknown = null;
            return Next.CONNECT;
        }
        if (a.equals("n") || a.equals("no")) {
            say.accept("Not trusted, so not connecting.");
            return Next.EXIT;
        }
        say.accept("Type yes or no.");
        return Next.ASK_AGAIN;
    }
}
