package io.jevent.chat.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import io.jevent.testing.CapturedLog;
import java.util.logging.Level;

/** A failing commit reaches the client as ERR 500 with nothing half done, and the server goes on. */
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class DatabaseErrorTest {
    @TempDir
    Path dir;

    @Test
    void aFailedCommitIsAnErr500AndNothingIsDeliveredOrStored() throws Exception {
        try (CapturedLog log = CapturedLog.of(Session.class); ServerFixture fx = ServerFixture.start(dir)) {
            ChatClient ann = fx.user("ann");
            ChatClient bob = fx.user("bob");
            // The database refuses one particular message, as a full disk or I/O error would.
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("chat.db"));
                 Statement s = c.createStatement()) {
                s.execute("CREATE TRIGGER refuse BEFORE INSERT ON messages WHEN NEW.body LIKE 'boom%' "
                        + "BEGIN SELECT RAISE(ABORT, 'disk on fire'); END");
            }
            assertThat(ann.call("SAY boom")).startsWith("ERR 500 ").contains("disk on fire");
            assertThat(ann.call("MSG bob boom")).startsWith("ERR 500 ");
            // Logged on the loop before the reply was sent: the operator hears of each failure.
            assertThat(log.messages(Level.WARNING)).satisfiesExactly(
                    m -> assertThat(m).startsWith("SAY of #").contains("disk on fire"),
                    m -> assertThat(m).startsWith("MSG of #").contains("disk on fire"));
            String ok = ann.call("MSG bob fine");
            assertThat(ok).matches("OK sent \\d+");
            assertThat(bob.awaitEvent(e -> e.startsWith("FROM "))).endsWith(" fine");
            assertThat(bob.events).noneMatch(e -> e.contains("boom"));
            assertThat(bob.callBlock("HISTORY")).noneMatch(l -> l.contains("boom")).last().isEqualTo("OK 1");
        }
    }
}
