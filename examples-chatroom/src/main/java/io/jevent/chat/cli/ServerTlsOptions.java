package io.jevent.chat.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import io.jevent.chat.server.ServerConfig;
import io.jevent.chat.tls.ServerIdentity;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/**
 * The server's TLS options, a picocli mixin of {@code chatroom server}. Plain text stays the
 * default. With TLS on, the TLS listener takes {@code --tls-port}, by default the usual port 7777 (so
 * clients only add {@code --tls}), and a plain-text listener runs as well only if {@code --port} is
 * given: turning TLS on should not leave passwords readable on the default port.
 */
final class ServerTlsOptions {
    @Option(names = "--tls-keystore", paramLabel = "FILE",
            description = "Serve TLS with this PKCS#12 key store (the server's private key and certificate chain);"
                    + " needs --tls-password-file.")
    Path keyStore;

    @Option(names = "--tls-password-file", paramLabel = "FILE",
            description = "File whose first line is the password of --tls-keystore (and of its key).")
    Path passwordFile;

    @Option(names = "--tls-self-signed",
            description = "Serve TLS with a self-signed certificate, made on first start and kept next to the"
                    + " database (" + ServerIdentity.SELF_SIGNED_STORE + "); prints its SHA-256 fingerprint for"
                    + " clients to check. For trying TLS out.")
    boolean selfSigned;

    @Option(names = "--tls-port", paramLabel = "PORT",
            description = "TLS port, 0-65535 (default " + ServerConfig.DEFAULT_PORT + "). With TLS on, a plain-text"
                    + " listener runs as well only if --port is given.")
    Integer tlsPort;

    /** @return whether TLS was asked for */
    boolean enabled() {
        return keyStore != null || selfSigned;
    }

    /** @return the TLS port to listen on; only when {@link #enabled()} */
    int port() {
        return tlsPort != null ? tlsPort : ServerConfig.DEFAULT_PORT;
    }

    /**
     * The usage checks, before anything is opened.
     *
     * @param plainPort  the plain-text port
     * @param plainGiven whether {@code --port} was given (with TLS on, only then is there a plain listener)
     */
    void validate(CommandSpec spec, int plainPort, boolean plainGiven) {
        Options.require(spec, !(keyStore != null && selfSigned),
                "--tls-keystore and --tls-self-signed exclude each other: give one");
        Options.require(spec, keyStore == null || passwordFile != null,
                "--tls-keystore needs --tls-password-file (a file holding the key store's password)");
        Options.require(spec, passwordFile == null || keyStore != null,
                "--tls-password-file is the password of --tls-keystore, which is missing");
        Options.require(spec, tlsPort == null || enabled(),
                "--tls-port needs --tls-keystore or --tls-self-signed");
        if (!enabled()) {
            return;
        }
        Options.require(spec, port() >= 0 && port() <= 65535,
                "--tls-port must be 0-65535 (0 picks a free port), not " + port());
        Options.require(spec, !(plainGiven && plainPort == port() && plainPort != 0),
                "--port and --tls-port are both " + plainPort + "; give the plain-text and TLS listeners different ports");
        if (keyStore != null) {
            Options.require(spec, Files.isRegularFile(keyStore), "--tls-keystore: no such file " + keyStore);
            Options.require(spec, Files.isRegularFile(passwordFile), "--tls-password-file: no such file " + passwordFile);
        }
    }

    /**
     * Reads (or, self-signed, makes on first start) the key and certificate.
     *
     * @param database the database file: the self-signed certificate is kept in its directory
     * @return the identity
     * @throws IOException if it cannot be read or made; the message names the file and the cause
     */
    ServerIdentity load(Path database) throws IOException {
        return selfSigned
                ? ServerIdentity.selfSigned(database.toAbsolutePath().getParent())
                : ServerIdentity.load(keyStore, passwordFile);
    }
}
