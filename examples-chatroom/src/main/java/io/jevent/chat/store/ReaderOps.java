package io.jevent.chat.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The SQL run on one reader connection, each statement prepared once. A reader connection is used
 * by one reader thread at a time (handed over through {@link ReaderPool}'s idle queue, which gives
 * the happens-before edge); in WAL mode each query sees the last committed state.
 */
final class ReaderOps implements AutoCloseable {
    /** Columns shared by the history queries; joined names so the loop gets printable lines. */
    private static final String MESSAGE_COLUMNS =
            "SELECT m.id, m.ts_ms, m.sender_id, s.name, m.recipient_id, r.name, m.body FROM messages m"
            + " JOIN users s ON s.id = m.sender_id LEFT JOIN users r ON r.id = m.recipient_id";

    /**
     * {@code HISTORY [n]}: three index-ordered probes, each at most n rows (group, sent, received),
     * merged: cost is O(n log n) whatever the table size. UNION (not ALL) drops a message to oneself
     * counted twice. Parameters: 1 the limit, 2 the user.
     */
    static final String VISIBLE_HISTORY = MESSAGE_COLUMNS + " WHERE m.id IN ("
            + " SELECT id FROM (SELECT id FROM messages WHERE recipient_id IS NULL ORDER BY id DESC LIMIT ?1)"
            + " UNION SELECT id FROM (SELECT id FROM messages WHERE sender_id = ?2 ORDER BY id DESC LIMIT ?1)"
            + " UNION SELECT id FROM (SELECT id FROM messages WHERE recipient_id = ?2 ORDER BY id DESC LIMIT ?1)"
            + " ORDER BY id DESC LIMIT ?1) ORDER BY m.id";
    /**
     * {@code HISTORY [n] <user>}: each direction walks the sender's index newest first, reading the
     * recipient from the index itself, until n rows match (see {@link Schema}, version 3: at worst
     * one user's sent messages, ~46 ms for a million). Parameters: 1 the limit, 2 the user, 3 the peer.
     */
    static final String CONVERSATION = MESSAGE_COLUMNS + " WHERE m.id IN ("
            + " SELECT id FROM (SELECT id FROM messages WHERE sender_id = ?2 AND recipient_id = ?3"
            + " ORDER BY id DESC LIMIT ?1)"
            + " UNION SELECT id FROM (SELECT id FROM messages WHERE sender_id = ?3 AND recipient_id = ?2"
            + " ORDER BY id DESC LIMIT ?1)"
            + " ORDER BY id DESC LIMIT ?1) ORDER BY m.id";

    private final Connection connection;
    private final PreparedStatement userByName;
    private final PreparedStatement visibleHistory;
    private final PreparedStatement conversation;

    ReaderOps(Connection connection) throws SQLException {
        this.connection = connection;
        userByName = connection.prepareStatement("SELECT id, name, pw_hash, created_ms FROM users WHERE name = ?");
        visibleHistory = connection.prepareStatement(VISIBLE_HISTORY);
        conversation = connection.prepareStatement(CONVERSATION);
    }

    Optional<User> findUser(String name) throws SQLException {
        userByName.setString(1, name);
        try (ResultSet rs = userByName.executeQuery()) {
            if (!rs.next()) {
                return Optional.empty();
            }
            return Optional.of(new User(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getLong(4)));
        }
    }

    List<StoredMessage> history(long userId, int limit, String withUserName) throws SQLException, StoreException {
        PreparedStatement query;
        if (withUserName == null) {
            query = visibleHistory;
        } else {
            Optional<User> peer = findUser(withUserName);
            if (peer.isEmpty()) {
                throw new StoreException(StoreException.Kind.NOT_FOUND, "no such user");
            }
            query = conversation;
            query.setLong(3, peer.get().id());
        }
        query.setInt(1, limit);
        query.setLong(2, userId);
        List<StoredMessage> out = new ArrayList<>(Math.min(limit, 64));
        try (ResultSet rs = query.executeQuery()) {
            while (rs.next()) {
                out.add(new StoredMessage(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getString(4),
                        rs.getLong(5), rs.getString(6), rs.getString(7)));
            }
        }
        return out;
    }

    /** This reader's connection, for {@link ResumeTokenOps}: rare queries, prepared per call. */
    Connection connection() {
        return connection;
    }

    @Override
    public void close() throws SQLException {
        connection.close();
    }
}
