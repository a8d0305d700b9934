package io.jevent.bench.echo;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.ToDoubleFunction;

import io.jevent.bench.Machine;
import io.jevent.examples.echo.EchoServer;

/**
 * The echo benchmark: jevent's echo server against Netty's, one loop against one worker and two loops
 * against two workers, over loopback, with a table of ratios measured in this same run.
 *
 * <p>All four servers run at once, each in its own JVM ({@link ServerProcess}); the load generator
 * ({@link EchoLoad}) runs in this JVM and talks to one server at a time. For every cell — 1, 64 and
 * 1,000 connections × 64 B and 4 KiB messages — each round measures every server once, in an order
 * rotated from round to round so that no server always follows the same one; the table gives the
 * median over the rounds of each figure. During each measurement window the server's CPU time is read
 * from {@code /proc/<pid>/stat}, so the table also says what a message costs the server, whatever the
 * load generator's share of the two cores was.
 *
 * <p>Before the rounds every server gets a warm-up of its own (JIT, buffer pools, heap) in the two
 * shapes that exercise different paths: 64 connections × 4 KiB, then 1,000 × 64 B. {@code quick}:
 * 3 rounds of 0.5 s warm-up + 1.25 s window per measurement (about 2.3 minutes); {@code full}:
 * 7 rounds of 1 s + 3 s (about 12 minutes).
 *
 * <p>The servers are stopped at the end, on failure too, and by a shutdown hook if this JVM is
 * terminated (Ctrl-C, SIGTERM). Threading: everything runs on the main thread but the load's own
 * threads and that hook.
 */
public final class EchoReport {
    /** The servers, in table order: each jevent row is followed by the Netty row it is compared with. */
    private static final List<Target> TARGETS = List.of(
            new Target("jevent-1loop", 1, EchoServer.class.getName(), "--loops", "1"),
            new Target("netty-1worker", 1, NettyEchoServer.class.getName(), "--workers", "1"),
            new Target("jevent-group2", 2, EchoServer.class.getName(), "--loops", "2"),
            new Target("netty-2workers", 2, NettyEchoServer.class.getName(), "--workers", "2"));
    /** Which Netty row each row is compared with: the one with the same number of serving threads. */
    private static final Map<String, String> PEER = Map.of(
            "jevent-1loop", "netty-1worker", "netty-1worker", "netty-1worker",
            "jevent-group2", "netty-2workers", "netty-2workers", "netty-2workers");
    private static final int[] CONNECTIONS = {1, 64, 1000};
    private static final int[] SIZES = {64, 4096};
    /** What every server runs once before the rounds (see the class comment). */
    private static final List<Cell> WARMUP_CELLS = List.of(new Cell(64, 4096), new Cell(1000, 64));
    /** Load threads busier than this share of their time (per thread) were close to setting the pace. */
    private static final double LOAD_BUSY = 0.9;

    private EchoReport() {
    }

    /**
     * A server under test: its name in the table, how many threads serve its connections, and its
     * command line. The load gets as many threads as the server serves with: with fewer, a two-thread
     * server could never be kept busy; with more, on two cores, the load threads take the cores a
     * one-thread server needs (both measured: docs/benchmarks.md).
     */
    // The varargs component is only passed on to the command line, never compared or hashed, which
    // is where an array component would surprise (ArrayRecordComponent).
    @SuppressWarnings("ArrayRecordComponent")
    private record Target(String name, int threads, String mainClass, String... args) {
    }

    /** One cell of the table: connections × message size. */
    private record Cell(int connections, int size) {
        @Override
        public String toString() {
            return connections + " x " + size + " B";
        }
    }

    /**
     * One measurement of one server in one cell; {@code serverCores} and {@code loadCores} are the CPU
     * time each side used in the window divided by the window.
     */
    private record Sample(double msgsPerSecond, double p50Micros, double p99Micros, double cpuMicrosPerMsg,
                          double serverCores, double loadCores) {
    }

    /** Mode settings. */
    private record Plan(int rounds, Duration warmup, Duration window, Duration serverWarmup) {
    }

    /** A target whose server is up. */
    private record Server(Target target, ServerProcess process, int port) {
        String name() {
            return target.name();
        }
    }

    public static void main(String[] args) throws Exception {
        boolean full = args.length > 0 && args[0].equals("full");
        Plan plan = full
                ? new Plan(7, Duration.ofSeconds(1), Duration.ofSeconds(3), Duration.ofSeconds(3))
                : new Plan(3, Duration.ofMillis(500), Duration.ofMillis(1250), Duration.ofSeconds(1));
        long ticksPerSecond = ProcCpu.ticksPerSecond();

        List<ServerProcess> processes = new CopyOnWriteArrayList<>();     // the shutdown hook reads it too
        Thread hook = new Thread(() -> ServerProcess.stopAll(processes), "echo-report-stop-servers");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            for (Target t : TARGETS) {          // all at once: the JVMs start up in parallel
                processes.add(ServerProcess.start(t.name(), t.mainClass(), t.args()));
            }
            List<Server> servers = new ArrayList<>();
            for (int i = 0; i < TARGETS.size(); i++) {
                servers.add(new Server(TARGETS.get(i), processes.get(i), processes.get(i).port()));
            }
            System.err.println("servers up: " + servers.stream().map(s -> s.name() + " on port " + s.port()).toList());

            for (Server s : servers) {
                for (Cell cell : WARMUP_CELLS) {
                    System.err.printf(Locale.ROOT, "warm-up    %-13s %-15s %s%n", cell, s.name(),
                            format(measure(s, cell, Duration.ZERO, plan.serverWarmup(), ticksPerSecond)));
                }
            }

            Map<Cell, Map<String, List<Sample>>> samples = new LinkedHashMap<>();
            for (int round = 0; round < plan.rounds(); round++) {
                for (int c : CONNECTIONS) {
                    for (int size : SIZES) {
                        Cell cell = new Cell(c, size);
                        for (int i = 0; i < servers.size(); i++) {
                            Server s = servers.get((i + round) % servers.size());
                            Sample sample = measure(s, cell, plan.warmup(), plan.window(), ticksPerSecond);
                            samples.computeIfAbsent(cell, k -> new LinkedHashMap<>())
                                    .computeIfAbsent(s.name(), k -> new ArrayList<>()).add(sample);
                            System.err.printf(Locale.ROOT, "round %d/%d  %-13s %-15s %s%n", round + 1,
                                    plan.rounds(), cell, s.name(), format(sample));
                        }
                    }
                }
            }
            print(plan, samples);
        } finally {
            ServerProcess.stopAll(processes);
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // this JVM is being terminated: the hook is already stopping the servers
            }
        }
    }

    /** One load run against one server, with the server's CPU time read at the window's edges. */
    private static Sample measure(Server server, Cell cell, Duration warmup, Duration window, long ticksPerSecond)
            throws InterruptedException {
        long[] ticks = new long[2];
        EchoLoad.Result r = EchoLoad.run(
                new EchoLoad.Config(server.port(), cell.connections(), cell.size(), warmup, window,
                        server.target().threads()),
                new EchoLoad.Window() {
                    @Override
                    public void opened() {
                        ticks[0] = server.process().cpuTicks();
                    }

                    @Override
                    public void closed() {
                        ticks[1] = server.process().cpuTicks();
                    }
                });
        if (r.messages() == 0) {
            throw new IllegalStateException(server.name() + ": no round trip completed in " + cell);
        }
        double cpuSeconds = (ticks[1] - ticks[0]) / (double) ticksPerSecond;
        return new Sample(r.messagesPerSecond(), r.p50Nanos() / 1e3, r.p99Nanos() / 1e3,
                cpuSeconds * 1e6 / r.messages(), cpuSeconds / r.seconds(), r.loadCores());
    }

    private static String format(Sample s) {
        return String.format(Locale.ROOT,
                "%8.0f msgs/s  p50 %8.1f µs  p99 %8.1f µs  server %5.2f µs/msg %4.2f cores  load %4.2f cores",
                s.msgsPerSecond(), s.p50Micros(), s.p99Micros(), s.cpuMicrosPerMsg(), s.serverCores(), s.loadCores());
    }

    private static void print(Plan plan, Map<Cell, Map<String, List<Sample>>> samples) {
        System.out.println();
        System.out.printf(Locale.ROOT, "== Echo over loopback: C connections, each with one S-byte message in "
                        + "flight; medians of %d rounds of %d ms; ratios to Netty with as many threads, this run%n",
                plan.rounds(), plan.window().toMillis());
        boolean anyLoadBusy = false;
        System.out.printf(Locale.ROOT, "%-13s %-15s %9s %9s %9s %10s %7s %9s %9s %10s%n", "cell", "server",
                "msgs/s", "p50 µs", "p99 µs", "CPU µs/msg", "/netty", "cpu/netty", "srv cores", "load cores");
        for (Map.Entry<Cell, Map<String, List<Sample>>> cell : samples.entrySet()) {
            Map<String, List<Sample>> byServer = cell.getValue();
            for (Target t : TARGETS) {
                List<Sample> mine = byServer.get(t.name());
                List<Sample> peer = byServer.get(PEER.get(t.name()));
                double rate = median(mine, Sample::msgsPerSecond);
                double cpu = median(mine, Sample::cpuMicrosPerMsg);
                double load = median(mine, Sample::loadCores);
                boolean loadBusy = load >= LOAD_BUSY * t.threads();
                anyLoadBusy |= loadBusy;
                System.out.printf(Locale.ROOT, "%-13s %-15s %9.0f %9.1f %9.1f %10.2f %6.2fx %8.2fx %9.2f %9.2f%s%n",
                        cell.getKey(), t.name(), rate, median(mine, Sample::p50Micros), median(mine, Sample::p99Micros),
                        cpu, rate / median(peer, Sample::msgsPerSecond), cpu / median(peer, Sample::cpuMicrosPerMsg),
                        median(mine, Sample::serverCores), load, loadBusy ? "*" : " ");
            }
        }
        System.out.println("/netty: msgs/s ratio (higher is better). cpu/netty: ratio of server CPU per message (lower"
                + " is better). srv/load cores: CPU time of the server process / of the load threads, per second"
                + " of window; the load runs one thread per server thread.");
        if (anyLoadBusy) {
            System.out.printf(Locale.ROOT, "*: the load threads were over %.0f%% busy, so the load generator, not only"
                    + " the server, set the pace: there compare CPU µs/msg rather than msgs/s.%n", 100 * LOAD_BUSY);
        }
        System.out.println(Machine.describe());
    }

    private static double median(List<Sample> samples, ToDoubleFunction<Sample> metric) {
        double[] v = samples.stream().mapToDouble(metric).toArray();
        Arrays.sort(v);
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }
}
