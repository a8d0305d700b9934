package io.jevent.chat.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import org.sqlite.SQLiteConfig;

/**
 * Opens SQLite connections with the settings every connection of the store needs. The driver
 * applies the pragmas at open time, per connection ({@code foreign_keys} and {@code busy_timeout}
 * are per-connection settings in SQLite; {@code journal_mode=WAL} is persistent in the file).
 */
final class Connections {
    /**
     * The writer's checkpoint threshold, in pages (SQLite's default is 1,000). A batch of private
     * messages dirties about a leaf per active user in each index keyed by user, so at the default
     * the writer checkpointed after nearly every commit, copying the same hot pages again and again
     * while every acknowledgement waited; at 16,384 (a 64 MiB WAL) a hot page is copied once for
     * many commits. It stays on the writer's thread: a PASSIVE checkpoint elsewhere, beside a
     * writer that never pauses, cannot let the WAL restart, so the writer would reach this
     * threshold anyway (docs/benchmarks.md).
     */
    static final int WRITER_AUTOCHECKPOINT_PAGES = 16_384;
    /** Once the WAL restarts, its file is cut back to this size rather than keeping its peak. */
    static final int WAL_SIZE_LIMIT_BYTES = 64 << 20;
    /**
     * The writer's page cache (SQLite's default is 2 MiB). Each index keyed by user takes its
     * inserts at one leaf per user, and 200 active users across the three such indexes are ~2.4 MiB
     * of hot leaves alone: with the default, most inserts read their leaf back from the file.
     */
    static final int WRITER_CACHE_KIB = 64 << 10;

    private Connections() {
    }

    /** The single writer connection: WAL, chosen synchronous level, foreign keys, busy timeout. */
    static Connection openWriter(StoreConfig config) throws SQLException {
        SQLiteConfig sqlite = common(config);
        sqlite.setJournalMode(SQLiteConfig.JournalMode.WAL);
        sqlite.setSynchronous(SQLiteConfig.SynchronousMode.valueOf(config.durability().pragmaValue));
        sqlite.setCacheSize(-WRITER_CACHE_KIB);
        sqlite.setJournalSizeLimit(WAL_SIZE_LIMIT_BYTES);
        sqlite.setWalAutocheckpoint(WRITER_AUTOCHECKPOINT_PAGES);
        Connection c = sqlite.createConnection(url(config));
        try {
            String mode = queryString(c, "PRAGMA journal_mode");
            if (!"wal".equalsIgnoreCase(mode)) {
                throw new SQLException("could not enable WAL, journal_mode is " + mode);
            }
            return c;
        } catch (SQLException e) {
            c.close();
            throw e;
        }
    }

    /** A reader connection: refuses writes ({@code query_only}) so a bug cannot bypass the writer. */
    static Connection openReader(StoreConfig config) throws SQLException {
        Connection c = common(config).createConnection(url(config));
        try (PreparedStatement ps = c.prepareStatement("PRAGMA query_only = 1")) {
            ps.execute();
            return c;
        } catch (SQLException e) {
            c.close();
            throw e;
        }
    }

    static String queryString(Connection c, String sql) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    private static SQLiteConfig common(StoreConfig config) {
        SQLiteConfig sqlite = new SQLiteConfig();
        sqlite.enforceForeignKeys(true);
        sqlite.setBusyTimeout(config.busyTimeoutMs());
        return sqlite;
    }

    private static String url(StoreConfig config) {
        return "jdbc:sqlite:" + config.file().toAbsolutePath();
    }
}
