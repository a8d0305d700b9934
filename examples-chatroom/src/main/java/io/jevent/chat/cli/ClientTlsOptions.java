package io.jevent.chat.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

import io.jevent.chat.tls.Fingerprints;
import io.jevent.chat.tls.KnownServers;
import io.jevent.chat.tls.ServerTrust;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/**
 * The client's TLS options, a picocli mixin of {@code chatroom client}: {@code --tls} and how to
 * trust the server (a trust store, a fingerprint, or by default trust on first use with pins in the
 * configuration directory).
 */
final class ClientTlsOptions {
    /** The configuration directory's name under the platform's configuration root. */
    static final String APP_DIR = "jevent-chat";

    @Option(names = "--tls", description = "Speak TLS to the server. Without --trust or --fingerprint: trust on first"
            + " use (the fingerprint is shown and, if you accept it, pinned in the config directory).")
    boolean tls;

    @Option(names = "--trust", paramLabel = "FILE",
            description = "With --tls: trust the certificates in FILE (PEM, or PKCS#12 with --trust-password-file),"
                    + " a CA's or the server's own; the certificate must also name --host.")
    Path trustStore;

    @Option(names = "--trust-password-file", paramLabel = "FILE",
            description = "File whose first line is the password of a PKCS#12 --trust store.")
    Path trustPasswordFile;

    @Option(names = "--fingerprint", paramLabel = "SHA256",
            description = "With --tls: trust only the server certificate with this SHA-256 fingerprint"
                    + " (as the server prints it: AB:CD:...).")
    String fingerprint;

    @Option(names = "--config-dir", paramLabel = "DIR",
            description = "Where the client keeps its files (" + KnownServers.FILE_NAME + ": the pinned servers);"
                    + " default $XDG_CONFIG_HOME/" + APP_DIR + " or ~/.config/" + APP_DIR
                    + " (%APPDATA%\\\\" + APP_DIR + " on Windows).")
    Path configDir;

    /** The usage checks. */
    void validate(CommandSpec spec) {
        Options.require(spec, trustStore == null || tls, "--trust needs --tls");
        Options.require(spec, fingerprint == null || tls, "--fingerprint needs --tls");
        Options.require(spec, trustStore == null || fingerprint == null,
                "--trust and --fingerprint exclude each other: give one");
        Options.require(spec, trustPasswordFile == null || trustStore != null,
                "--trust-password-file is the password of --trust, which is missing");
        if (fingerprint != null) {
            try {
                Fingerprints.parse(fingerprint);
            } catch (IllegalArgumentException e) {
                Options.require(spec, false, "--fingerprint: " + e.getMessage());
            }
        }
    }

    /**
     * How to trust the server.
     *
     * @return the trust, or null without {@code --tls}
     * @throws IOException if the trust store cannot be read; the message names it and says why
     */
    ServerTrust trust() throws IOException {
        if (!tls) {
            return null;
        }
        if (trustStore != null) {
            return ServerTrust.trustStore(trustStore, trustPasswordFile);
        }
        if (fingerprint != null) {
            return ServerTrust.pinned(fingerprint);
        }
        return ServerTrust.firstUse(new KnownServers(configDir != null ? configDir : defaultConfigDir()));
    }

    /** The platform's per-user configuration directory for the client; not created here. */
    static Path defaultConfigDir() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String appData = System.getenv("APPDATA");
        if (os.startsWith("windows") && appData != null && !appData.isBlank()) {
            return Path.of(appData, APP_DIR);
        }
        String xdg = System.getenv("XDG_CONFIG_HOME");
        if (xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()) {   // the XDG spec ignores relative ones
            return Path.of(xdg, APP_DIR);
        }
        return Path.of(System.getProperty("user.home"), ".config", APP_DIR);
    }
}
