package io.jevent.core;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/** A clock the test moves by hand, so timer tests assert exact times instead of racing real time. */
final class ManualClock implements LongSupplier {
    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);

    @Override
    public long getAsLong() {
        return nanos.get();
    }

    void advance(Duration d) {
        nanos.addAndGet(d.toNanos());
    }

    long millisSince(long start) {
        return (nanos.get() - start) / 1_000_000;
    }

    static EventBase base(ManualClock clock, int priorities) {
        return new EventBase(EventConfig.builder().clock(clock).priorities(priorities).build());
    }
}
