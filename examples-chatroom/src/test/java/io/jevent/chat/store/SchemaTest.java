package io.jevent.chat.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The schema's indexes against the queries that need them, and the migration to the current version. */
class SchemaTest {
    /** The version 2 schema as it was released, frozen here so the migration from it stays tested. */
    private static final String[] VERSION_2 = {
        "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE COLLATE NOCASE,"
            + " pw_hash TEXT NOT NULL, created_ms INTEGER NOT NULL)",
        "CREATE TABLE messages (id INTEGER PRIMARY KEY, ts_ms INTEGER NOT NULL,"
            + " sender_id INTEGER NOT NULL REFERENCES users(id), recipient_id INTEGER REFERENCES users(id),"
            + " body TEXT NOT NULL CHECK (length(body) > 0),"
            + " delivered INTEGER NOT NULL DEFAULT 0 CHECK (delivered IN (0, 1)))",
        "CREATE INDEX messages_by_recipient ON messages(recipient_id, id)",
        "CREATE INDEX messages_by_sender ON messages(sender_id, id)",
        "CREATE INDEX messages_by_conversation ON messages(sender_id, recipient_id, id)",
        "CREATE INDEX messages_pending ON messages(recipient_id, id) WHERE delivered = 0",
        "CREATE TABLE resume_tokens (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id),"
            + " token_hash BLOB NOT NULL CHECK (length(token_hash) = 32), expires_ms INTEGER NOT NULL)",
        "CREATE INDEX resume_tokens_by_user ON resume_tokens(user_id, id)",
        "PRAGMA user_version = 2",
    };

    @TempDir
    Path dir;
    private final AtomicLong clock = new AtomicLong(1_700_000_000_000L);
    private ChatStore store;

    @AfterEach
    void closeStore() {
        if (store != null) {
            store.close();
        }
    }

    private Path db() {
        return dir.resolve("chat.db");
    }

    private ChatStore open() throws StoreException {
        store = ChatStore.open(StoreConfig.defaults(db())
                .withDurability(StoreConfig.Durability.SURVIVES_PROCESS_CRASH)
                .withClock(clock::incrementAndGet));
        return store;
    }

    @Test
    void everyQueryOnMessagesSearchesAnIndexInsteadOfScanningTheTable() throws Exception {
        open().close();
        store = null;
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db())) {
            for (String sql : List.of(ReaderOps.VISIBLE_HISTORY, ReaderOps.CONVERSATION, WriterOps.PENDING)) {
                List<String> plan = plan(c, sql);
                assertThat(plan).as(sql).isNotEmpty()
                        .noneMatch(step -> step.matches("SCAN (m|messages)\\b.*"));
            }
            // Each direction of a conversation reads the recipient from the sender's index alone.
            assertThat(plan(c, ReaderOps.CONVERSATION))
                    .filteredOn(step -> step.contains("messages_by_sender"))
                    .hasSize(2)
                    .allMatch(step -> step.contains("COVERING INDEX"));
        }
    }

    @Test
    void aVersion2DatabaseKeepsItsMessagesAndLosesTheIndexPerPair() throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db())) {
            for (String sql : VERSION_2) {
                execute(c, sql);
            }
            execute(c, "INSERT INTO users VALUES (1, 'Ann', 'h', 0), (2, 'Bob', 'h', 0), (3, 'Cy', 'h', 0)");
            execute(c, "INSERT INTO messages VALUES (1, 1, 1, 2, 'ann to bob', 1), (2, 2, 2, 1, 'bob to ann', 1),"
                    + " (3, 3, 1, 3, 'ann to cy', 0), (4, 4, 3, NULL, 'cy to all', 1)");
        }
        open();
        List<StoredMessage> conversation = Async.value(cb -> store.history(1, 10, "bob", cb));
        assertThat(conversation).extracting(StoredMessage::body).containsExactly("ann to bob", "bob to ann");
        List<StoredMessage> pending = Async.value(cb -> store.pendingMessages(3, cb));
        assertThat(pending).extracting(StoredMessage::body).containsExactly("ann to cy");
        store.close();
        store = null;
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db())) {
            assertThat(Schema.userVersion(c)).isEqualTo(3);
            assertThat(rows(c, "SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE 'messages_%'"
                    + " ORDER BY name")).containsExactly("messages_by_recipient", "messages_by_sender", "messages_pending");
            assertThat(rows(c, "SELECT name FROM pragma_index_info('messages_by_sender') ORDER BY seqno"))
                    .containsExactly("sender_id", "id", "recipient_id");
        }
    }

    private static List<String> plan(Connection c, String sql) throws SQLException {
        return rows(c, "EXPLAIN QUERY PLAN " + sql, 4);
    }

    private static List<String> rows(Connection c, String sql) throws SQLException {
        return rows(c, sql, 1);
    }

    private static List<String> rows(Connection c, String sql, int column) throws SQLException {
        List<String> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(rs.getString(column));
            }
        }
        return out;
    }

    private static void execute(Connection c, String sql) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.execute();
        }
    }
}
