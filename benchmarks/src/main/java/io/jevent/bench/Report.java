package io.jevent.bench;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;


/**
 * Runs the hand-off benchmarks and prints one table with every target's ratio to Netty and to the
 * spinning ceiling, all measured in this same run (absolute numbers on a shared 2-core machine
 * drift; ratios within one run are what to compare). Then counts the wake-up signals that
 * 1,000,000 messages cost each jevent strategy.
 *
 * <p>{@code quick}: 1 fork, 1 s warm-up, 3 × 1 s measurement (about 2.5 minutes in all).
 * {@code full}: 2 forks, 3 × 2 s warm-up, 5 × 2 s measurement.
 */
public final class Report {
    private static final List<String> TARGETS = List.of("jevent-selector", "jevent-selector-bounded",
            "jevent-pipe", "jevent-pipe-bounded", "jevent-naive-pipe", "netty-execute", "jdk-lbq-executor",
            "jctools-spin-ceiling");
    private static final List<String> LATENCY_TARGETS = List.of("jevent-selector", "jevent-pipe",
            "jevent-naive-pipe", "netty-execute", "jdk-lbq-executor", "jctools-spin-ceiling");

    private Report() {
    }

    public static void main(String[] args) throws RunnerException {
        boolean full = args.length > 0 && args[0].equals("full");
        Map<String, Double> one = throughput(full, 1);
        Map<String, Double> two = throughput(full, 2);
        Map<String, double[]> latency = latency(full);

        System.out.println();
        System.out.println("== Hand-off throughput: batches of " + HandoffBenchmark.BATCH
                + " tasks to a consumer that sleeps between batches (M tasks/s; ratios from this run)");
        System.out.printf(Locale.ROOT, "%-24s %10s %9s %9s %10s %9s %9s%n", "target", "1 producer",
                "/netty", "/ceiling", "2 producers", "/netty", "/ceiling");
        for (String t : TARGETS) {
            System.out.printf(Locale.ROOT, "%-24s %10.2f %8.2fx %8.0f%% %10.2f %8.2fx %8.0f%%%n", t,
                    one.get(t) / 1e6, one.get(t) / one.get("netty-execute"),
                    100 * one.get(t) / one.get("jctools-spin-ceiling"),
                    two.get(t) / 1e6, two.get(t) / two.get("netty-execute"),
                    100 * two.get(t) / two.get("jctools-spin-ceiling"));
        }
        System.out.printf(Locale.ROOT, "jevent-selector vs jevent-naive-pipe (1 producer): %.1fx%n",
                one.get("jevent-selector") / one.get("jevent-naive-pipe"));

        System.out.println();
        System.out.println("== Round trip: post one task, spin until it ran (µs; ratio of p50 to Netty's)");
        System.out.printf(Locale.ROOT, "%-24s %8s %8s %8s %9s%n", "target", "p50", "p99", "p99.9", "p50/netty");
        for (String t : LATENCY_TARGETS) {
            double[] p = latency.get(t);
            System.out.printf(Locale.ROOT, "%-24s %8.2f %8.2f %8.2f %8.2fx%n", t, p[0], p[1], p[2],
                    p[0] / latency.get("netty-execute")[0]);
        }

        System.out.println();
        System.out.println("== Wake-up signals for 1,000,000 messages");
        WakeupCount.print();
    }

    private static ChainedOptionsBuilder base(boolean full) {
        return new OptionsBuilder()
                .forks(full ? 2 : 1)
                .warmupIterations(full ? 3 : 1)
                .warmupTime(TimeValue.seconds(full ? 2 : 1))
                .measurementIterations(full ? 5 : 3)
                .measurementTime(TimeValue.seconds(full ? 2 : 1))
                .jvmArgsAppend("-Xms1g", "-Xmx1g")
                .shouldFailOnError(true);
    }

    private static Map<String, Double> throughput(boolean full, int threads) throws RunnerException {
        Collection<RunResult> results = new Runner(base(full)
                .include(HandoffBenchmark.class.getName() + ".batch")
                .param("target", TARGETS.toArray(String[]::new))
                .threads(threads)
                .build()).run();
        Map<String, Double> scores = new LinkedHashMap<>();
        for (RunResult r : results) {
            scores.put(r.getParams().getParam("target"), r.getPrimaryResult().getScore());
        }
        return scores;
    }

    private static Map<String, double[]> latency(boolean full) throws RunnerException {
        Collection<RunResult> results = new Runner(base(full)
                .include(HandoffBenchmark.class.getName() + ".roundTrip")
                .param("target", LATENCY_TARGETS.toArray(String[]::new))
                .threads(1)
                .build()).run();
        Map<String, double[]> percentiles = new LinkedHashMap<>();
        for (RunResult r : results) {
            var stats = r.getPrimaryResult().getStatistics();
            percentiles.put(r.getParams().getParam("target"),
                    new double[] {stats.getPercentile(50), stats.getPercentile(99), stats.getPercentile(99.9)});
        }
        return percentiles;
    }

    /** Counts signals per strategy: once with a producer that waits for each batch, once as one burst. */
    static final class WakeupCount {
        private WakeupCount() {
        }

        static void print() {
            int total = 1_000_000;
            System.out.printf(Locale.ROOT, "%-24s %22s %22s%n", "strategy", "batches of 1024 (waits)", "one burst");
            for (String t : List.of("jevent-selector", "jevent-pipe", "jevent-naive-pipe")) {
                long waited = count(t, total, HandoffBenchmark.BATCH);
                long burst = count(t, total, total);
                System.out.printf(Locale.ROOT, "%-24s %22d %22d%n", t, waited, burst);
            }
        }

        private static long count(String target, int total, int batch) {
            try (HandoffTarget h = HandoffTarget.create(target)) {
                Producer p = new Producer();
                for (int sent = 0; sent < total; sent += batch) {
                    p.post(h, Math.min(batch, total - sent));
                    if (batch < total) {
                        p.awaitDone();
                    }
                }
                p.awaitDone();
                return h.wakeups();
            }
        }
    }

}
