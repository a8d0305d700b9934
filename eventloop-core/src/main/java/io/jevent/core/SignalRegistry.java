package io.jevent.core;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The process-wide table of signal handlers installed for signal events.
 *
 * <p>A signal is watched while at least one signal event for it is added (pending): the first
 * {@link #watch} installs our handler, the last {@link #unwatch} puts back the handler that was there
 * before, so a deleted event no longer swallows the signal.
 *
 * <p>Threads: the JVM runs signal handlers ({@link JdkSignals}) on its own signal-dispatch thread. Ours never
 * touches a base's state there: it only counts the arrival in each {@link Watch} (one per added
 * event) and rings the watch's base ({@link EventBase#wakeup()}); the loop thread turns the counts
 * into SIGNAL activations after its poll. The counter's atomic increment happens before the wake-up,
 * and the loop reads counters after the poll returns, so an arrival is never missed: either the
 * loop sees the count in this iteration or the wake-up makes it run another.
 *
 * <p>The table itself is guarded by the class lock; it changes only when signal events are added or
 * deleted, never on the loop's hot path.
 */
final class SignalRegistry {
    /**
     * One added event's interest in one signal. Each event has its own, so that every event on a
     * signal sees every arrival. The handler thread increments {@code arrivals}; the loop reads it.
     */
    static final class Watch {
        final EventBase base;
        final String name;
        final AtomicInteger arrivals = new AtomicInteger();

        Watch(EventBase base, String name) {
            this.base = base;
            this.name = name;
        }
    }

    private static final class Slot {
        final JdkSignals.Handler previous;
        final List<Watch> watches = new ArrayList<>();
        volatile Watch[] snapshot = new Watch[0];

        Slot(JdkSignals.Handler previous) {
            this.previous = previous;
        }
    }

    private static final Map<String, Slot> SLOTS = new HashMap<>();

    private SignalRegistry() {
    }

    /** Normalises "SIGTERM"/"term" to "TERM", the form the JVM's signal names take. */
    static String normalise(String name) {
        String n = name.trim().toUpperCase(java.util.Locale.ROOT);
        return n.startsWith("SIG") ? n.substring(3) : n;
    }

    /**
     * Starts counting arrivals of {@code name} for one event of {@code base}; installs our handler
     * for the first watch of the signal.
     *
     * @throws IllegalArgumentException if the signal is unknown or reserved by the JVM
     */
    static synchronized Watch watch(EventBase base, String name) {
        Slot slot = SLOTS.get(name);
        if (slot == null) {
            Slot[] holder = new Slot[1];
            JdkSignals.Handler previous = JdkSignals.install(name, () -> deliver(holder[0]));
            slot = new Slot(previous);
            holder[0] = slot;
            SLOTS.put(name, slot);
        }
        Watch w = new Watch(base, name);
        slot.watches.add(w);
        slot.snapshot = slot.watches.toArray(new Watch[0]);
        return w;
    }

    /** Stops counting for {@code w}; after the signal's last watch, restores the previous handler. */
    static synchronized void unwatch(Watch w) {
        Slot slot = SLOTS.get(w.name);
        if (slot == null) {
            return;
        }
        slot.watches.remove(w);
        slot.snapshot = slot.watches.toArray(new Watch[0]);
        if (slot.watches.isEmpty()) {
            JdkSignals.restore(w.name, slot.previous);
            SLOTS.remove(w.name);
        }
    }

    // Runs on the JVM's signal-dispatch thread.
    private static void deliver(Slot slot) {
        if (slot == null) {
            return;
        }
        for (Watch w : slot.snapshot) {
            w.arrivals.incrementAndGet();
            w.base.signalArrived();
        }
    }
}
