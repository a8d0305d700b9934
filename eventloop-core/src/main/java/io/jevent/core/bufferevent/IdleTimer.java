package io.jevent.core.bufferevent;

import java.time.Duration;

import io.jevent.core.Event;
import io.jevent.core.EventBase;

/**
 * One direction's "no progress for this long" timeout, checked lazily: progress only records the
 * loop's cached time, and the timer, when it fires, re-arms itself for whatever is left of the
 * period since the last progress. So a busy connection pays a field write per read or write
 * instead of a timer re-arm (a heap operation) per message, and one timer event per period.
 *
 * <p>Stopping does not delete the timer either: a stopped timer that fires does nothing and stays
 * idle, so a direction that starts and stops for every message (a write that leaves at once) costs
 * no timer operation at all. Loop thread only, like the buffer event that owns it.
 */
final class IdleTimer {
    private final EventBase base;
    private final Event timer;
    private final Runnable onExpiry;
    /** The period in nanoseconds, or -1 for no timeout. */
    private long periodNanos = -1;
    private Duration period;
    /** Whether the direction is counting: it wants to make progress and is not paused. */
    private boolean counting;
    private long lastProgress;

    IdleTimer(EventBase base, Runnable onExpiry) {
        this.base = base;
        this.onExpiry = onExpiry;
        this.timer = base.newTimer((ev, what) -> fired());
    }

    /** Sets the period ({@code null} for none) and stops counting; the next {@link #start()} counts anew. */
    void setPeriod(Duration d) {
        period = d;
        periodNanos = d == null ? -1 : d.toNanos();
        counting = false;
        timer.del();
    }

    /** Counts from now unless already counting. */
    void start() {
        if (counting || periodNanos < 0) {
            return;
        }
        counting = true;
        lastProgress = base.now();
        if (!timer.isPending(Event.TIMEOUT)) {
            timer.add(period);
        }
    }

    /** Counts from now, even if already counting: enabling a direction restarts its clock. */
    void restart() {
        counting = false;
        start();
    }

    /** Stops counting. The timer may still fire once and then does nothing. */
    void stop() {
        counting = false;
    }

    /** The direction made progress: the period starts again from now. */
    void progress() {
        if (counting) {
            lastProgress = base.now();
        }
    }

    void free() {
        timer.free();
    }

    private void fired() {
        if (!counting) {
            return;
        }
        long left = lastProgress + periodNanos - base.now();
        if (left > 0) {
            timer.add(Duration.ofNanos(left));      // progress since it was armed: wait for the rest
            return;
        }
        counting = false;
        onExpiry.run();
    }
}
