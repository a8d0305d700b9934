package io.jevent.core;

import java.time.Duration;

/**
 * A timeout duration that many events share, re-armed in O(1); libevent's
 * {@code event_base_init_common_timeout}.
 *
 * <p>Why: a server with 100,000 connections re-arms the same idle timeout on every read. In a heap
 * each re-arm costs O(log n). Events sharing one duration instead wait in a FIFO list: a re-armed
 * event's new deadline is the latest in the list, so it moves to the tail in O(1), and only the list's
 * head stands in the base's heap. Obtain one with {@link EventBase#initCommonTimeout(Duration)}; after
 * that every {@link Event#add(Duration)} with exactly this duration uses it automatically.
 *
 * <p>Owned by its base's loop thread; the list is only touched there.
 */
public final class CommonTimeout extends TimerEntry {
    private final EventBase base;
    private final long durationNanos;
    Event head;
    Event tail;

    CommonTimeout(EventBase base, long durationNanos) {
        this.base = base;
        this.durationNanos = durationNanos;
    }

    /**
     * The duration this queue stands for. Thread-safe.
     *
     * @return the duration given to {@link EventBase#initCommonTimeout(Duration)}
     */
    public Duration duration() {
        return Duration.ofNanos(durationNanos);
    }

    /**
     * The base it belongs to. Thread-safe.
     *
     * @return the base that made it
     */
    public EventBase base() {
        return base;
    }

    long durationNanos() {
        return durationNanos;
    }

    /**
     * Puts {@code ev} in deadline order, scanning back from the tail: re-arms go to the tail in one
     * step; only a persistent event re-armed from its old deadline may land a few places earlier.
     */
    void insert(Event ev) {
        Event after = tail;
        while (after != null && ev.before(after)) {
            after = after.commonPrev;
        }
        ev.commonQueue = this;
        ev.commonPrev = after;
        ev.commonNext = after == null ? head : after.commonNext;
        if (ev.commonNext == null) {
            tail = ev;
        } else {
            ev.commonNext.commonPrev = ev;
        }
        if (after == null) {
            head = ev;
        } else {
            after.commonNext = ev;
        }
    }

    void unlink(Event ev) {
        if (ev.commonPrev == null) {
            head = ev.commonNext;
        } else {
            ev.commonPrev.commonNext = ev.commonNext;
        }
        if (ev.commonNext == null) {
            tail = ev.commonPrev;
        } else {
            ev.commonNext.commonPrev = ev.commonPrev;
        }
        ev.commonPrev = ev.commonNext = null;
        ev.commonQueue = null;
    }

    @Override
    public String toString() {
        return "CommonTimeout[" + duration() + "]";
    }
}
