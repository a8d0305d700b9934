package io.jevent.examples.echo;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Arrays;
import java.util.List;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;

/**
 * The TLS settings of an echo server: its key and certificate chain from a PKCS#12 key store, and
 * optionally the only protocol and cipher suite it accepts, so that a benchmark can force the same
 * ones on every server it compares. Used by jevent's {@link EchoServer} and by the benchmarks' Netty
 * echo server, which read the same command-line flags ({@link Flags}).
 *
 * <p>Immutable and thread-safe; {@link #newServerEngine()} may be called from any thread.
 */
public final class EchoTls {
    private final KeyManagerFactory keyManagers;
    private final SSLContext context;
    private final List<String> protocols;
    private final List<String> cipherSuites;

    private EchoTls(KeyManagerFactory keyManagers, SSLContext context, List<String> protocols,
                    List<String> cipherSuites) {
        this.keyManagers = keyManagers;
        this.context = context;
        this.protocols = protocols;
        this.cipherSuites = cipherSuites;
    }

    /**
     * Loads the server's key from a PKCS#12 key store.
     *
     * @param keyStore     the key store; its one key entry is the server's key and certificate chain
     * @param passwordFile a file whose first line is the password of the store and of the key
     * @param protocol     the only protocol to accept (e.g. {@code TLSv1.3}), or null for the JDK's defaults
     * @param cipherSuite  the only cipher suite to accept, or null for the JDK's defaults
     * @throws UncheckedIOException      if a file cannot be read
     * @throws IllegalArgumentException  if the store cannot be opened with the password or holds no usable key
     */
    public static EchoTls load(Path keyStore, Path passwordFile, String protocol, String cipherSuite) {
        char[] password = readPassword(passwordFile);
        try (InputStream in = Files.newInputStream(keyStore)) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, password);
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(store, password);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(kmf.getKeyManagers(), null, null);
            return new EchoTls(kmf, context, protocol == null ? List.of() : List.of(protocol),
                    cipherSuite == null ? List.of() : List.of(cipherSuite));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the key store " + keyStore, e);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot use the key store " + keyStore + ": " + e.getMessage(), e);
        } finally {
            Arrays.fill(password, '\0');
        }
    }

    /** The key managers of the server's key (for a TLS implementation that builds its own context). */
    public KeyManagerFactory keyManagers() {
        return keyManagers;
    }

    /** The server's context, holding its key; the JDK's default trust. */
    public SSLContext context() {
        return context;
    }

    /** The protocols the server accepts; empty for the JDK's defaults. */
    public List<String> protocols() {
        return protocols;
    }

    /** The cipher suites the server accepts; empty for the JDK's defaults. */
    public List<String> cipherSuites() {
        return cipherSuites;
    }

    /** A new server-mode engine from {@link #context()}, restricted to {@link #protocols()} and {@link #cipherSuites()}. */
    public SSLEngine newServerEngine() {
        SSLEngine engine = context.createSSLEngine();
        engine.setUseClientMode(false);
        if (!protocols.isEmpty()) {
            engine.setEnabledProtocols(protocols.toArray(String[]::new));
        }
        if (!cipherSuites.isEmpty()) {
            engine.setEnabledCipherSuites(cipherSuites.toArray(String[]::new));
        }
        return engine;
    }

    private static char[] readPassword(Path passwordFile) {
        try {
            String text = Files.readString(passwordFile, StandardCharsets.UTF_8);
            int end = text.indexOf('\n');
            return (end < 0 ? text : text.substring(0, end)).strip().toCharArray();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the password file " + passwordFile, e);
        }
    }

    /**
     * The TLS flags of the echo servers' command lines: {@code --tls-keystore FILE --tls-password-file
     * FILE [--tls-protocol P] [--tls-cipher C]}. Not thread-safe (one per command line).
     */
    public static final class Flags {
        private Path keyStore;
        private Path passwordFile;
        private String protocol;
        private String cipherSuite;

        /**
         * Takes {@code flag} and its {@code value} if {@code flag} is one of the TLS flags.
         *
         * @return whether it was
         */
        public boolean take(String flag, String value) {
            switch (flag) {
                case "--tls-keystore" -> keyStore = Path.of(value);
                case "--tls-password-file" -> passwordFile = Path.of(value);
                case "--tls-protocol" -> protocol = value;
                case "--tls-cipher" -> cipherSuite = value;
                default -> {
                    return false;
                }
            }
            return true;
        }

        /**
         * The settings the flags describe: null if no {@code --tls-keystore} was given (plain TCP).
         *
         * @throws IllegalArgumentException if TLS flags were given without a key store or password file,
         *                                  or the store cannot be used (see {@link EchoTls#load})
         */
        public EchoTls load() {
            if (keyStore == null && passwordFile == null && protocol == null && cipherSuite == null) {
                return null;
            }
            if (keyStore == null || passwordFile == null) {
                throw new IllegalArgumentException("TLS needs both --tls-keystore and --tls-password-file");
            }
            return EchoTls.load(keyStore, passwordFile, protocol, cipherSuite);
        }

        /** The flags, for a usage message. */
        public static String usage() {
            return "[--tls-keystore P12 --tls-password-file FILE [--tls-protocol P] [--tls-cipher C]]";
        }
    }
}
