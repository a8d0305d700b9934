package io.jevent.bench.chat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import io.jevent.bench.Machine;
import io.jevent.bench.echo.LatencyHistogram;
import io.jevent.bench.echo.ProcCpu;
import io.jevent.chat.auth.PasswordHasher;

/**
 * The chat benchmark ({@code benchmarks/run.sh chat}): the chat server from {@code chatroom.jar} in
 * its own JVM ({@link ChatServerProcess}), a fresh copy of one seeded database per cell, and the load
 * generator ({@link ChatLoad}) in this JVM. Cells:
 * <ul>
 *   <li>group, 200 users, 20 senders with 8 SAYs in flight each, as fast as they go: deliveries/s;</li>
 *   <li>group, 1,000 users, 20 senders at 200 SAYs/s together (200k deliveries/s): delivery latency;</li>
 *   <li>private, 200 users each sending MSG to the next, 1 and 8 in flight: acknowledged msgs/s and
 *       ack latency;</li>
 *   <li>reconnect storm: 1,000 users logged in, the server restarted (SIGTERM, then a new process on
 *       the same database), everyone logs in again at once: the time until all are back, bounded at
 *       {@link #STORM_BOUND}; a client whose LOGIN reply carried a resume token ({@code TOKEN} line) uses
 *       {@code RESUME} instead of LOGIN.</li>
 * </ul>
 * PBKDF2: the users are seeded with a cheap hash ({@value #SEED_ITERATIONS} rounds, the server run
 * with the same count so no LOGIN re-hashes) so the cells do not spend minutes logging in; before the
 * storm's restart every stored hash is replaced by one at OWASP's count ({@link
 * PasswordHasher#DEFAULT_ITERATIONS}) and the new server runs with its defaults, so the storm pays
 * what a production restart pays.
 *
 * <p>Everything runs on the main thread but the load's workers; servers are stopped on failure too.
 */
public final class ChatReport {
    static final int SEED_ITERATIONS = 1000;
    static final Duration STORM_BOUND = Duration.ofSeconds(30);
    /** Load threads in this JVM and the server's {@code --io-threads}, as the options say. */
    private static int loadThreads = 2;
    private static int ioThreads = 1;
    private static final Duration WARMUP = Duration.ofSeconds(3);
    private static final Duration WINDOW = Duration.ofSeconds(8);

    static final List<ChatLoad.Cell> CELLS = List.of(
            new ChatLoad.Cell("group 200u, 20 senders x 8, max", true, 200, 20, 8, 0, WARMUP, WINDOW),
            new ChatLoad.Cell("group 1000u, 200 msgs/s", true, 1000, 20, 64, 200, WARMUP, WINDOW),
            new ChatLoad.Cell("private 200u, 1 in flight", false, 200, 200, 1, 0, WARMUP, WINDOW),
            new ChatLoad.Cell("private 200u, 8 in flight", false, 200, 200, 8, 0, WARMUP, WINDOW));

    private ChatReport() {
    }

    /**
     * Usage: {@code ChatReport <chatroom.jar> [--io-threads N] [--load-threads N] [--group-rate R]
     * [cell-number...]} (cells 1-4 as listed, 5 the storm; default all; 1 server loop and 2 load
     * threads by default; {@code --group-rate} runs cell 2 at R messages a second instead of 200, to
     * find the rate up to which its latency holds).
     */
    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: ChatReport <chatroom.jar> [--io-threads N] [--load-threads N] [--group-rate R]"
                    + " [cell numbers 1-5]");
            System.exit(2);
        }
        Path jar = Path.of(args[0]);
        List<Integer> selected = new ArrayList<>();
        List<ChatLoad.Cell> cells = new ArrayList<>(CELLS);
        for (int i = 1; i < args.length; i++) {
            switch (args[i]) {
                case "--group-rate" -> {
                    int rate = Integer.parseInt(args[++i]);
                    ChatLoad.Cell c = cells.get(1);
                    cells.set(1, new ChatLoad.Cell("group 1000u, " + rate + " msgs/s", c.group(), c.users(), c.senders(),
                            c.inFlight(), rate, c.warmup(), c.window()));
                }
                case "--io-threads" -> ioThreads = Integer.parseInt(args[++i]);
                case "--load-threads" -> loadThreads = Integer.parseInt(args[++i]);
                default -> selected.add(Integer.parseInt(args[i]));
            }
        }
        Path dir = Files.createTempDirectory("chat-bench");
        Path seeded = dir.resolve("seeded.db");
        long ticksPerSecond = ProcCpu.ticksPerSecond();
        SeedUsers.seed(seeded, 1000, SEED_ITERATIONS);
        List<String> rows = new ArrayList<>();
        String storm = null;
        try {
            for (int i = 0; i < cells.size(); i++) {
                if (selected.isEmpty() || selected.contains(i + 1)) {
                    String row = runCell(jar, seeded, dir.resolve("cell" + (i + 1) + ".db"), cells.get(i), ticksPerSecond);
                    System.err.println(row);
                    rows.add(row);
                }
            }
            if (selected.isEmpty() || selected.contains(5)) {
                storm = runStorm(jar, seeded, dir.resolve("storm.db"), ticksPerSecond);
                System.err.println(storm);
            }
        } finally {
            SeedUsers.delete(seeded);
        }
        System.out.println();
        System.out.println("== Chat: chatroom.jar in its own JVM (-Xmx512m, --send-rate 0, synchronous=FULL, --io-threads "
                + ioThreads + "), " + loadThreads + " load threads in this JVM; window " + WINDOW.toSeconds() + " s after "
                + WARMUP.toSeconds() + " s warm-up; latencies in ms");
        System.out.printf(Locale.ROOT, "%-30s %12s %-12s %8s %-22s %-22s %-11s %7s %8s %5s %5s %5s %5s %4s%n", "cell",
                "rate", "", "sent", "ack p50/p99/p99.9", "delivery p50/p99/p99.9", "stored p50/99", "µs/msg", "µs/deliv",
                "srv", "load", "lost", "reord", "dup");
        rows.forEach(System.out::println);
        if (storm != null) {
            System.out.println(storm);
        }
        System.out.println("stored: from the server's store stamping the message to its arrival (whole ms; commit,"
                + " hand-off and fan-out). µs/msg, µs/deliv: server CPU (all its threads, /proc/<pid>/stat) over the window per message"
                + " sent / per delivery. srv, load: cores used by the server / by the load threads in the window.");
        System.out.println(Machine.describe());
    }

    private static String runCell(Path jar, Path seeded, Path db, ChatLoad.Cell cell, long ticksPerSecond)
            throws Exception {
        SeedUsers.copy(seeded, db);
        ChatServerProcess server = ChatServerProcess.start(jar, db, SEED_ITERATIONS, ioThreads);
        try {
            ChatLoad load = new ChatLoad(server.port(), SeedUsers.PASSWORD, cell, loadThreads);
            long[] ticks = new long[2];
            ChatLoad.Result r;
            try {
                load.awaitLoggedIn();
                r = load.run(cell.warmup(), cell.window(), new ChatLoad.Window() {
                    @Override
                    public void opened() {
                        ticks[0] = server.cpuTicks();
                    }

                    @Override
                    public void closed() {
                        ticks[1] = server.cpuTicks();
                    }
                });
            } finally {
                load.stop();
            }
            double cpuMicros = (ticks[1] - ticks[0]) * 1e6 / ticksPerSecond;
            double msgs = cell.group() ? r.deliveredInWindow() / (double) (cell.users() - 1) : r.ackedInWindow();
            double rate = (cell.group() ? r.deliveredInWindow() : r.ackedInWindow()) / r.seconds();
            return String.format(Locale.ROOT, "%-30s %12.0f %-12s %8d %-22s %-22s %-11s %7.1f %8.2f %5.2f %5.2f %5d %5d %4d",
                    cell.name(), rate, cell.group() ? "deliveries/s" : "acked msgs/s", r.sent(),
                    quantiles(r.ack()), quantiles(r.delivery()), wholeMs(r.stored()), cpuMicros / msgs,
                    cpuMicros / r.deliveredInWindow(), cpuMicros / 1e6 / r.seconds(), r.loadCores(), r.lost(),
                    r.reordered(), r.duplicated());
        } finally {
            server.stop();
            SeedUsers.delete(db);
        }
    }

    private static String runStorm(Path jar, Path seeded, Path db, long ticksPerSecond) throws Exception {
        int users = 1000;
        SeedUsers.copy(seeded, db);
        ChatLoad.Cell cell = new ChatLoad.Cell("storm", true, users, 0, 1, 0, Duration.ZERO, Duration.ofSeconds(1));
        ChatServerProcess first = ChatServerProcess.start(jar, db, SEED_ITERATIONS, ioThreads);
        ChatServerProcess second = null;
        ChatLoad load = new ChatLoad(first.port(), SeedUsers.PASSWORD, cell, loadThreads);
        try {
            load.awaitLoggedIn();
            int tokens = load.withResumeToken();
            load.expectRestart();
            int status = first.stop();
            if (status != 0) {
                throw new IllegalStateException("the chat server stopped with status " + status);
            }
            SeedUsers.rehashAll(db, PasswordHasher.DEFAULT_ITERATIONS);
            second = ChatServerProcess.start(jar, db, null, ioThreads);
            int port = second.port();
            long ticks0 = second.cpuTicks();
            long[] back = load.reconnect(port, STORM_BOUND);
            long ticks1 = second.cpuTicks();
            long loggedIn = back[0];
            double seconds = loggedIn == users ? back[1] / 1e9 : STORM_BOUND.toNanos() / 1e9;
            double cpuMs = (ticks1 - ticks0) * 1e3 / ticksPerSecond;
            String how = tokens == users ? "RESUME" : tokens == 0 ? "LOGIN (PBKDF2 " + PasswordHasher.DEFAULT_ITERATIONS
                    + " rounds)" : tokens + " RESUME, rest LOGIN";
            if (loggedIn == users) {
                return String.format(Locale.ROOT, "%-30s all %d logged in again %.2f s after the new server listened;"
                        + " %s; server CPU %.1f ms per login", "storm 1000u, restart", users, seconds, how,
                        cpuMs / loggedIn);
            }
            return String.format(Locale.ROOT, "%-30s only %d of %d logged in again within %.0f s (the bound) after the"
                    + " new server listened: %.1f logins/s, all would take ~%.0f s; %s; server CPU %.1f ms per login",
                    "storm 1000u, restart", loggedIn, users, seconds, loggedIn / seconds,
                    loggedIn == 0 ? Double.NaN : users * seconds / loggedIn, how, cpuMs / Math.max(1, loggedIn));
        } finally {
            load.stop();
            first.stop();
            if (second != null) {
                second.kill();      // the storm is measured; its clean shutdown would wait for the hashing
            }
            SeedUsers.delete(db);
        }
    }

    private static String quantiles(LatencyHistogram h) {
        if (h.count() == 0) {
            return "-";
        }
        return String.format(Locale.ROOT, "%.2f/%.2f/%.2f", h.quantile(0.5) / 1e6, h.quantile(0.99) / 1e6,
                h.quantile(0.999) / 1e6);
    }

    /** p50/p99 of a histogram recorded in whole milliseconds. */
    private static String wholeMs(LatencyHistogram h) {
        if (h.count() == 0) {
            return "-";
        }
        return String.format(Locale.ROOT, "%.0f/%.0f", h.quantile(0.5) / 1e6, h.quantile(0.99) / 1e6);
    }
}
