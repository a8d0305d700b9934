package io.jevent.chat.tls;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.KeyStoreException;
import java.security.SecureRandom;
import java.security.UnrecoverableKeyException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Collections;
import java.util.List;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * The server's TLS key and certificate: from a PKCS#12 key store and a password file
 * ({@link #load}), or a self-signed one made on first start and kept in the data directory
 * ({@link #selfSigned}). Immutable; any thread. Failures are {@link IOException}s whose message is
 * meant for the person who runs the server: it names the file and the cause.
 *
 * @param certificate the server's own certificate (the chain's first)
 * @param context     an {@link SSLContext} serving that key, for server-mode engines
 * @param file        the key store it came from
 * @param created     whether {@link #selfSigned} made it just now (false: loaded)
 */
public record ServerIdentity(X509Certificate certificate, SSLContext context, Path file, boolean created) {
    /** File name of the self-signed key store in the data directory. */
    public static final String SELF_SIGNED_STORE = "tls-self-signed.p12";
    /** File name of its password, next to it. */
    public static final String SELF_SIGNED_PASSWORD = "tls-self-signed.password";
    private static final String ALIAS = "chatroom";
    private static final Duration SELF_SIGNED_VALIDITY = Duration.ofDays(3650);
    private static final byte[] IPV6_LOOPBACK = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};

    /** @return the certificate's SHA-256 fingerprint, as {@link Fingerprints#of} writes it */
    public String fingerprint() {
        return Fingerprints.of(certificate);
    }

    /**
     * Loads a PKCS#12 key store holding the server's private key and certificate chain.
     *
     * @param keyStore     the {@code .p12} file
     * @param passwordFile a file whose first line is the password of the store and of its key
     * @return the identity
     * @throws IOException if a file cannot be read, the password is wrong, or the store holds no
     *                     private key; the message says which
     */
    public static ServerIdentity load(Path keyStore, Path passwordFile) throws IOException {
        char[] password = readPassword(passwordFile);
        KeyStore ks = readPkcs12(keyStore, password, "--tls-password-file " + passwordFile);
        return fromStore(ks, password, keyStore, false);
    }

    /**
     * The self-signed identity kept in {@code dir}: loaded from {@value #SELF_SIGNED_STORE} and
     * {@value #SELF_SIGNED_PASSWORD} if they exist, else made (an EC P-256 key; a certificate for
     * {@code localhost}, 127.0.0.1 and ::1, valid ten years) and written there first, readable by the
     * owner only where the file system has POSIX permissions. Call from one process at a time per
     * directory (the server's, which also holds the database there).
     *
     * @param dir the server's data directory; created if missing
     * @return the identity; {@link #created()} says whether it is new
     * @throws IOException if the files cannot be read or written, or are not a usable key store
     */
    public static ServerIdentity selfSigned(Path dir) throws IOException {
        Path store = dir.resolve(SELF_SIGNED_STORE);
        Path passwordFile = dir.resolve(SELF_SIGNED_PASSWORD);
        if (Files.exists(store)) {
            if (!Files.exists(passwordFile)) {
                throw new IOException("self-signed TLS key store " + store + " exists but its password file "
                        + passwordFile + " does not; delete the key store to make a new certificate");
            }
            return fromStore(readPkcs12(store, readPassword(passwordFile), passwordFile.toString()),
                    readPassword(passwordFile), store, false);
        }
        Files.createDirectories(dir);
        SecureRandom random = new SecureRandom();
        char[] password = Base64.getUrlEncoder().withoutPadding().encodeToString(randomBytes(random)).toCharArray();
        KeyStore ks;
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), random);
            KeyPair keys = generator.generateKeyPair();
            X509Certificate cert = SelfSignedCertificate.create(keys, "jevent chat server (self-signed)",
                    List.of("localhost"),
                    List.of(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), InetAddress.getByAddress(IPV6_LOOPBACK)),
                    ZonedDateTime.now(ZoneOffset.UTC).minusMinutes(5), SELF_SIGNED_VALIDITY, random);
            ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry(ALIAS, keys.getPrivate(), password, new Certificate[] {cert});
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot make a self-signed certificate: " + e.getMessage(), e);
        }
        writePrivately(passwordFile, (new String(password) + "\n").getBytes(StandardCharsets.UTF_8));
        Path tmp = Files.createTempFile(dir, SELF_SIGNED_STORE, ".tmp");
        try {
            restrict(tmp);
            try (OutputStream out = Files.newOutputStream(tmp)) {
                ks.store(out, password);
            } catch (GeneralSecurityException e) {
                throw new IOException("cannot write " + store + ": " + e.getMessage(), e);
            }
            moveInPlace(tmp, store);
        } finally {
            Files.deleteIfExists(tmp);
        }
        return fromStore(ks, password, store, true);
    }

    private static byte[] randomBytes(SecureRandom random) {
        byte[] b = new byte[24];
        random.nextBytes(b);
        return b;
    }

    private static ServerIdentity fromStore(KeyStore ks, char[] password, Path file, boolean created)
            throws IOException {
        try {
            String alias = null;
            for (String a : Collections.list(ks.aliases())) {
                if (ks.isKeyEntry(a)) {
                    if (alias != null) {
                        throw new IOException("TLS key store " + file + " holds more than one private key ("
                                + alias + ", " + a + "); keep only the server's");
                    }
                    alias = a;
                }
            }
            if (alias == null) {
                throw new IOException("TLS key store " + file + " holds no private key: it must hold the"
                        + " server's key and certificate (a trust store with certificates only will not do)");
            }
            Certificate first = ks.getCertificate(alias);
            if (!(first instanceof X509Certificate cert)) {
                throw new IOException("TLS key store " + file + ": the key '" + alias + "' has no X.509 certificate");
            }
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, password);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(kmf.getKeyManagers(), null, null);
            return new ServerIdentity(cert, context, file, created);
        } catch (UnrecoverableKeyException e) {
            throw new IOException("TLS key store " + file + ": its key has another password than the store's;"
                    + " use one password for both", e);
        } catch (GeneralSecurityException e) {
            throw new IOException("TLS key store " + file + " is not usable: " + e.getMessage(), e);
        }
    }

    /**
     * Reads a PKCS#12 file; a wrong password is told apart from a damaged or foreign file.
     *
     * @param passwordSource where the password came from, for the message
     */
    static KeyStore readPkcs12(Path file, char[] password, String passwordSource) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(in, password);
            return ks;
        } catch (NoSuchFileException e) {
            throw new IOException("TLS key store " + file + " does not exist", e);
        } catch (IOException e) {
            if (e.getCause() instanceof UnrecoverableKeyException || String.valueOf(e.getMessage()).contains("password")) {
                throw new IOException("cannot open TLS key store " + file + ": wrong password (from "
                        + passwordSource + ")", e);
            }
            throw new IOException("cannot read TLS key store " + file + " as PKCS#12: " + e.getMessage(), e);
        } catch (KeyStoreException | java.security.NoSuchAlgorithmException | java.security.cert.CertificateException e) {
            throw new IOException("cannot read TLS key store " + file + " as PKCS#12: " + e.getMessage(), e);
        }
    }

    /**
     * The password: the file's first line, without its line terminator (so {@code echo secret >
     * file} works); other whitespace is kept.
     */
    static char[] readPassword(Path file) throws IOException {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new IOException("password file " + file + " does not exist", e);
        }
        if (lines.isEmpty() || lines.get(0).isEmpty()) {
            throw new IOException("password file " + file + " is empty: its first line must be the password");
        }
        return lines.get(0).toCharArray();
    }

    private static void writePrivately(Path file, byte[] content) throws IOException {
        try {
            Files.createFile(file);
        } catch (FileAlreadyExistsException e) {
            // left by a start that failed before writing the store: overwritten with a new password
        }
        restrict(file);
        Files.write(file, content);
    }

    private static void restrict(Path file) throws IOException {
        if (Files.getFileStore(file).supportsFileAttributeView("posix")) {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        }
    }

    private static void moveInPlace(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to);
        }
    }
}
