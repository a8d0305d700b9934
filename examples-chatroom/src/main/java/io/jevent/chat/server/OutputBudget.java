package io.jevent.chat.server;

import java.util.Collection;

/**
 * One loop's share of the server-wide output budget ({@link ServerConfig#outputBudget()} divided by
 * the number of loops): the unsent output bytes of all its connections together. A connection asks
 * {@link #reserve} before it queues anything; if the bytes would not fit, the connections holding the
 * most unsent output are dropped ({@code BYE output budget exceeded}) until they fit. So a flood of
 * unread output ends with some connections closed, never with the loop thread dying of
 * {@link OutOfMemoryError} (output buffers are direct memory).
 *
 * <p>Why a share per loop instead of one shared counter: each loop then decides alone, with no lock
 * and no cross-loop drop, and connections are spread round-robin, so the shares fill alike.
 *
 * <p>Threading: confined to its loop's thread, like the sessions it counts; {@link #drops()} and
 * {@link #queued()} may be read anywhere (stats).
 */
final class OutputBudget {
    private final long limit;
    // Written by the loop thread only (single writer); read by any thread for stats.
    private volatile long queued;
    private volatile long peak;
    private volatile long drops;

    /** @param limit bytes this loop's connections may hold unsent, together */
    OutputBudget(long limit) {
        this.limit = limit;
    }

    /** Loop thread: a connection's output grew or shrank by {@code delta} bytes. */
    void changed(long delta) {
        long now = queued + delta;
        queued = now;
        if (now > peak) {
            peak = now;
        }
    }

    /**
     * Loop thread, before {@code writer} queues {@code bytes}: makes room by dropping the sessions of
     * {@code sessions} with the most unsent output (a closing one is closed at once) until the bytes
     * fit. Bytes that could not fit even alone drop the writer.
     *
     * @return true if the bytes may be queued; false if the writer itself was dropped (it is closing)
     */
    boolean reserve(Session writer, long bytes, Collection<Session> sessions) {
        if (bytes > limit) {
            drop(writer);
            return false;
        }
        while (queued + bytes > limit) {
            Session largest = null;
            long most = -1;
            for (Session s : sessions) {
                long unsent = s.unsentBytes();
                if (unsent > most) {
                    most = unsent;
                    largest = s;
                }
            }
            if (largest == null) {
                return true;   // nothing queued anywhere: cannot happen while queued > 0
            }
            drop(largest);
            if (largest == writer) {
                return false;
            }
        }
        return true;
    }

    // NonAtomicVolatileUpdate: only the loop thread writes the counters; volatile lets stats read them.
    @SuppressWarnings("NonAtomicVolatileUpdate")
    private void drop(Session session) {
        if (session.dropForBudget()) {
            drops = drops + 1;
        }
    }

    long queued() {
        return queued;
    }

    /** The most bytes ever queued at once on this loop: at most the limit plus one BYE line per drop. */
    long peak() {
        return peak;
    }

    /** Connections dropped to make room (each counted once). */
    long drops() {
        return drops;
    }
}
