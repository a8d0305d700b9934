package io.jevent.chat.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class DurabilityTest {
    private static final int ACKS_BEFORE_KILL = 2_000;

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void everyAcknowledgedMessageSurvivesAKill() throws Exception {
        Path db = dir.resolve("chat.db");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                AppendUntilKilled.class.getName(), db.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        Set<Long> acked = new HashSet<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            assertThat(out.readLine()).isEqualTo("READY");
            String line;
            while (acked.size() < ACKS_BEFORE_KILL && (line = out.readLine()) != null) {
                acked.add(Long.parseLong(line.substring(4)));
            }
            assertThat(acked).as("child acknowledged before dying on its own").hasSize(ACKS_BEFORE_KILL);
            // Killed while still appending (the child has ~512 writes in flight). Acks still in
            // the pipe are lost to us (destroy closes our end), so we check the ones we read.
            child.destroyForcibly();
        } finally {
            child.destroyForcibly();
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }

        // Reopening as the server would runs recovery; then a plain connection sees every row.
        ChatStore.open(StoreConfig.defaults(db)).close();
        Set<Long> present = new HashSet<>();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
             PreparedStatement ps = c.prepareStatement("SELECT id FROM messages");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                present.add(rs.getLong(1));
            }
        }
        assertThat(present).containsAll(acked);
        System.out.printf("durability: %d acknowledged, %d present after kill%n", acked.size(), present.size());
    }
}
