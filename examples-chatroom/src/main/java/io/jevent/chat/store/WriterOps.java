package io.jevent.chat.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * The SQL run on the writer connection, each statement prepared once. Owned by the writer thread
 * (after {@link ChatStore#open} hands it over before starting that thread); never touched by any
 * other thread, so the statements need no locking. Every method runs inside the writer's batch
 * transaction and request savepoint; a thrown exception makes the writer roll that request back.
 */
final class WriterOps implements AutoCloseable {
    private final Connection connection;
    private final LongSupplier clock;
    private final PreparedStatement begin;
    private final PreparedStatement commit;
    private final PreparedStatement rollback;
    private final PreparedStatement savepoint;
    private final PreparedStatement rollbackToSavepoint;
    private final PreparedStatement releaseSavepoint;
    private final PreparedStatement insertUser;
    private final PreparedStatement userById;
    private final PreparedStatement userByName;
    private final PreparedStatement insertMessage;
    private final PreparedStatement markDelivered;
    private final PreparedStatement pending;
    private final PreparedStatement updateHash;

    WriterOps(Connection connection, LongSupplier clock) throws SQLException {
        this.connection = connection;
        this.clock = clock;
        begin = connection.prepareStatement("BEGIN IMMEDIATE");
        commit = connection.prepareStatement("COMMIT");
        rollback = connection.prepareStatement("ROLLBACK");
        savepoint = connection.prepareStatement("SAVEPOINT request");
        rollbackToSavepoint = connection.prepareStatement("ROLLBACK TO request");
        releaseSavepoint = connection.prepareStatement("RELEASE request");
        insertUser = connection.prepareStatement(
                "INSERT INTO users(name, pw_hash, created_ms) VALUES (?, ?, ?) ON CONFLICT(name) DO NOTHING RETURNING id");
        userById = connection.prepareStatement("SELECT name FROM users WHERE id = ?");
        userByName = connection.prepareStatement("SELECT id, name FROM users WHERE name = ?");
        insertMessage = connection.prepareStatement(
                "INSERT INTO messages(ts_ms, sender_id, recipient_id, body, delivered) VALUES (?, ?, ?, ?, ?) RETURNING id");
        markDelivered = connection.prepareStatement(
                "UPDATE messages SET delivered = 1 WHERE id = ? AND recipient_id = ? AND delivered = 0");
        pending = connection.prepareStatement(
                "SELECT m.id, m.ts_ms, m.sender_id, s.name, r.name, m.body FROM messages m"
                + " JOIN users s ON s.id = m.sender_id JOIN users r ON r.id = m.recipient_id"
                + " WHERE m.recipient_id = ? AND m.delivered = 0 ORDER BY m.id");
        updateHash = connection.prepareStatement("UPDATE users SET pw_hash = ? WHERE id = ?");
    }

    // --- transaction control, used only by GroupCommitWriter ---

    void begin() throws SQLException {
        begin.execute();
    }

    void commit() throws SQLException {
        commit.execute();
    }

    void rollback() throws SQLException {
        rollback.execute();
    }

    void savepoint() throws SQLException {
        savepoint.execute();
    }

    void rollbackToSavepoint() throws SQLException {
        rollbackToSavepoint.execute();
    }

    void releaseSavepoint() throws SQLException {
        releaseSavepoint.execute();
    }

    // --- requests ---

    User registerUser(String name, String passwordHash) throws SQLException, StoreException {
        long now = clock.getAsLong();
        insertUser.setString(1, name);
        insertUser.setString(2, passwordHash);
        insertUser.setLong(3, now);
        try (ResultSet rs = insertUser.executeQuery()) {
            if (!rs.next()) {
                throw new StoreException(StoreException.Kind.CONFLICT, "name taken");
            }
            return new User(rs.getLong(1), name, passwordHash, now);
        }
    }

    StoredMessage appendPrivate(long senderId, String recipientName, String body)
            throws SQLException, StoreException {
        String senderName = senderName(senderId);
        long recipientId;
        String canonicalRecipient;
        userByName.setString(1, recipientName);
        try (ResultSet rs = userByName.executeQuery()) {
            if (!rs.next()) {
                throw new StoreException(StoreException.Kind.NOT_FOUND, "no such user");
            }
            recipientId = rs.getLong(1);
            canonicalRecipient = rs.getString(2);
        }
        // Private messages start undelivered: the loop marks them once written to an online
        // recipient, so a recipient who is offline (or goes offline meanwhile) still gets them.
        return insertMessage(senderId, senderName, recipientId, canonicalRecipient, body);
    }

    StoredMessage appendGroup(long senderId, String body) throws SQLException, StoreException {
        return insertMessage(senderId, senderName(senderId), 0, null, body);
    }

    int markDelivered(long recipientId, long[] messageIds) throws SQLException {
        int changed = 0;
        for (long id : messageIds) {
            markDelivered.setLong(1, id);
            markDelivered.setLong(2, recipientId);
            changed += markDelivered.executeUpdate();
        }
        return changed;
    }

    List<StoredMessage> pending(long recipientId) throws SQLException {
        pending.setLong(1, recipientId);
        List<StoredMessage> out = new ArrayList<>();
        try (ResultSet rs = pending.executeQuery()) {
            while (rs.next()) {
                out.add(new StoredMessage(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getString(4),
                        recipientId, rs.getString(5), rs.getString(6)));
            }
        }
        return out;
    }

    Void updatePasswordHash(long userId, String passwordHash) throws SQLException, StoreException {
        updateHash.setString(1, passwordHash);
        updateHash.setLong(2, userId);
        if (updateHash.executeUpdate() == 0) {
            throw new StoreException(StoreException.Kind.NOT_FOUND, "no such user");
        }
        return null;
    }

    /** WAL checkpoint that also truncates the WAL file; run once at close. */
    void checkpoint() throws SQLException {
        Connections.queryString(connection, "PRAGMA wal_checkpoint(TRUNCATE)");
    }

    @Override
    public void close() throws SQLException {
        connection.close();   // closes every prepared statement with it
    }

    private String senderName(long senderId) throws SQLException, StoreException {
        userById.setLong(1, senderId);
        try (ResultSet rs = userById.executeQuery()) {
            if (!rs.next()) {
                throw new StoreException(StoreException.Kind.NOT_FOUND, "no such sender");
            }
            return rs.getString(1);
        }
    }

    private StoredMessage insertMessage(long senderId, String senderName, long recipientId, String recipientName,
                                        String body) throws SQLException {
        long now = clock.getAsLong();
        insertMessage.setLong(1, now);
        insertMessage.setLong(2, senderId);
        if (recipientId == 0) {
            insertMessage.setNull(3, Types.INTEGER);
        } else {
            insertMessage.setLong(3, recipientId);
        }
        insertMessage.setString(4, body);
        insertMessage.setInt(5, recipientId == 0 ? 1 : 0);
        try (ResultSet rs = insertMessage.executeQuery()) {
            rs.next();
            return new StoredMessage(rs.getLong(1), now, senderId, senderName, recipientId, recipientName, body);
        }
    }
}
