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
    private Connections() {
    }

    /** The single writer connection: WAL, chosen synchronous level, foreign keys, busy timeout. */
    static Connection openWriter(StoreConfig config) throws SQLException {
        SQLiteConfig sqlite = common(config);
        sqlite.setJournalMode(SQLiteConfig.JournalMode.WAL);
        sqlite.setSynchronous(SQLiteConfig.SynchronousMode.valueOf(config.durability().pragmaValue));
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
