package io.jevent.chat.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;

import io.jevent.chat.Transport;
import io.jevent.chat.store.StoreFaults;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import io.jevent.testing.CapturedLog;
import java.util.logging.Level;

/** A failing commit reaches the client as ERR 500 with nothing half done, and the server goes on. */
@ParameterizedClass
@EnumSource(Transport.class)
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class DatabaseErrorTest {
    @Parameter
    Transport transport;

    @TempDir
    Path dir;

    @Test
    void aFailedCommitIsAnErr500AndNothingIsDeliveredOrStored() throws Exception {
        try (CapturedLog log = CapturedLog.of(Session.class); ServerFixture fx = ServerFixture.start(transport, dir)) {
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

    /** One SQLITE_FULL used to break every later write until a restart. */
    @Test
    void aFullDiskIsAnErr500UntilSpaceReturnsThenWritesSucceedAgain() throws Exception {
        try (CapturedLog log = CapturedLog.of(Session.class); ServerFixture fx = ServerFixture.start(transport, dir)) {
            ChatClient ann = fx.user("ann");
            ChatClient bob = fx.user("bob");
            StoreFaults.fillDisk(fx.server.store());
            String line = "z".repeat(4000);
            String reply = "";
            // The first few may still fit in pages the file already has; within 64 KiB it is full.
            for (int i = 0; i < 16 && !reply.startsWith("ERR"); i++) {
                reply = ann.call("SAY " + line);
            }
            assertThat(reply).startsWith("ERR 500 ").contains("SQLITE_FULL");
            assertThat(ann.call("MSG bob " + line)).startsWith("ERR 500 ").contains("SQLITE_FULL");

            StoreFaults.freeDisk(fx.server.store());
            assertThat(ann.call("SAY " + line)).matches("OK sent \\d+");
            String sent = ann.call("MSG bob after the disk was full");
            assertThat(sent).matches("OK sent \\d+");
            assertThat(bob.awaitEvent(e -> e.startsWith("FROM "))).endsWith(" after the disk was full");
            assertThat(ann.call("REGISTER carol " + ServerFixture.PW)).isEqualTo("OK registered");
            assertThat(log.messages(Level.WARNING)).as("each failure is logged for the operator").satisfiesExactly(
                    m -> assertThat(m).startsWith("SAY of #").contains("SQLITE_FULL"),
                    m -> assertThat(m).startsWith("MSG of #").contains("SQLITE_FULL"));
        }
    }
}
