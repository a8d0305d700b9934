package io.jevent.bench;

import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Hand-off from producer threads to one consumer thread that otherwise sleeps.
 *
 * <ul>
 * <li>{@code batch}: each invocation posts {@value #BATCH} tasks, then waits until all have run, so
 *     the consumer goes back to sleep between batches and every batch pays for one wake-up — the
 *     "loop that otherwise sleeps in select" case. Reported as tasks per second.</li>
 * <li>{@code roundTrip}: post one task and spin until it has run; run in SampleTime mode for
 *     p50/p99/p99.9.</li>
 * </ul>
 * Every target is measured the same way, in the same run: ratios between them are what to read.
 */
@State(Scope.Benchmark)
public class HandoffBenchmark {
    static final int BATCH = 1024;

    @Param({"jevent-selector", "jevent-selector-bounded", "jevent-pipe", "jevent-pipe-bounded",
            "jevent-naive-pipe", "netty-execute", "jdk-lbq-executor", "jctools-spin-ceiling"})
    public String target;

    HandoffTarget handoff;

    @Setup(Level.Trial)
    public void start() {
        handoff = HandoffTarget.create(target);
    }

    @TearDown(Level.Trial)
    public void stop() {
        handoff.close();
    }

    /** Per benchmark thread: its own task and completion counter. */
    @State(Scope.Thread)
    public static class ProducerState {
        final Producer producer = new Producer();
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @OperationsPerInvocation(BATCH)
    public void batch(ProducerState p) {
        p.producer.post(handoff, BATCH);
        p.producer.awaitDone();
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public void roundTrip(ProducerState p) {
        p.producer.post(handoff, 1);
        p.producer.awaitDone();
    }
}
