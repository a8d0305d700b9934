package io.jevent.chat.tls;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.Locale;

/**
 * SHA-256 fingerprints of certificates, written as {@code openssl x509 -noout -fingerprint -sha256}
 * and {@code keytool -list -v} write them: 32 upper-case hex bytes separated by colons, so a person
 * can compare them with what those tools print. Stateless; any thread.
 */
public final class Fingerprints {
    private static final HexFormat COLONS = HexFormat.ofDelimiter(":").withUpperCase();

    private Fingerprints() {
    }

    /**
     * The SHA-256 fingerprint of a certificate's DER encoding.
     *
     * @param cert the certificate
     * @return {@code AB:CD:...}, 95 characters
     * @throws IllegalArgumentException if the certificate cannot be encoded
     */
    public static String of(X509Certificate cert) {
        try {
            return COLONS.formatHex(MessageDigest.getInstance("SHA-256").digest(cert.getEncoded()));
        } catch (CertificateEncodingException e) {
            throw new IllegalArgumentException("cannot encode the certificate: " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);   // every JDK must have it
        }
    }

    /**
     * Reads a fingerprint a person typed or pasted: 64 hex digits in any case, with or without colons
     * (or spaces) between bytes, optionally after {@code SHA256:} or {@code SHA-256:}, or as openssl
     * prints it ({@code sha256 Fingerprint=AB:CD:...}).
     *
     * @param text what was typed
     * @return the same fingerprint in the form {@link #of} writes
     * @throws IllegalArgumentException if it is not 32 hex bytes; the message says what is expected
     */
    public static String parse(String text) {
        String s = text.strip();
        int equals = s.lastIndexOf('=');
        if (equals >= 0) {
            s = s.substring(equals + 1);   // openssl's "sha256 Fingerprint=..."
        }
        String lower = s.toLowerCase(Locale.ROOT);
        if (lower.startsWith("sha256:")) {
            s = s.substring(7);
        } else if (lower.startsWith("sha-256:")) {
            s = s.substring(8);
        }
        String hex = s.replace(":", "").replace(" ", "");
        if (hex.length() != 64 || !hex.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
            throw new IllegalArgumentException("'" + text + "' is not a SHA-256 fingerprint:"
                    + " expected 64 hex digits, as in AB:CD:...:EF");
        }
        return COLONS.formatHex(HexFormat.of().parseHex(hex));
    }
}
