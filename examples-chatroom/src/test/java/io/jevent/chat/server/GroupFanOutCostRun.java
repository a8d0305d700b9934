package io.jevent.chat.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * A measurement, not a test (skipped unless {@code -Dchat.fanout.run=true}): the CPU and heap the
 * event loop threads spend per group delivery, with 1,000 logged-in readers on loopback and one
 * sender saying one line at a time, in rounds of the same run. Every reader checks every delivery's
 * sender and order, so nothing lost or reordered is counted.
 *
 * <pre>
 * ./mvnw -B -o test -pl examples-chatroom -am -Dtest=GroupFanOutCostRun \
 *     -Dsurefire.failIfNoSpecifiedTests=false -Dchat.fanout.run=true [-Dchat.fanout.ioThreads=2]
 * </pre>
 */
@EnabledIfSystemProperty(named = "chat.fanout.run", matches = "true")
@Timeout(900)
class GroupFanOutCostRun {
    private static final int READERS = Integer.getInteger("chat.fanout.readers", 1_000);
    private static final int PER_ROUND = Integer.getInteger("chat.fanout.messages", 100);
    private static final int ROUNDS = Integer.getInteger("chat.fanout.rounds", 6);
    private static final int IO_THREADS = Integer.getInteger("chat.fanout.ioThreads", 1);
    private static final String BODY = "a typical chat line of about forty chars";

    @Test
    void measure(@TempDir Path dir) throws Exception {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        try (ServerFixture f = ServerFixture.start(dir, c -> c.withThreads(IO_THREADS, 2)
                .withIdleTimeout(Duration.ofMinutes(30)).withKeepalive(Keepalive.OFF))) {
            ChatClient sender = f.user("sender");
            List<ChatClient> readers = new ArrayList<>();
            for (int i = 0; i < READERS; i++) {
                readers.add(f.user("r" + i));
            }
            long[] loopIds = loopThreadIds();
            assertThat(loopIds).hasSize(IO_THREADS);
            round(sender, readers, 0, PER_ROUND);  // warm-up; also skips the JOIN lines

            long cpu = 0;
            long alloc = 0;
            long deliveries = 0;
            List<Double> rounds = new ArrayList<>();
            for (int r = 1; r <= ROUNDS; r++) {
                long c0 = sum(loopIds, mx::getThreadCpuTime);
                long a0 = sum(loopIds, mx::getThreadAllocatedBytes);
                long delivered = round(sender, readers, r, PER_ROUND);
                long c = sum(loopIds, mx::getThreadCpuTime) - c0;
                cpu += c;
                alloc += sum(loopIds, mx::getThreadAllocatedBytes) - a0;
                deliveries += delivered;
                rounds.add((double) c / delivered);
            }
            System.out.printf(Locale.ROOT, "group fan-out, %d readers, %d io thread(s), %d rounds x %d messages%n",
                    READERS, IO_THREADS, ROUNDS, PER_ROUND);
            System.out.printf(Locale.ROOT, "loop CPU per delivery: %.0f ns (median of rounds %.0f, rounds %s);"
                    + " %.0f heap bytes allocated per delivery%n", (double) cpu / deliveries, median(rounds),
                    rounds.stream().map(x -> String.format(Locale.ROOT, "%.0f", x)).toList(), (double) alloc / deliveries);
            for (ChatClient r : readers) {
                r.close();
            }
            sender.close();
        }
    }

    /** The sender says {@code n} lines; every reader must get each of them, in order. Returns deliveries. */
    private static long round(ChatClient sender, List<ChatClient> readers, int round, int n) {
        for (int i = 0; i < n; i++) {
            assertThat(sender.call("SAY " + round + "/" + i + " " + BODY)).startsWith("OK sent ");
        }
        for (ChatClient r : readers) {
            for (int i = 0; i < n; i++) {
                String expected = " " + round + "/" + i + " " + BODY;
                String line = r.awaitEvent(e -> e.startsWith("GROUP "));
                assertThat(line).startsWith("GROUP sender ").endsWith(expected);
            }
        }
        return (long) n * readers.size();
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(null);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static long[] loopThreadIds() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("chat-io-"))
                .mapToLong(Thread::getId)
                .toArray();
    }

    private static long sum(long[] ids, java.util.function.LongUnaryOperator f) {
        long s = 0;
        for (long id : ids) {
            s += f.applyAsLong(id);
        }
        return s;
    }
}
