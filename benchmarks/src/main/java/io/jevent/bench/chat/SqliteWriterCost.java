package io.jevent.bench.chat;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * What the chat store's writer costs SQLite per private message, without the server around it: one
 * thread runs the writer's statements (the {@code INSERT … RETURNING id} of each message, and in the
 * next transaction the {@code UPDATE} that marks the previous batch delivered) in transactions of
 * {@code batch} messages between 200 users picked at random, on a fresh file, and reports wall time
 * and thread CPU per message over the last two thirds of the run.
 *
 * <p>Usage: {@code java -cp benchmarks/target/benchmarks.jar:examples-chatroom/target/chatroom.jar
 * io.jevent.bench.chat.SqliteWriterCost <v2|v3|cursor|none> <batch> <messages> <cache KiB> <checkpoint pages>}.
 * {@code v2} and {@code v3} are the {@code messages} indexes of the store's schema versions 2 (with
 * the per-pair index) and 3; {@code cursor} is v3 with delivery as a per-recipient cursor (see
 * {@link #CURSOR}); {@code none} has no index, the floor. The writer's settings as shipped
 * are a 65536 KiB cache and 16384 checkpoint pages; SQLite's defaults are 2000 and 1000.
 */
public final class SqliteWriterCost {
    private static final int USERS = 200;
    private static final List<String> V2 = List.of(
            "CREATE INDEX messages_by_recipient ON messages(recipient_id, id)",
            "CREATE INDEX messages_by_sender ON messages(sender_id, id)",
            "CREATE INDEX messages_by_conversation ON messages(sender_id, recipient_id, id)",
            "CREATE INDEX messages_pending ON messages(recipient_id, id) WHERE delivered = 0");
    private static final List<String> V3 = List.of(
            "CREATE INDEX messages_by_recipient ON messages(recipient_id, id)",
            "CREATE INDEX messages_by_sender ON messages(sender_id, id, recipient_id)",
            "CREATE INDEX messages_pending ON messages(recipient_id, id) WHERE delivered = 0");

    /**
     * Layout {@code cursor}: v3 without the partial index of undelivered rows, as if delivery were
     * kept as one row per recipient (the highest id it received) instead of a flag per message; the
     * marks become one UPDATE per recipient per batch. What such a redesign would save the writer.
     */
    private static final List<String> CURSOR = List.of(
            "CREATE INDEX messages_by_recipient ON messages(recipient_id, id)",
            "CREATE INDEX messages_by_sender ON messages(sender_id, id, recipient_id)");

    private SqliteWriterCost() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 5) {
            System.err.println("usage: SqliteWriterCost <v2|v3|cursor|none> <batch> <messages> <cache KiB> <checkpoint pages>");
            System.exit(2);
        }
        List<String> indexes = switch (args[0]) {
            case "v2" -> V2;
            case "v3" -> V3;
            case "none" -> List.of();
            case "cursor" -> CURSOR;
            default -> throw new IllegalArgumentException("layout must be v2, v3, cursor or none: " + args[0]);
        };
        int batch = Integer.parseInt(args[1]);
        int total = Integer.parseInt(args[2]);
        int cacheKib = Integer.parseInt(args[3]);
        int checkpointPages = Integer.parseInt(args[4]);
        Path dir = Files.createTempDirectory("sqlite-writer-cost");
        Path file = dir.resolve("chat.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file)) {
            setUp(c, indexes, cacheKib, checkpointPages);
            double[] perMessage = run(c, batch, total, args[0].equals("cursor"));
            System.out.printf(Locale.ROOT, "%-4s batch %5d, cache %6d KiB, checkpoint %6d pages: %6.1f us/msg wall, %6.1f us/msg CPU%n",
                    args[0], batch, cacheKib, checkpointPages, perMessage[0], perMessage[1]);
        } finally {
            for (String suffix : List.of("", "-wal", "-shm")) {
                Files.deleteIfExists(dir.resolve("chat.db" + suffix));
            }
            Files.deleteIfExists(dir);
        }
    }

    private static void setUp(Connection c, List<String> indexes, int cacheKib, int checkpointPages) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("PRAGMA journal_mode = WAL");
            s.execute("PRAGMA synchronous = FULL");
            s.execute("PRAGMA cache_size = -" + cacheKib);
            s.execute("PRAGMA wal_autocheckpoint = " + checkpointPages);
            s.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE COLLATE NOCASE,"
                    + " pw_hash TEXT NOT NULL, created_ms INTEGER NOT NULL)");
            s.execute("CREATE TABLE messages (id INTEGER PRIMARY KEY, ts_ms INTEGER NOT NULL,"
                    + " sender_id INTEGER NOT NULL REFERENCES users(id), recipient_id INTEGER REFERENCES users(id),"
                    + " body TEXT NOT NULL CHECK (length(body) > 0),"
                    + " delivered INTEGER NOT NULL DEFAULT 0 CHECK (delivered IN (0, 1)))");
            s.execute("CREATE TABLE delivery_cursors (user_id INTEGER PRIMARY KEY, delivered_id INTEGER NOT NULL)");
            for (String index : indexes) {
                s.execute(index);
            }
            s.execute("PRAGMA foreign_keys = ON");
            s.execute("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < " + USERS + ")"
                    + " INSERT INTO users SELECT i, 'u' || i, 'x', 0 FROM n");
            s.execute("INSERT INTO delivery_cursors SELECT id, 0 FROM users");
        }
    }

    /** @return wall and thread-CPU microseconds per message over the last two thirds */
    private static double[] run(Connection c, int batch, int total, boolean cursor) throws SQLException {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        Random random = new Random(1);
        long[] previousIds = new long[batch];
        long[] previousRecipients = new long[batch];
        int previous = 0;
        long wallStart = 0;
        long cpuStart = 0;
        int measuredFrom = total / 3;
        try (PreparedStatement begin = c.prepareStatement("BEGIN IMMEDIATE");
             PreparedStatement commit = c.prepareStatement("COMMIT");
             PreparedStatement insert = c.prepareStatement("INSERT INTO messages(ts_ms, sender_id, recipient_id, body,"
                     + " delivered) VALUES (?, ?, ?, ?, 0) RETURNING id");
             PreparedStatement markDelivered = c.prepareStatement(cursor
                     ? "UPDATE delivery_cursors SET delivered_id = max(delivered_id, ?) WHERE user_id = ?"
                     : "UPDATE messages SET delivered = 1 WHERE id = ? AND recipient_id = ? AND delivered = 0")) {
            for (int done = 0; done < total; ) {
                if (wallStart == 0 && done >= measuredFrom) {
                    wallStart = System.nanoTime();
                    cpuStart = threads.getCurrentThreadCpuTime();
                    measuredFrom = done;
                }
                begin.execute();
                if (cursor) {
                    addCursorMarks(markDelivered, previousIds, previousRecipients, previous);
                } else {
                    for (int i = 0; i < previous; i++) {
                        markDelivered.setLong(1, previousIds[i]);
                        markDelivered.setLong(2, previousRecipients[i]);
                        markDelivered.addBatch();
                    }
                }
                if (previous > 0) {
                    markDelivered.executeBatch();
                    markDelivered.clearBatch();
                }
                int n = Math.min(batch, total - done);
                for (int i = 0; i < n; i++) {
                    long to = 1L + random.nextInt(USERS);
                    insert.setLong(1, System.currentTimeMillis());
                    insert.setLong(2, 1L + random.nextInt(USERS));
                    insert.setLong(3, to);
                    insert.setString(4, "message " + (done + i) + " from the load generator");
                    try (ResultSet rs = insert.executeQuery()) {
                        rs.next();
                        previousIds[i] = rs.getLong(1);
                        previousRecipients[i] = to;
                    }
                }
                previous = n;
                commit.execute();
                done += n;
            }
        }
        int measured = total - measuredFrom;
        return new double[] {
            (System.nanoTime() - wallStart) / 1e3 / measured,
            (threads.getCurrentThreadCpuTime() - cpuStart) / 1e3 / measured,
        };
    }

    /** One UPDATE per recipient of the previous batch: its cursor moves to the highest id it received. */
    private static void addCursorMarks(PreparedStatement markDelivered, long[] ids, long[] recipients, int n)
            throws SQLException {
        long[] through = new long[USERS + 1];
        for (int i = 0; i < n; i++) {
            int to = (int) recipients[i];
            through[to] = Math.max(through[to], ids[i]);
        }
        for (int u = 1; u <= USERS; u++) {
            if (through[u] > 0) {
                markDelivered.setLong(1, through[u]);
                markDelivered.setLong(2, u);
                markDelivered.addBatch();
            }
        }
    }
}
