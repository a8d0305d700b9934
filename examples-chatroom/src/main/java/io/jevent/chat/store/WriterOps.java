package io.jevent.chat.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The SQL run on the writer connection, each statement prepared once. Owned by the writer thread
 * (after {@link ChatStore#open} hands it over before starting that thread); never touched by any
 * other thread, so the statements need no locking. Every method runs inside the writer's batch
 * transaction and request savepoint; a thrown exception makes the writer roll that request back.
 */
final class WriterOps implements AutoCloseable {
    /** A recipient's offline queue, oldest first, through the partial index of undelivered rows. */
    static final String PENDING = "SELECT m.id, m.ts_ms, m.sender_id, s.name, r.name, m.body FROM messages m"
            + " JOIN users s ON s.id = m.sender_id JOIN users r ON r.id = m.recipient_id"
            + " WHERE m.recipient_id = ? AND m.delivered = 0 ORDER BY m.id";

    private final Connection connection;
    private final LongSupplier clock;
    private final List<Prepared> statements = new ArrayList<>();
    private final Prepared begin;
    private final Prepared commit;
    private final Prepared rollback;
    private final Prepared savepoint;
    private final Prepared rollbackToSavepoint;
    private final Prepared releaseSavepoint;
    private final Prepared insertUser;
    private final Prepared userById;
    private final Prepared userByName;
    private final Prepared insertMessage;
    private final Prepared markDelivered;
    private final Prepared pending;
    private final Prepared updateHash;
    /**
     * Users looked up on this connection, by id and by lower-case name. Users are never renamed or
     * deleted, so an entry stays right as long as the row it came from is committed: both are
     * cleared at every rollback (a user registered in a batch that rolls back must not stay). Saves
     * two of the three statements of a private message.
     */
    private final Map<Long, String> nameById = new HashMap<>();
    private final Map<String, Recipient> byLowerName = new HashMap<>();

    private record Recipient(long id, String name) {
    }

    /** Statements run so far (uses of a prepared statement); written by the writer only. */
    private volatile long uses;

    /** Prepared-statement uses so far, for tests of what a request costs the writer. Any thread. */
    long statementUses() {
        return uses;
    }

    WriterOps(Connection connection, LongSupplier clock) {
        this.connection = connection;
        this.clock = clock;
        begin = new Prepared("BEGIN IMMEDIATE");
        commit = new Prepared("COMMIT");
        rollback = new Prepared("ROLLBACK");
        savepoint = new Prepared("SAVEPOINT request");
        rollbackToSavepoint = new Prepared("ROLLBACK TO request");
        releaseSavepoint = new Prepared("RELEASE request");
        insertUser = new Prepared(
                "INSERT INTO users(name, pw_hash, created_ms) VALUES (?, ?, ?) ON CONFLICT(name) DO NOTHING RETURNING id");
        userById = new Prepared("SELECT name FROM users WHERE id = ?");
        userByName = new Prepared("SELECT id, name FROM users WHERE name = ?");
        insertMessage = new Prepared(
                "INSERT INTO messages(ts_ms, sender_id, recipient_id, body, delivered) VALUES (?, ?, ?, ?, ?) RETURNING id");
        markDelivered = new Prepared(
                "UPDATE messages SET delivered = 1 WHERE id = ? AND recipient_id = ? AND delivered = 0");
        pending = new Prepared(PENDING);
        updateHash = new Prepared("UPDATE users SET pw_hash = ?1 WHERE id = ?2 AND (?3 IS NULL OR pw_hash = ?3)");
    }

    // --- transaction control, used only by GroupCommitWriter ---

    void begin() throws SQLException {
        begin.get().execute();
    }

    void commit() throws SQLException {
        commit.get().execute();
    }

    void rollback() throws SQLException {
        nameById.clear();
        byLowerName.clear();
        rollback.get().execute();
    }

    void savepoint() throws SQLException {
        savepoint.get().execute();
    }

    void rollbackToSavepoint() throws SQLException {
        nameById.clear();
        byLowerName.clear();
        rollbackToSavepoint.get().execute();
    }

    void releaseSavepoint() throws SQLException {
        releaseSavepoint.get().execute();
    }

    // --- requests ---

    User registerUser(String name, String passwordHash) throws SQLException, StoreException {
        long now = clock.getAsLong();
        PreparedStatement ps = insertUser.get();
        ps.setString(1, name);
        ps.setString(2, passwordHash);
        ps.setLong(3, now);
        try (ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
                throw new StoreException(StoreException.Kind.CONFLICT, "name taken");
            }
            return new User(rs.getLong(1), name, passwordHash, now);
        }
    }

    StoredMessage appendPrivate(long senderId, String recipientName, String body)
            throws SQLException, StoreException {
        String senderName = senderName(senderId);
        // Names are ASCII (CommandParser.isValidName), so ROOT lower-casing is NOCASE's folding.
        String key = recipientName.toLowerCase(Locale.ROOT);
        Recipient recipient = byLowerName.get(key);
        if (recipient == null) {
            PreparedStatement byName = userByName.get();
            byName.setString(1, recipientName);
            try (ResultSet rs = byName.executeQuery()) {
                if (!rs.next()) {
                    throw new StoreException(StoreException.Kind.NOT_FOUND, "no such user");
                }
                recipient = new Recipient(rs.getLong(1), rs.getString(2));
            }
            byLowerName.put(key, recipient);
        }
        long recipientId = recipient.id();
        String canonicalRecipient = recipient.name();
        // Private messages start undelivered: the loop marks them once written to an online
        // recipient, so a recipient who is offline (or goes offline meanwhile) still gets them.
        return insertMessage(senderId, senderName, recipientId, canonicalRecipient, body);
    }

    StoredMessage appendGroup(long senderId, String body) throws SQLException, StoreException {
        return insertMessage(senderId, senderName(senderId), 0, null, body);
    }

    int markDelivered(long recipientId, long[] messageIds) throws SQLException {
        // One prepared statement, bound and executed as a JDBC batch: the driver steps it once per
        // id without building a result per call.
        PreparedStatement ps = markDelivered.get();
        for (long id : messageIds) {
            ps.setLong(1, id);
            ps.setLong(2, recipientId);
            ps.addBatch();
        }
        int changed = 0;
        try {
            for (int n : ps.executeBatch()) {
                changed += Math.max(0, n);
            }
        } finally {
            ps.clearBatch();
        }
        return changed;
    }

    List<StoredMessage> pending(long recipientId) throws SQLException {
        PreparedStatement ps = pending.get();
        ps.setLong(1, recipientId);
        List<StoredMessage> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(new StoredMessage(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getString(4),
                        recipientId, rs.getString(5), rs.getString(6)));
            }
        }
        return out;
    }

    /** Sets the user's hash; if {@code replacing} is not null, only while the stored hash is that one. */
    Void updatePasswordHash(long userId, String replacing, String passwordHash) throws SQLException, StoreException {
        PreparedStatement ps = updateHash.get();
        ps.setString(1, passwordHash);
        ps.setLong(2, userId);
        ps.setString(3, replacing);
        if (ps.executeUpdate() == 0) {
            throw new StoreException(StoreException.Kind.NOT_FOUND,
                    replacing == null ? "no such user" : "no such user, or its password was changed meanwhile");
        }
        return null;
    }

    /** The writer's connection, for tests in this package that inject faults (a full disk). */
    Connection connection() {
        return connection;
    }

    /** WAL checkpoint that also truncates the WAL file; run once at close. */
    void checkpoint() throws SQLException {
        Connections.queryString(connection, "PRAGMA wal_checkpoint(TRUNCATE)");
    }

    @Override
    public void close() throws SQLException {
        connection.close();   // closes every prepared statement with it
    }

    /**
     * Drops every prepared statement; each is prepared again on its next use. Called after any SQL
     * failure: sqlite-jdbc finalizes a statement whose step fails with anything but BUSY, LOCKED,
     * MISUSE or CONSTRAINT (so after SQLITE_FULL or an I/O error, even a COMMIT or ROLLBACK), yet
     * keeps the Java object, which reports itself open and fails every later use with "statement is
     * not executing". Kept, one full disk broke every later write until a restart. Failures are
     * rare, so preparing thirteen statements again costs nothing that matters.
     */
    void discardStatements() {
        for (Prepared p : statements) {
            p.discard();
        }
    }

    /** One SQL statement, prepared on first use and again after {@link #discardStatements}. */
    private final class Prepared {
        private final String sql;
        private PreparedStatement statement;

        Prepared(String sql) {
            this.sql = sql;
            statements.add(this);
        }

        @SuppressWarnings("NonAtomicVolatileUpdate")   // one writer: the writer thread
        PreparedStatement get() throws SQLException {
            uses = uses + 1;
            if (statement == null) {
                statement = connection.prepareStatement(sql);
            }
            return statement;
        }

        void discard() {
            PreparedStatement old = statement;
            statement = null;
            if (old != null) {
                try {
                    old.close();
                } catch (SQLException ignored) {
                    // finalized already, or the connection is broken: either way it is gone
                }
            }
        }
    }

    private String senderName(long senderId) throws SQLException, StoreException {
        String cached = nameById.get(senderId);
        if (cached != null) {
            return cached;
        }
        PreparedStatement ps = userById.get();
        ps.setLong(1, senderId);
        try (ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
                throw new StoreException(StoreException.Kind.NOT_FOUND, "no such sender");
            }
            String name = rs.getString(1);
            nameById.put(senderId, name);
            return name;
        }
    }

    private StoredMessage insertMessage(long senderId, String senderName, long recipientId, String recipientName,
                                        String body) throws SQLException {
        long now = clock.getAsLong();
        PreparedStatement ps = insertMessage.get();
        ps.setLong(1, now);
        ps.setLong(2, senderId);
        if (recipientId == 0) {
            ps.setNull(3, Types.INTEGER);
        } else {
            ps.setLong(3, recipientId);
        }
        ps.setString(4, body);
        ps.setInt(5, recipientId == 0 ? 1 : 0);
        try (ResultSet rs = ps.executeQuery()) {
            rs.next();
            return new StoredMessage(rs.getLong(1), now, senderId, senderName, recipientId, recipientName, body);
        }
    }
}
