package io.jevent.chat.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The server's key material: the self-signed dev certificate, and PKCS#12 key stores. */
@Timeout(30)
class ServerIdentityTest {
    @TempDir
    Path dir;

    @Test
    void selfSignedIsMadeOnFirstStartAndReusedOnLaterStarts() throws Exception {
        ServerIdentity first = ServerIdentity.selfSigned(dir);
        assertThat(first.created()).isTrue();
        assertThat(first.file()).isEqualTo(dir.resolve(ServerIdentity.SELF_SIGNED_STORE)).exists();
        assertThat(dir.resolve(ServerIdentity.SELF_SIGNED_PASSWORD)).exists();

        ServerIdentity again = ServerIdentity.selfSigned(dir);
        assertThat(again.created()).isFalse();
        assertThat(again.fingerprint()).as("the same certificate, so pinned clients still connect")
                .isEqualTo(first.fingerprint());
    }

    @Test
    void selfSignedFilesAreReadableByTheOwnerOnly() throws Exception {
        ServerIdentity.selfSigned(dir);
        if (Files.getFileStore(dir).supportsFileAttributeView("posix")) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(ServerIdentity.SELF_SIGNED_STORE))))
                    .isEqualTo("rw-------");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(ServerIdentity.SELF_SIGNED_PASSWORD))))
                    .isEqualTo("rw-------");
        }
    }

    @Test
    void selfSignedStoreCanBeGivenBackAsKeyStoreAndPasswordFile() throws Exception {
        ServerIdentity made = ServerIdentity.selfSigned(dir);
        ServerIdentity loaded = ServerIdentity.load(dir.resolve(ServerIdentity.SELF_SIGNED_STORE),
                dir.resolve(ServerIdentity.SELF_SIGNED_PASSWORD));
        assertThat(loaded.fingerprint()).isEqualTo(made.fingerprint());
        assertThat(loaded.created()).isFalse();
    }

    @Test
    void selfSignedCertificateNamesTheLoopbackHostsAndIsAServerCertificate() throws Exception {
        X509Certificate cert = ServerIdentity.selfSigned(dir).certificate();
        cert.checkValidity();
        cert.verify(cert.getPublicKey());   // self-signed
        assertThat(cert.getVersion()).isEqualTo(3);
        assertThat(cert.getSubjectX500Principal()).isEqualTo(cert.getIssuerX500Principal());
        assertThat(cert.getSubjectAlternativeNames()).containsExactlyInAnyOrder(
                List.of(2, "localhost"), List.of(7, "127.0.0.1"), List.of(7, "0:0:0:0:0:0:0:1"));
        assertThat(cert.getBasicConstraints()).as("not a CA").isEqualTo(-1);
        assertThat(cert.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1");
        assertThat(cert.getCriticalExtensionOIDs()).containsExactly("2.5.29.19");
    }

    @Test
    void fingerprintIsTheSha256OfTheCertificateInColonHex() throws Exception {
        ServerIdentity id = ServerIdentity.selfSigned(dir);
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(id.certificate().getEncoded());
        assertThat(id.fingerprint()).isEqualTo(HexFormat.ofDelimiter(":").withUpperCase().formatHex(digest))
                .hasSize(95);
    }

    @Test
    void wrongKeyStorePasswordSaysSoAndNamesTheFiles() throws Exception {
        ServerIdentity.selfSigned(dir);
        Path wrong = Files.writeString(dir.resolve("wrong.txt"), "not-the-password\n");
        Path store = dir.resolve(ServerIdentity.SELF_SIGNED_STORE);
        assertThatThrownBy(() -> ServerIdentity.load(store, wrong))
                .hasMessage("cannot open TLS key store " + store + ": wrong password (from --tls-password-file "
                        + wrong + ")");
    }

    @Test
    void missingOrEmptyFilesAreNamed() throws Exception {
        Path store = dir.resolve("server.p12");
        Path empty = Files.writeString(dir.resolve("empty.txt"), "");
        Path password = Files.writeString(dir.resolve("pw.txt"), "secret\n");
        assertThatThrownBy(() -> ServerIdentity.load(store, dir.resolve("none.txt")))
                .hasMessage("password file " + dir.resolve("none.txt") + " does not exist");
        assertThatThrownBy(() -> ServerIdentity.load(store, empty))
                .hasMessage("password file " + empty + " is empty: its first line must be the password");
        assertThatThrownBy(() -> ServerIdentity.load(store, password))
                .hasMessage("TLS key store " + store + " does not exist");
    }

    @Test
    void aFileThatIsNotPkcs12IsNotCalledAWrongPassword() throws Exception {
        Path store = Files.writeString(dir.resolve("server.p12"), "hello, not a key store");
        Path password = Files.writeString(dir.resolve("pw.txt"), "secret\n");
        assertThatThrownBy(() -> ServerIdentity.load(store, password))
                .hasMessageStartingWith("cannot read TLS key store " + store + " as PKCS#12");
    }

    @Test
    void aTrustStoreWithoutAPrivateKeyIsRefused() throws Exception {
        X509Certificate cert = ServerIdentity.selfSigned(dir.resolve("other")).certificate();
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setCertificateEntry("ca", cert);
        Path store = dir.resolve("trust.p12");
        try (OutputStream out = Files.newOutputStream(store)) {
            ks.store(out, "secret".toCharArray());
        }
        Path password = Files.writeString(dir.resolve("pw.txt"), "secret\n");
        assertThatThrownBy(() -> ServerIdentity.load(store, password))
                .hasMessageStartingWith("TLS key store " + store + " holds no private key");
    }

    @Test
    void aStoreWhosePasswordFileWasLostIsNotSilentlyReplaced() throws Exception {
        ServerIdentity.selfSigned(dir);
        Files.delete(dir.resolve(ServerIdentity.SELF_SIGNED_PASSWORD));
        assertThatThrownBy(() -> ServerIdentity.selfSigned(dir))
                .hasMessageContaining("exists but its password file");
    }
}
