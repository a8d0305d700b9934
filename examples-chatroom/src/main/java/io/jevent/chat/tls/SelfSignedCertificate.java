package io.jevent.chat.tls;

import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;

/**
 * Makes a self-signed X.509 v3 certificate for an EC P-256 key, signed with ECDSA over SHA-256, with
 * the JDK's own {@link Signature} and {@link CertificateFactory} and a few lines of DER ({@link Der}):
 * no keytool process and no library, so it works on a runtime image without the JDK tools.
 *
 * <p>The certificate says: subject and issuer {@code CN=<commonName>}, the given subject alternative
 * names (DNS names and IP addresses, which hostname verification checks), basic constraints "not a
 * CA", extended key usage "TLS server", a random 128-bit serial. Stateless; any thread.
 */
final class SelfSignedCertificate {
    private static final String ECDSA_WITH_SHA256 = "1.2.840.10045.4.3.2";
    private static final String COMMON_NAME = "2.5.4.3";
    private static final String SUBJECT_ALT_NAME = "2.5.29.17";
    private static final String BASIC_CONSTRAINTS = "2.5.29.19";
    private static final String EXTENDED_KEY_USAGE = "2.5.29.37";
    private static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";

    private SelfSignedCertificate() {
    }

    /**
     * Makes and signs the certificate.
     *
     * @param keys       an EC key pair (the public key goes in, the private key signs)
     * @param commonName the subject's and issuer's common name
     * @param dnsNames   DNS subject alternative names
     * @param addresses  IP address subject alternative names
     * @param notBefore  start of validity
     * @param validity   how long it is valid
     * @param random     the serial number's source
     * @return the certificate, parsed back by the JDK (so it is well formed) and verified with the key
     * @throws GeneralSecurityException if the JDK cannot sign with the key or rejects the result
     */
    static X509Certificate create(KeyPair keys, String commonName, List<String> dnsNames,
                                  List<InetAddress> addresses, ZonedDateTime notBefore, Duration validity,
                                  SecureRandom random) throws GeneralSecurityException {
        byte[] algorithm = Der.sequence(Der.oid(ECDSA_WITH_SHA256));   // no parameters (RFC 5758 3.2)
        byte[] name = Der.sequence(Der.set(Der.sequence(Der.oid(COMMON_NAME), Der.utf8String(commonName))));
        List<byte[]> altNames = new ArrayList<>();
        for (String dns : dnsNames) {
            altNames.add(Der.implicitPrimitive(2, dns.getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
        }
        for (InetAddress ip : addresses) {
            altNames.add(Der.implicitPrimitive(7, ip.getAddress()));
        }
        byte[] extensions = Der.explicit(3, Der.sequence(
                extension(SUBJECT_ALT_NAME, false, Der.sequence(altNames.toArray(byte[][]::new))),
                extension(BASIC_CONSTRAINTS, true, Der.sequence()),
                extension(EXTENDED_KEY_USAGE, false, Der.sequence(Der.oid(SERVER_AUTH)))));
        byte[] tbs = Der.sequence(
                Der.explicit(0, Der.integer(BigInteger.TWO)),   // v3
                Der.integer(new BigInteger(128, random).setBit(126)),   // positive, 16 bytes
                algorithm,
                name,
                Der.sequence(Der.time(notBefore), Der.time(notBefore.plus(validity))),
                name,
                keys.getPublic().getEncoded(),   // already a DER SubjectPublicKeyInfo
                extensions);
        Signature signer = Signature.getInstance("SHA256withECDSA");
        signer.initSign(keys.getPrivate(), random);
        signer.update(tbs);
        byte[] der = Der.sequence(tbs, algorithm, Der.bitString(signer.sign()));
        X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(der));
        cert.verify(keys.getPublic());
        return cert;
    }

    private static byte[] extension(String oid, boolean critical, byte[] value) {
        return critical
                ? Der.sequence(Der.oid(oid), Der.bool(true), Der.octetString(value))
                : Der.sequence(Der.oid(oid), Der.octetString(value));   // DER omits the default FALSE
    }
}
