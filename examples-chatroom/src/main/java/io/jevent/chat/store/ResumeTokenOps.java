package io.jevent.chat.store;

import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

/**
 * The SQL of RESUME tokens ({@code resume_tokens}, schema v2). Only SHA-256 hashes are stored. The
 * statements are prepared per call: a login is rare next to messages, and keeping them out of
 * {@link WriterOps} and {@link ReaderOps} keeps the hot statements' owners simple. Each method runs
 * on the thread that owns the connection it is given (the writer, or one reader).
 */
final class ResumeTokenOps {
    private ResumeTokenOps() {
    }

    /**
     * Writer: stores a new token hash, drops the user's expired ones, and keeps only the newest
     * {@code maxLive} (the new one included).
     */
    static Void issue(Connection c, long userId, byte[] tokenHash, long nowMs, long expiresMs, int maxLive)
            throws SQLException {
        try (PreparedStatement insert = c.prepareStatement(
                     "INSERT INTO resume_tokens(user_id, token_hash, expires_ms) VALUES (?, ?, ?)");
             PreparedStatement prune = c.prepareStatement(
                     "DELETE FROM resume_tokens WHERE user_id = ?1 AND (expires_ms <= ?2 OR id NOT IN"
                     + " (SELECT id FROM resume_tokens WHERE user_id = ?1 ORDER BY id DESC LIMIT ?3))")) {
            insert.setLong(1, userId);
            insert.setBytes(2, tokenHash);
            insert.setLong(3, expiresMs);
            insert.executeUpdate();
            prune.setLong(1, userId);
            prune.setLong(2, nowMs);
            prune.setInt(3, maxLive);
            prune.executeUpdate();
        }
        return null;
    }

    /**
     * Writer: the password a LOGIN checked still stands, in the writer's order: the user's stored
     * hash is still {@code verifiedHash}, the one the password was checked against, so no password
     * change (nor a re-hash) committed between the reader's lookup and now.
     *
     * @throws StoreException NOT_FOUND if the hash has changed
     */
    static void requirePasswordHash(Connection c, long userId, String verifiedHash)
            throws SQLException, StoreException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pw_hash FROM users WHERE id = ?")) {
            ps.setLong(1, userId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next() || !rs.getString(1).equals(verifiedHash)) {
                    throw new StoreException(StoreException.Kind.NOT_FOUND, "the password was changed meanwhile");
                }
            }
        }
    }

    /**
     * Writer: the token a RESUME presented is still live, in the writer's order. A LOGOUT deletes
     * it, and a password change deletes every token of the user but the one it issues in the same
     * transaction, so this alone tells whether either committed since the reader found the token. A
     * re-hash of the same password deletes none, and does not fail a RESUME.
     *
     * @throws StoreException NOT_FOUND if the token is gone or expired
     */
    static void requireLiveToken(Connection c, long userId, byte[] tokenHash, long nowMs)
            throws SQLException, StoreException {
        // A plain comparison: find() matched this hash in constant time already; what is asked here
        // is only whether it is still there, which tells a guesser nothing.
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT 1 FROM resume_tokens WHERE user_id = ? AND token_hash = ? AND expires_ms > ?")) {
            ps.setLong(1, userId);
            ps.setBytes(2, tokenHash);
            ps.setLong(3, nowMs);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new StoreException(StoreException.Kind.NOT_FOUND, "the token was revoked meanwhile");
                }
            }
        }
    }

    /** Writer: deletes one token of a user (LOGOUT); no such token is not an error. */
    static Void revoke(Connection c, long userId, byte[] tokenHash) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "DELETE FROM resume_tokens WHERE user_id = ? AND token_hash = ?")) {
            ps.setLong(1, userId);
            ps.setBytes(2, tokenHash);
            ps.executeUpdate();
        }
        return null;
    }

    /**
     * Reader: the user named {@code name} if {@code tokenHash} is one of their live tokens. Every live
     * hash of the user is compared, each in constant time, so the answer's timing says nothing about
     * how much of a guess matched.
     */
    static Optional<User> find(Connection c, String name, byte[] tokenHash, long nowMs) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT u.id, u.name, u.pw_hash, u.created_ms, t.token_hash FROM users u"
                + " JOIN resume_tokens t ON t.user_id = u.id WHERE u.name = ? AND t.expires_ms > ?")) {
            ps.setString(1, name);
            ps.setLong(2, nowMs);
            User match = null;
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (MessageDigest.isEqual(rs.getBytes(5), tokenHash)) {
                        match = new User(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getLong(4));
                    }
                }
            }
            return Optional.ofNullable(match);
        }
    }
}
