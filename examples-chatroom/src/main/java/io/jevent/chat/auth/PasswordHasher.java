package io.jevent.chat.auth;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * Password hashing with PBKDF2-HMAC-SHA256 (the JDK's {@code PBKDF2WithHmacSHA256}).
 *
 * <p>Encoded form, stored as-is in the database:
 * {@code pbkdf2-sha256$<iterations>$<salt, base64>$<hash, base64>} (unpadded standard base64,
 * 16-byte random salt, 32-byte hash). The iteration count travels with each hash, so raising
 * {@link #DEFAULT_ITERATIONS} later keeps old hashes verifiable; {@link #needsRehash} tells the
 * caller to store a fresh hash after the next successful login.
 *
 * <p>Threading: every method is thread-safe (each call makes its own {@link SecretKeyFactory};
 * {@link SecureRandom} is thread-safe). {@link #hash} and {@link #verify} are deliberately slow
 * (hundreds of milliseconds at the default count): call them on worker threads, never on the
 * event loop.
 */
public final class PasswordHasher {
    /** OWASP Password Storage Cheat Sheet recommendation for PBKDF2-HMAC-SHA256 (2023 onwards). */
    public static final int DEFAULT_ITERATIONS = 600_000;
    /** Refuse encoded hashes claiming more work than this: a corrupt row must not stall a worker. */
    static final int MAX_ITERATIONS = 10_000_000;
    static final String ALGORITHM_ID = "pbkdf2-sha256";
    private static final String JCA_ALGORITHM = "PBKDF2WithHmacSHA256";
    private static final int SALT_BYTES = 16;
    private static final int HASH_BYTES = 32;
    private static final Base64.Encoder B64 = Base64.getEncoder().withoutPadding();
    private static final Base64.Decoder B64_DECODER = Base64.getDecoder();

    private final int iterations;
    private final SecureRandom random;
    /** Hash of a random password at the current count: verified against when the user is unknown. */
    private final String dummyHash;

    /**
     * Creates a hasher producing hashes with {@code iterations} rounds.
     *
     * @param iterations PBKDF2 round count for new hashes; {@link #DEFAULT_ITERATIONS} in
     *                   production, a small number in tests
     * @param random     salt source
     * @throws IllegalArgumentException if iterations is not in 1..10,000,000
     */
    public PasswordHasher(int iterations, SecureRandom random) {
        if (iterations < 1 || iterations > MAX_ITERATIONS) {
            throw new IllegalArgumentException("iterations out of range: " + iterations);
        }
        this.iterations = iterations;
        this.random = random;
        byte[] dummyPassword = new byte[SALT_BYTES];
        random.nextBytes(dummyPassword);
        this.dummyHash = hash(B64.encodeToString(dummyPassword));
    }

    /**
     * Creates a hasher with {@link #DEFAULT_ITERATIONS} and a fresh {@link SecureRandom}.
     *
     * @return the production hasher
     */
    public static PasswordHasher withDefaults() {
        return new PasswordHasher(DEFAULT_ITERATIONS, new SecureRandom());
    }

    /**
     * The round count used for new hashes.
     *
     * @return iterations
     */
    public int iterations() {
        return iterations;
    }

    /**
     * Hashes a password with a fresh random salt. Slow; worker threads only.
     *
     * @param password the password (the protocol limits it to 8–128 UTF-8 bytes)
     * @return the encoded form described in the class comment
     * @throws IllegalArgumentException if the password is empty
     */
    public String hash(String password) {
        byte[] salt = new byte[SALT_BYTES];
        random.nextBytes(salt);
        byte[] hash = derive(password, salt, iterations);
        return ALGORITHM_ID + "$" + iterations + "$" + B64.encodeToString(salt) + "$" + B64.encodeToString(hash);
    }

    /**
     * Checks a password against an encoded hash, comparing in constant time. When
     * {@code encodedOrNull} is null (no such user) the password is checked against a dummy hash
     * at the current count and false is returned: an unknown name costs the same time as a wrong
     * password, so timing does not reveal which names exist. Slow; worker threads only.
     *
     * @param password      the candidate password
     * @param encodedOrNull the stored hash, or null if the user does not exist
     * @return true only if the user exists and the password matches
     * @throws IllegalArgumentException if {@code encodedOrNull} is not a hash this class wrote
     *                                  (a corrupt row: treat as a server error, not a bad password)
     */
    public boolean verify(String password, String encodedOrNull) {
        Encoded stored = Encoded.parse(encodedOrNull == null ? dummyHash : encodedOrNull);
        byte[] candidate = derive(password, stored.salt, stored.iterations);
        boolean equal = MessageDigest.isEqual(candidate, stored.hash);
        return equal && encodedOrNull != null;
    }

    /**
     * Whether a stored hash was made with fewer rounds than this hasher uses, so the caller should
     * re-hash the password (which it has just verified) and store the result.
     *
     * @param encoded a stored hash
     * @return true if weaker than current settings
     * @throws IllegalArgumentException if {@code encoded} is malformed
     */
    public boolean needsRehash(String encoded) {
        return Encoded.parse(encoded).iterations < iterations;
    }

    private static byte[] derive(String password, byte[] salt, int rounds) {
        if (password.isEmpty()) {
            throw new IllegalArgumentException("empty password");
        }
        char[] chars = password.toCharArray();
        PBEKeySpec spec = new PBEKeySpec(chars, salt, rounds, HASH_BYTES * 8);
        try {
            return SecretKeyFactory.getInstance(JCA_ALGORITHM).generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(JCA_ALGORITHM + " unavailable in this JDK", e);
        } finally {
            spec.clearPassword();
            Arrays.fill(chars, '\0');
        }
    }

    /** The parsed parts of an encoded hash. */
    private static final class Encoded {
        final int iterations;
        final byte[] salt;
        final byte[] hash;

        private Encoded(int iterations, byte[] salt, byte[] hash) {
            this.iterations = iterations;
            this.salt = salt;
            this.hash = hash;
        }

        static Encoded parse(String encoded) {
            String[] parts = encoded.split("\\$", -1);
            if (parts.length != 4 || !parts[0].equals(ALGORITHM_ID)) {
                throw new IllegalArgumentException("not a " + ALGORITHM_ID + " hash");
            }
            try {
                int rounds = Integer.parseInt(parts[1]);
                byte[] salt = B64_DECODER.decode(parts[2]);
                byte[] hash = B64_DECODER.decode(parts[3]);
                if (rounds < 1 || rounds > MAX_ITERATIONS || salt.length == 0 || hash.length != HASH_BYTES) {
                    throw new IllegalArgumentException("malformed " + ALGORITHM_ID + " hash");
                }
                return new Encoded(rounds, salt, hash);
            } catch (IllegalArgumentException e) {   // NumberFormatException and bad base64 included
                throw new IllegalArgumentException("malformed " + ALGORITHM_ID + " hash", e);
            }
        }
    }
}
