package io.jevent.chat.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * RESUME tokens: 256 bits from a {@link SecureRandom}, sent to the client as 43 characters of
 * unpadded base64url; the server keeps only their SHA-256. A plain hash (not PBKDF2) is enough
 * because the token is random and as long as the hash: there is nothing to guess a dictionary for,
 * and it is what makes RESUME cheap. Thread-safe ({@link SecureRandom} is).
 */
public final class ResumeTokens {
    private static final int BITS = 256;

    private final SecureRandom random;

    /**
     * @param random the source of tokens
     */
    public ResumeTokens(SecureRandom random) {
        this.random = random;
    }

    /**
     * @return a new token: 43 characters of {@code [A-Za-z0-9_-]}
     */
    public String newToken() {
        byte[] bits = new byte[BITS / 8];
        random.nextBytes(bits);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bits);
    }

    /**
     * @param token a token as sent on the wire
     * @return its SHA-256, 32 bytes: what the database stores and looks up
     */
    public static byte[] hash(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.US_ASCII));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
