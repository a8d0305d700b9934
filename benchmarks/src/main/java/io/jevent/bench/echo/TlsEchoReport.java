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

import javax.net.ssl.SSLContext;

import io.jevent.bench.Machine;
import io.jevent.examples.echo.EchoServer;

/**
 * The TLS echo benchmark: jevent's echo server over its TLS buffer event against Netty's echo server
 * behind an {@code SslHandler} with the JDK's provider, one serving thread each, both restricted to the
 * same protocol and cipher suite ({@link BenchTls}: TLS 1.3, {@code TLS_AES_128_GCM_SHA256}, an EC
 * P-256 certificate made for the run), over loopback, with ratios measured in this same run.
 *
 * <p>Servers: {@code jevent-tls} runs the engine's delegated tasks on its loop, as Netty's
 * {@code SslHandler} does by default, so it is the like-for-like row; {@code jevent-tls-pool} runs them
 * on the library's default executor (a small pool beside the loop), what a user gets without options.
 *
 * <p>As in {@link EchoReport}: each server runs in its own JVM ({@link ServerProcess}), both up at once;
 * the load ({@link TlsEchoLoad}) runs in this JVM, one load thread, against one server at a time; each
 * round measures every server once per cell, in an order rotated from round to round; the table gives
 * medians over the rounds, and the server's CPU time over each window from {@code /proc/<pid>/stat}.
 *
 * <p>Cells: 64 and 1,000 connections × 4 KiB messages (persistent connections, handshakes done before
 * the run); and handshakes per second: 16 concurrent cycles of connect, handshake, one 64-byte echo,
 * {@code close_notify} and close, with full handshakes, then with resumed ones (the table says what
 * share of them the server actually resumed).
 *
 * <p>Every server first gets a warm-up of its own: 3 × 64 connections × 4 KiB, 2 × full handshakes,
 * 1 × resumed handshakes, 2 s each ({@code full}: 3 s). {@code quick}: then 3 rounds of 0.5 s warm-up
 * + 1.25 s window per measurement (about 3.5 minutes in all); {@code full}: 7 rounds of 1 s + 3 s. {@code aa}: the quick plan with Netty's server against a second
 * copy of itself, to see how far apart two identical servers measure on this machine.
 *
 * <p>{@code -Dtls.baseline=<class dir or jar>}: the pool row is replaced by
 * {@code jevent-tls-base}, jevent's echo server with those classes ahead of the class path (an earlier
 * build of, say, {@code TlsTransport}), so a change is measured against its parent in the same run.
 *
 * <p>Threading: everything runs on the main thread but the load's own threads and the shutdown hook
 * that stops the servers if this JVM is terminated.
 */
public final class TlsEchoReport {
    private static final int SERVER_THREADS = 1;
    private static final int LOAD_THREADS = 1;
    private static final List<Cell> CELLS = List.of(
            new Cell(TlsEchoLoad.Mode.ECHO, 64, 4096),
            new Cell(TlsEchoLoad.Mode.ECHO, 1000, 4096),
            new Cell(TlsEchoLoad.Mode.HANDSHAKE_FULL, 16, 64),
            new Cell(TlsEchoLoad.Mode.HANDSHAKE_RESUMED, 16, 64));
    /**
     * What every server runs before the rounds, for the JIT of the record path and of the handshake:
     * the record path longest, as its warm-up also serves the 1,000-connection cell.
     */
    private static final List<Cell> WARMUP_CELLS = List.of(CELLS.get(0), CELLS.get(0), CELLS.get(0), CELLS.get(2),
            CELLS.get(2), CELLS.get(3));
    private static final double LOAD_BUSY = 0.9;

    private TlsEchoReport() {
    }

    /** A server under test: its name in the table and its command line (the TLS flags are added). */
    // The varargs component is only passed on to the command line, never compared or hashed.
    @SuppressWarnings("ArrayRecordComponent")
    private record Target(String name, String classPathFirst, String mainClass, String... args) {
        static Target of(String name, String mainClass, String... args) {
            return new Target(name, "", mainClass, args);
        }
    }

    /** One cell: what a round trip is, how many connections (or concurrent cycles), message size. */
    private record Cell(TlsEchoLoad.Mode mode, int connections, int size) {
        @Override
        public String toString() {
            return switch (mode) {
                case ECHO -> connections + " x " + size + " B";
                case HANDSHAKE_FULL -> "handshake full";
                case HANDSHAKE_RESUMED -> "handshake resumed";
            };
        }
    }

    /** One measurement; {@code resumed} is the share of handshakes that checked no certificate (NaN for echo). */
    private record Sample(double msgsPerSecond, double p50Micros, double p99Micros, double cpuMicrosPerMsg,
                          double serverCores, double loadCores, double resumed) {
    }

    private record Plan(int rounds, Duration warmup, Duration window, Duration serverWarmup) {
    }

    private record Server(Target target, ServerProcess process, int port) {
        String name() {
            return target.name();
        }
    }

    public static void main(String[] args) throws Exception {
        String mode = args.length > 0 ? args[0] : "quick";
        Plan plan = mode.equals("full")
                ? new Plan(7, Duration.ofSeconds(1), Duration.ofSeconds(3), Duration.ofSeconds(3))
                : new Plan(3, Duration.ofMillis(500), Duration.ofMillis(1250), Duration.ofSeconds(2));
        List<Target> targets = mode.equals("aa")
                ? List.of(Target.of("netty-tls-a", NettyEchoServer.class.getName(), "--workers", "1"),
                          Target.of("netty-tls", NettyEchoServer.class.getName(), "--workers", "1"))
                : List.of(Target.of("jevent-tls", EchoServer.class.getName(), "--loops", "1", "--tls-tasks", "loop"),
                          Target.of("jevent-tls-pool", EchoServer.class.getName(), "--loops", "1",
                                  "--tls-tasks", "executor"),
                          Target.of("netty-tls", NettyEchoServer.class.getName(), "--workers", "1"));
        String baseline = System.getProperty("tls.baseline", "");
        if (!baseline.isEmpty()) {      // an earlier build of jevent's classes, measured beside this one
            targets = new ArrayList<>(targets);
            targets.removeIf(t -> t.name().equals("jevent-tls-pool"));
            targets.add(0, new Target("jevent-tls-base", baseline, EchoServer.class.getName(), "--loops", "1",
                    "--tls-tasks", "loop"));
        }
        long ticksPerSecond = ProcCpu.ticksPerSecond();

        List<ServerProcess> processes = new CopyOnWriteArrayList<>();
        Thread hook = new Thread(() -> ServerProcess.stopAll(processes), "tls-report-stop-servers");
        Runtime.getRuntime().addShutdownHook(hook);
        try (BenchTls tls = BenchTls.create()) {
            for (Target t : targets) {
                List<String> command = new ArrayList<>(List.of(t.args()));
                command.addAll(tls.serverFlags());
                processes.add(ServerProcess.start(t.name(), t.classPathFirst(), t.mainClass(),
                        command.toArray(String[]::new)));
            }
            List<Server> servers = new ArrayList<>();
            for (int i = 0; i < targets.size(); i++) {
                servers.add(new Server(targets.get(i), processes.get(i), processes.get(i).port()));
            }
            System.err.println("servers up: " + servers.stream().map(s -> s.name() + " on port " + s.port()).toList()
                    + "; " + BenchTls.PROTOCOL + " " + BenchTls.CIPHER_SUITE);

            for (Server s : servers) {
                for (Cell cell : WARMUP_CELLS) {
                    System.err.printf(Locale.ROOT, "warm-up    %-17s %-15s %s%n", cell, s.name(),
                            format(measure(s, cell, tls, Duration.ZERO, plan.serverWarmup(), ticksPerSecond)));
                }
            }

            Map<Cell, Map<String, List<Sample>>> samples = new LinkedHashMap<>();
            for (int round = 0; round < plan.rounds(); round++) {
                for (Cell cell : CELLS) {
                    for (int i = 0; i < servers.size(); i++) {
                        Server s = servers.get((i + round) % servers.size());
                        Sample sample = measure(s, cell, tls, plan.warmup(), plan.window(), ticksPerSecond);
                        samples.computeIfAbsent(cell, k -> new LinkedHashMap<>())
                                .computeIfAbsent(s.name(), k -> new ArrayList<>()).add(sample);
                        System.err.printf(Locale.ROOT, "round %d/%d  %-17s %-15s %s%n", round + 1, plan.rounds(),
                                cell, s.name(), format(sample));
                    }
                }
            }
            print(plan, targets, samples);
        } finally {
            ServerProcess.stopAll(processes);
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // this JVM is being terminated: the hook is already stopping the servers
            }
        }
    }

    private static Sample measure(Server server, Cell cell, BenchTls tls, Duration warmup, Duration window,
                                  long ticksPerSecond) throws InterruptedException {
        long[] ticks = new long[2];
        SSLContext client = tls.clientContext();        // a fresh session cache for every run
        TlsEchoLoad.Result result = TlsEchoLoad.run(
                new TlsEchoLoad.Config(server.port(), cell.connections(), cell.size(), warmup, window,
                        LOAD_THREADS, cell.mode()),
                tls, client,
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
        EchoLoad.Result r = result.echo();
        if (r.messages() == 0 && !warmup.isZero()) {       // a server's own warm-up may be all JIT
            throw new IllegalStateException(server.name() + ": no round trip completed in " + cell);
        }
        double cpuSeconds = (ticks[1] - ticks[0]) / (double) ticksPerSecond;
        double resumed = result.handshakes() == 0 ? Double.NaN : result.resumed() / (double) result.handshakes();
        return new Sample(r.messagesPerSecond(), r.p50Nanos() / 1e3, r.p99Nanos() / 1e3,
                cpuSeconds * 1e6 / r.messages(), cpuSeconds / r.seconds(), r.loadCores(), resumed);
    }

    private static String format(Sample s) {
        return String.format(Locale.ROOT,
                "%8.0f /s  p50 %8.1f µs  p99 %8.1f µs  server %6.2f µs/op %4.2f cores  load %4.2f cores%s",
                s.msgsPerSecond(), s.p50Micros(), s.p99Micros(), s.cpuMicrosPerMsg(), s.serverCores(), s.loadCores(),
                Double.isNaN(s.resumed()) ? "" : String.format(Locale.ROOT, "  resumed %3.0f%%", 100 * s.resumed()));
    }

    private static void print(Plan plan, List<Target> targets, Map<Cell, Map<String, List<Sample>>> samples) {
        String baseline = targets.get(targets.size() - 1).name();
        System.out.println();
        System.out.printf(Locale.ROOT, "== TLS echo over loopback (%s %s, EC P-256 certificate, JDK SSLEngine on both"
                        + " sides), %d serving thread, %d load thread; medians of %d rounds of %d ms; ratios to %s,"
                        + " this run%n", BenchTls.PROTOCOL, BenchTls.CIPHER_SUITE, SERVER_THREADS, LOAD_THREADS,
                plan.rounds(), plan.window().toMillis(), baseline);
        boolean anyLoadBusy = false;
        System.out.printf(Locale.ROOT, "%-17s %-15s %9s %9s %9s %10s %7s %9s %8s %8s %9s %10s %8s%n", "cell", "server",
                "ops/s", "p50 µs", "p99 µs", "CPU µs/op", "/base", "cpu/base", "p50/base", "p99/base", "srv cores",
                "load cores", "resumed");
        for (Map.Entry<Cell, Map<String, List<Sample>>> cell : samples.entrySet()) {
            Map<String, List<Sample>> byServer = cell.getValue();
            List<Sample> base = byServer.get(baseline);
            for (Target t : targets) {
                List<Sample> mine = byServer.get(t.name());
                double rate = median(mine, Sample::msgsPerSecond);
                double cpu = median(mine, Sample::cpuMicrosPerMsg);
                double p50 = median(mine, Sample::p50Micros);
                double p99 = median(mine, Sample::p99Micros);
                double load = median(mine, Sample::loadCores);
                double resumed = median(mine, Sample::resumed);
                boolean loadBusy = load >= LOAD_BUSY * LOAD_THREADS;
                anyLoadBusy |= loadBusy;
                System.out.printf(Locale.ROOT, "%-17s %-15s %9.0f %9.1f %9.1f %10.2f %6.2fx %8.2fx %7.2fx %7.2fx %9.2f %9.2f%s %8s%n",
                        cell.getKey(), t.name(), rate, p50, p99, cpu,
                        rate / median(base, Sample::msgsPerSecond), cpu / median(base, Sample::cpuMicrosPerMsg),
                        p50 / median(base, Sample::p50Micros), p99 / median(base, Sample::p99Micros),
                        median(mine, Sample::serverCores), load, loadBusy ? "*" : " ",
                        Double.isNaN(resumed) ? "" : String.format(Locale.ROOT, "%.0f%%", 100 * resumed));
            }
        }
        System.out.println("ops: echoed messages (N x 4096 B) or connect-handshake-echo-close cycles (handshake)."
                + " /base: ops/s ratio (higher is better); cpu/base, p50/base, p99/base: ratios of server CPU per op"
                + " and of round-trip times (lower is better). resumed: share of handshakes that checked no"
                + " certificate.");
        if (anyLoadBusy) {
            System.out.printf(Locale.ROOT, "*: the load thread was over %.0f%% busy, so the load generator, not only"
                    + " the server, set the pace: there compare CPU µs/op rather than ops/s.%n", 100 * LOAD_BUSY);
        }
        System.out.println(Machine.describe());
    }

    /** The median, NaN values left out (NaN if all are). */
    private static double median(List<Sample> samples, ToDoubleFunction<Sample> metric) {
        double[] v = samples.stream().mapToDouble(metric).filter(d -> !Double.isNaN(d)).toArray();
        if (v.length == 0) {
            return Double.NaN;
        }
        Arrays.sort(v);
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }
}
