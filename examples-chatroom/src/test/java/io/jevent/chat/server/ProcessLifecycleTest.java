package io.jevent.chat.server;

import static io.jevent.chat.server.ServerFixture.PW;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import io.jevent.chat.cli.ChatroomMain;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server as a process: killed, it loses nothing it acknowledged; sent SIGTERM, it says BYE and
 * exits 0, or, if the disk does not answer, exits 3 within its shutdown timeout.
 */
@Timeout(value = 90, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ProcessLifecycleTest {
    @TempDir
    Path dir;

    @Test
    void everyAcknowledgedMessageSurvivesKill9() throws Exception {
        Path db = dir.resolve("chat.db");
        Set<Long> acked = new HashSet<>();
        Set<Long> ackedPrivate = new HashSet<>();
        try (ChildServer child = ChildServer.start(db)) {
            assertThat(child.startLine).endsWith("database " + db.toAbsolutePath());
            try (ChatClient bob = ChatClient.connect(child.address); ChatClient ann = ChatClient.connect(child.address)) {
                assertThat(bob.call("REGISTER bob " + PW)).isEqualTo("OK registered");
                ann.registerAndLogin("ann", PW);
                StringBuilder batch = new StringBuilder();
                for (int i = 0; i < 1000; i++) {
                    batch.append(i % 2 == 0 ? "SAY group " + i : "MSG bob private " + i).append('\n');
                }
                ann.sendRaw(batch.toString().getBytes(StandardCharsets.US_ASCII));   // ~1000 commits queued
                while (acked.size() < 300) {
                    String reply = ann.readReply().get(0);
                    long id = Long.parseLong(reply.replaceFirst("OK (sent|stored) ", ""));
                    acked.add(id);
                    if (reply.startsWith("OK stored ")) {
                        ackedPrivate.add(id);
                    }
                }
                child.process.destroyForcibly();   // mid-stream: more commits are in flight
                assertThat(child.awaitExit()).isNotZero();
            }
        }
        try (ChildServer again = ChildServer.start(db); ChatClient bob = ChatClient.connect(again.address)) {
            bob.send("LOGIN bob " + PW);
            assertThat(bob.readLine()).as("the resume token comes first").startsWith("TOKEN ");
            assertThat(bob.readLine()).isEqualTo("OK welcome bob");
            Set<Long> offline = new HashSet<>();
            bob.send("PING");
            String line = bob.readLine();
            while (line.startsWith("FROM ")) {
                offline.add(Long.parseLong(line.split(" ", -1)[2]));
                line = bob.readLine();
            }
            assertThat(line).isEqualTo("OK pong");
            assertThat(offline).as("every acknowledged private message is delivered after the crash").containsAll(ackedPrivate);
            Set<Long> history = new HashSet<>();
            for (String h : bob.callBlock("HISTORY 500")) {
                if (h.startsWith("HIST ")) {
                    history.add(Long.parseLong(h.split(" ", -1)[1]));
                }
            }
            assertThat(history).as("every acknowledged message is in history").containsAll(acked);
            System.out.printf("kill -9: %d acknowledged, %d in history after restart%n", acked.size(), history.size());
        }
    }

    @Test
    void sigtermSaysByeFinishesCommitsAndExitsZero() throws Exception {
        Path db = dir.resolve("chat.db");
        List<Long> acked = new ArrayList<>();
        List<String> annTail;
        try (ChildServer child = ChildServer.start(db);
             ChatClient idle = ChatClient.connect(child.address);
             ChatClient bob = ChatClient.connect(child.address);
             ChatClient ann = ChatClient.connect(child.address)) {
            bob.registerAndLogin("bob", PW);
            ann.registerAndLogin("ann", PW);
            ann.sendRaw("SAY hello\n".repeat(200).getBytes(StandardCharsets.US_ASCII));
            assertThat(ann.readReply()).singleElement().asString().startsWith("OK sent ");   // commits under way

            child.process.destroy();   // SIGTERM

            assertThat(idle.readToEnd()).containsExactly("BYE server shutting down");
            annTail = ann.readToEnd();
            assertThat(annTail.get(annTail.size() - 1)).isEqualTo("BYE server shutting down");
            for (String l : annTail.subList(0, annTail.size() - 1)) {
                assertThat(l).as("only replies to commands already started, then BYE").matches("OK sent \\d+|JOIN bob|PART bob");
                if (l.startsWith("OK sent ")) {
                    acked.add(Long.parseLong(l.substring(8)));
                }
            }
            List<String> bobTail = bob.readToEnd();
            assertThat(bobTail.get(bobTail.size() - 1)).isEqualTo("BYE server shutting down");
            assertThat(child.awaitExit()).as("exit code after SIGTERM").isZero();
        }
        // Closed cleanly: the WAL was checkpointed into the database, and what was acknowledged is there.
        assertThat(dir.resolve("chat.db-wal")).satisfiesAnyOf(
                p -> assertThat(p).doesNotExist(), p -> assertThat(p).isEmptyFile());
        Set<Long> stored = new HashSet<>();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("chat.db"));
             Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT id FROM messages")) {
            while (rs.next()) {
                stored.add(rs.getLong(1));
            }
        }
        assertThat(stored).containsAll(acked);
        System.out.printf("SIGTERM: %d of 200 pipelined messages acknowledged before BYE, %d stored%n", acked.size() + 1, stored.size());
    }

    /** A SIGTERM used to wait for a stalled disk forever. */
    @Test
    void sigtermWithTheDiskStalledEndsWithinTheShutdownTimeoutAndExitsNonZero() throws Exception {
        Path db = dir.resolve("chat.db");
        Path log = dir.resolve("stderr.txt");
        try (ChildServer child = ChildServer.startMain(StalledDiskServer.class,
                ProcessBuilder.Redirect.to(log.toFile()), List.of(), List.of(db.toString(), "1"));
             ChatClient bob = ChatClient.connect(child.address);
             ChatClient ann = ChatClient.connect(child.address)) {
            bob.registerAndLogin("bob", PW);
            ann.registerAndLogin("ann", PW);
            child.tell("stall");
            assertThat(child.readLine()).isEqualTo("stalled");
            ann.send("MSG bob never acknowledged");   // waits for the disk, like the write before it

            child.process.destroy();   // SIGTERM

            assertThat(child.awaitExit()).as("exit status after a shutdown that abandoned writes")
                    .isEqualTo(ChatServer.EXIT_WRITES_ABANDONED);
            assertThat(linesUntilClosed(ann)).as("nothing unfinished is acknowledged").noneMatch(l -> l.startsWith("OK sent"));
            assertThat(linesUntilClosed(bob)).noneMatch(l -> l.startsWith("FROM "));
        }
        assertThat(Files.readString(log)).containsPattern("shutdown timed out after 1000 ms waiting for the database:"
                + " abandoned [12] unacknowledged writes");
        // The database is intact, without the write that never committed.
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
             Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("PRAGMA integrity_check")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("ok");
            }
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM messages")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getInt(1)).isZero();
            }
        }
    }

    /** What the client reads until the connection ends, by a close or (the process gone) a reset. */
    private static List<String> linesUntilClosed(ChatClient client) {
        List<String> lines = new ArrayList<>();
        try {
            String line;
            while ((line = client.readLine()) != null) {
                lines.add(line);
            }
        } catch (java.io.UncheckedIOException reset) {
            // the end too
        }
        return lines;
    }

    /**
     * A loop thread that dies (here an injected OutOfMemoryError, as when direct
     * memory ran out) must not leave a zombie that holds its sockets and serves nobody: the server
     * says BYE on the loops still alive, closes the database cleanly and exits 70 for a supervisor.
     */
    @Test
    void aDeadLoopThreadShutsTheServerDownAndExitsNonZero() throws Exception {
        Path db = dir.resolve("chat.db");
        Path log = dir.resolve("stderr.txt");
        try (ChildServer child = ChildServer.start(db, ProcessBuilder.Redirect.to(log.toFile()),
                List.of("-D" + ServerContext.KILL_LOOP_PROPERTY + "=HELP"), "--io-threads", "2");
             ChatClient victim = ChatClient.connect(child.address);   // loop 0
             ChatClient bob = ChatClient.connect(child.address)) {    // loop 1
            bob.registerAndLogin("bob", PW);
            assertThat(bob.call("SAY before")).matches("OK sent \\d+");

            victim.send("HELP");   // kills loop 0

            List<String> bobTail = bob.readToEnd();
            assertThat(bobTail).as("the live loop's users are told").endsWith("BYE server shutting down");
            bob.socket.close();   // as a client should at end of stream: the server need not wait for it
            assertThat(child.awaitExit()).as("exit status after a loop died").isEqualTo(ChatroomMain.EXIT_FAILED);
        }
        assertThat(Files.readString(log)).as("the operator is told which loop died, and of what")
                .containsPattern("loop thread \\S+ died \\(java.lang.OutOfMemoryError: injected by -D"
                        + ServerContext.KILL_LOOP_PROPERTY + "=HELP\\); shutting down what is left");
        assertThat(dir.resolve("chat.db-wal")).as("the database was closed cleanly").satisfiesAnyOf(
                p -> assertThat(p).doesNotExist(), p -> assertThat(p).isEmptyFile());
    }
}
