package io.jevent.chat.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * The database schema and its migrations, versioned with {@code PRAGMA user_version}.
 *
 * <p>Version 1:
 * <ul>
 *   <li>{@code users}: names are unique case-insensitively ({@code COLLATE NOCASE}; names are
 *       ASCII so NOCASE's ASCII-only folding is exact) and keep the case they were registered
 *       with.</li>
 *   <li>{@code messages}: {@code recipient_id} NULL means group; {@code delivered} is 0 while a
 *       private message waits in the recipient's offline queue (group messages are stored as
 *       delivered: they have no queue).</li>
 *   <li>Indexes serve exactly the queries in {@link ReaderOps} and {@link WriterOps}: history by
 *       recipient (and group, recipient NULL), by sender, by conversation (until version 3), and
 *       the pending queue (a partial index holding only undelivered rows).</li>
 * </ul>
 * <p>Version 2: {@code resume_tokens}, the SHA-256 of each live RESUME token (never the token
 * itself, so a copy of the database logs nobody in) with its expiry, looked up by user.
 * <p>Version 3: no index per pair of users. {@code messages_by_conversation (sender_id,
 * recipient_id, id)} took each insert at a random leaf (a pair's rows are scattered across the
 * sender's range, and 200 users make 40,000 pairs), so nearly every message dirtied and logged a
 * page of its own and, once the index outgrew the page cache, read one back: it cost more writer
 * time than the three other indexes together. {@code HISTORY <user>} now walks
 * {@code messages_by_sender (sender_id, id, recipient_id)} newest first for each direction, reading
 * the recipient from the index alone, and stops at the limit: cheap for people who talk, and at
 * worst a scan of one user's sent messages, on a reader thread, for a pair that never did.
 * Called only from {@link ChatStore#open}, on the opening thread, before any other thread exists.
 */
final class Schema {
    /** The version this code writes and reads. */
    static final int VERSION = 3;

    private static final String[] V1 = {
        "CREATE TABLE users ("
            + " id INTEGER PRIMARY KEY,"
            + " name TEXT NOT NULL UNIQUE COLLATE NOCASE,"
            + " pw_hash TEXT NOT NULL,"
            + " created_ms INTEGER NOT NULL)",
        "CREATE TABLE messages ("
            + " id INTEGER PRIMARY KEY,"
            + " ts_ms INTEGER NOT NULL,"
            + " sender_id INTEGER NOT NULL REFERENCES users(id),"
            + " recipient_id INTEGER REFERENCES users(id),"
            + " body TEXT NOT NULL CHECK (length(body) > 0),"
            + " delivered INTEGER NOT NULL DEFAULT 0 CHECK (delivered IN (0, 1)))",
        "CREATE INDEX messages_by_recipient ON messages(recipient_id, id)",
        "CREATE INDEX messages_by_sender ON messages(sender_id, id)",
        "CREATE INDEX messages_by_conversation ON messages(sender_id, recipient_id, id)",
        "CREATE INDEX messages_pending ON messages(recipient_id, id) WHERE delivered = 0",
    };

    private static final String[] V2 = {
        "CREATE TABLE resume_tokens ("
            + " id INTEGER PRIMARY KEY,"
            + " user_id INTEGER NOT NULL REFERENCES users(id),"
            + " token_hash BLOB NOT NULL CHECK (length(token_hash) = 32),"
            + " expires_ms INTEGER NOT NULL)",
        "CREATE INDEX resume_tokens_by_user ON resume_tokens(user_id, id)",
    };

    private static final String[] V3 = {
        "DROP INDEX messages_by_conversation",
        "DROP INDEX messages_by_sender",
        "CREATE INDEX messages_by_sender ON messages(sender_id, id, recipient_id)",
    };

    /** MIGRATIONS[v] takes the schema from version v to v + 1. */
    private static final String[][] MIGRATIONS = {V1, V2, V3};

    private Schema() {
    }

    /**
     * Brings the database to {@link #VERSION}, one version per transaction so a crash mid-way
     * leaves a consistent, resumable state.
     *
     * @throws StoreException if the file was written by a newer version of this server
     */
    static void migrate(Connection c) throws SQLException, StoreException {
        int version = userVersion(c);
        if (version > VERSION) {
            throw new StoreException(StoreException.Kind.DATABASE,
                    "database schema v" + version + " is newer than this server (v" + VERSION + ")");
        }
        for (; version < VERSION; version++) {
            execute(c, "BEGIN IMMEDIATE");
            try {
                for (String sql : MIGRATIONS[version]) {
                    execute(c, sql);
                }
                // PRAGMA takes no bound parameters; the value is our own int constant.
                execute(c, "PRAGMA user_version = " + (version + 1));
                execute(c, "COMMIT");
            } catch (SQLException e) {
                execute(c, "ROLLBACK");
                throw e;
            }
        }
    }

    static int userVersion(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("PRAGMA user_version");
             ResultSet rs = ps.executeQuery()) {
            return rs.next() ? rs.getInt(1) : 0;
        }
    }

    private static void execute(Connection c, String sql) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.execute();
        }
    }
}
