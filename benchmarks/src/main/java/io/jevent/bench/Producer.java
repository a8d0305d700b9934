package io.jevent.bench;

import java.util.concurrent.atomic.AtomicLong;

/**
 * One producer's bookkeeping: the task it posts (allocated once, so the benchmark measures the
 * hand-off, not the garbage collector) and how many of its tasks the consumer has run.
 *
 * <p>Threads: {@code sent} belongs to the producer; {@code done} is written only by the consumer
 * thread (so a lazySet of get()+1 is a correct increment) and read by the producer.
 */
final class Producer {
    final AtomicLong done = new AtomicLong();
    final Runnable task = () -> done.lazySet(done.get() + 1);
    long sent;

    /** Posts {@code n} tasks, retrying while a bounded target is full. */
    void post(HandoffTarget target, int n) {
        for (int i = 0; i < n; i++) {
            while (!target.post(task)) {
                Thread.onSpinWait();
            }
        }
        sent += n;
    }

    /** Spins until the consumer has run everything posted: the caller of a round trip. */
    void awaitDone() {
        while (done.get() < sent) {
            Thread.onSpinWait();
        }
    }
}
