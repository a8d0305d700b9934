package io.jevent.chat.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * A measurement, not a test (skipped unless {@code -Dchat.fanout.run=true}): the CPU and heap the
 * event loop threads spend per group delivery, with 1,000 logged-in readers on loopback and one
 * sender saying one line at a time (or several pipelining), in rounds of the same run. Every reader checks every delivery's
 * sender and order, so nothing lost or reordered is counted.
 *
 * <pre>
 * ./mvnw -B -o test -pl examples-chatroom -am -Dtest=GroupFanOutCostRun \
 *     -Dsurefire.failIfNoSpecifiedTests=false -Dchat.fanout.run=true [-Dchat.fanout.ioThreads=2] [-Dchat.fanout.senders=20]
 * </pre>
 */
@EnabledIfSystemProperty(named = "chat.fanout.run", matches = "true")
@Timeout(900)
class GroupFanOutCostRun {
    private static final int READERS = Integer.getInteger("chat.fanout.readers", 1_000);
    private static final int PER_ROUND = Integer.getInteger("chat.fanout.messages", 100);
    private static final int ROUNDS = Integer.getInteger("chat.fanout.rounds", 6);
    private static final int IO_THREADS = Integer.getInteger("chat.fanout.ioThreads", 1);
    /**
     * Senders: one waits for each OK; more pipeline their share of a round's SAYs at once, so that
     * messages of several senders share commits and loop iterations, as under load.
     */
    private static final int SENDERS = Integer.getInteger("chat.fanout.senders", 1);
    private static final String BODY = "a typical chat line of about forty chars";

    @Test
    void measure(@TempDir Path dir) throws Exception {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        try (ServerFixture f = ServerFixture.start(dir, c -> c.withThreads(IO_THREADS, 2)
                .withIdleTimeout(Duration.ofMinutes(30)).withKeepalive(Keepalive.OFF))) {
            List<ChatClient> senders = new ArrayList<>();
            for (int i = 0; i < SENDERS; i++) {
                senders.add(f.user("sender" + i));
            }
            List<ChatClient> readers = new ArrayList<>();
            for (int i = 0; i < READERS; i++) {
                readers.add(f.user("r" + i));
            }
            long[] loopIds = loopThreadIds();
            assertThat(loopIds).hasSize(IO_THREADS);
            round(senders, readers, 0, PER_ROUND);  // warm-up; also skips the JOIN lines

            long cpu = 0;
            long alloc = 0;
            long deliveries = 0;
            List<Double> rounds = new ArrayList<>();
            for (int r = 1; r <= ROUNDS; r++) {
                long c0 = sum(loopIds, mx::getThreadCpuTime);
                long a0 = sum(loopIds, mx::getThreadAllocatedBytes);
                long delivered = round(senders, readers, r, PER_ROUND);
                long c = sum(loopIds, mx::getThreadCpuTime) - c0;
                cpu += c;
                alloc += sum(loopIds, mx::getThreadAllocatedBytes) - a0;
                deliveries += delivered;
                rounds.add((double) c / delivered);
            }
            System.out.printf(Locale.ROOT, "group fan-out, %d readers, %d io thread(s), %d rounds x %d messages, %s%n",
                    READERS, IO_THREADS, ROUNDS, PER_ROUND, SENDERS == 1 ? "one sender, one at a time" : SENDERS + " senders pipelining");
            System.out.printf(Locale.ROOT, "loop CPU per delivery: %.0f ns (median of rounds %.0f, rounds %s);"
                    + " %.0f heap bytes allocated per delivery%n", (double) cpu / deliveries, median(rounds),
                    rounds.stream().map(x -> String.format(Locale.ROOT, "%.0f", x)).toList(), (double) alloc / deliveries);
            for (ChatClient r : readers) {
                r.close();
            }
            senders.forEach(ChatClient::close);
        }
    }

    /**
     * The senders say {@code n} lines between them; every reader must get each of them, each
     * sender's in order. Returns deliveries to the readers.
     */
    private static long round(List<ChatClient> senders, List<ChatClient> readers, int round, int n) {
        int perSender = n / senders.size();
        if (senders.size() == 1) {
            for (int i = 0; i < perSender; i++) {
                assertThat(senders.get(0).call("SAY " + round + "/" + i + " " + BODY)).startsWith("OK sent ");
            }
        } else {
            for (ChatClient sender : senders) {
                StringBuilder says = new StringBuilder();
                for (int i = 0; i < perSender; i++) {
                    says.append("SAY ").append(round).append('/').append(i).append(' ').append(BODY).append('\n');
                }
                sender.sendRaw(says.toString().getBytes(StandardCharsets.UTF_8));
            }
            for (ChatClient sender : senders) {
                for (int i = 0; i < perSender; i++) {
                    List<String> reply = sender.readReply();
                    assertThat(reply.get(reply.size() - 1)).startsWith("OK sent ");
                }
            }
        }
        for (ChatClient r : readers) {
            Map<String, Integer> next = new HashMap<>();
            for (int k = 0; k < perSender * senders.size(); k++) {
                String line = r.awaitEvent(e -> e.startsWith("GROUP "));
                String from = line.substring("GROUP ".length(), line.indexOf(' ', "GROUP ".length()));
                int i = next.merge(from, 1, Integer::sum) - 1;
                assertThat(line).startsWith("GROUP sender").endsWith(" " + round + "/" + i + " " + BODY);
            }
        }
        return (long) perSender * senders.size() * readers.size();
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
