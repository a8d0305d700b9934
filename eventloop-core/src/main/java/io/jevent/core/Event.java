package io.jevent.core;

import java.nio.channels.SelectableChannel;
import java.time.Duration;
import java.util.OptionalLong;

/**
 * A callback waiting for readiness of a channel, a timeout, a signal, or an explicit activation;
 * libevent's {@code struct event}. Create one with {@link EventBase#newEvent}, {@link
 * EventBase#newTimer} or {@link EventBase#newSignal}.
 *
 * <h2>Life cycle</h2>
 * An event is <em>initialised</em> when created, <em>pending</em> after {@link #add()} (waiting for
 * its channel, signal or timeout), <em>active</em> when what it waits for happened and its callback
 * is queued, and back to initialised when its callback starts, unless it is {@link #PERSIST}ent, in
 * which case it stays pending. {@link #del()} makes it initialised again from any state; {@link
 * #free()} releases it for good.
 *
 * <h2>Threading</h2>
 * Every method must be called on the loop thread of the event's base (before the base's first loop:
 * the thread that created the base) and throws {@link IllegalStateException} elsewhere. Other threads
 * hand work to the loop through the {@code io.jevent.msgqueue} module.
 *
 * <h2>Differences from libevent</h2>
 * NIO's selector is level-triggered only, so there is no {@code EV_ET}; there is no {@code EV_CLOSED}
 * (a closed peer shows as READ, and the read returns -1). {@code EV_FINALIZE} is unnecessary: an event
 * is only ever touched on its loop thread, so {@code del()} never races a running callback.
 */
public final class Event extends TimerEntry {
    /** The timeout given to {@link #add(Duration)} elapsed. */
    public static final int TIMEOUT = 0x01;
    /** The channel is readable (or, for a server channel, has a connection to accept). */
    public static final int READ = 0x02;
    /**
     * The channel is writable. On a {@link java.nio.channels.SocketChannel} whose connect is pending,
     * WRITE waits for the connect to finish; after {@code finishConnect()}, {@code del()} and
     * {@code add()} the event to wait for writability again.
     */
    public static final int WRITE = 0x04;
    /** The signal arrived (signal events only). */
    public static final int SIGNAL = 0x08;
    /** Stay pending after firing, instead of needing another {@link #add()}. */
    public static final int PERSIST = 0x10;

    // State bits (loop thread only).
    private static final int INSERTED = 1;
    private static final int ACTIVE = 2;
    private static final int FREED = 4;
    private static final int ONCE = 8;

    final EventBase base;
    final SelectableChannel channel;
    final int events;
    private final EventCallback callback;
    final String signalName;
    final ChannelRegistration registration;
    SignalRegistry.Watch signalWatch;

    private int state;
    int priority;
    /** The bits that fired, accumulated while active. */
    int res;
    /** The timeout given to add(Duration), re-applied by persistent events; -1 for none. */
    long timeoutNanos = -1;
    /** Signal arrivals not yet delivered; the callback runs once for each, as in libevent. */
    int signalCalls;

    // Intrusive links: owned by the loop thread, they spare an allocation per activation or re-arm.
    Event activeNext;
    Event activePrev;
    CommonTimeout commonQueue;
    Event commonNext;
    Event commonPrev;
    Event allNext;
    Event allPrev;

    Event(EventBase base, SelectableChannel channel, int events, String signalName, EventCallback callback,
          ChannelRegistration registration) {
        this.base = base;
        this.channel = channel;
        this.events = events;
        this.signalName = signalName;
        this.callback = callback;
        this.registration = registration;
        this.priority = base.config().priorities() / 2;
    }

    /**
     * The base this event belongs to. Thread-safe.
     *
     * @return the base that created it; never changes
     */
    public EventBase base() {
        return base;
    }

    /**
     * The watched channel. Thread-safe.
     *
     * @return the channel, or {@code null} for timers, signals and user-activated events
     */
    public SelectableChannel channel() {
        return channel;
    }

    /**
     * The flags it was created with; libevent's {@code event_get_events}. Thread-safe.
     *
     * @return a mask of {@code READ}, {@code WRITE}, {@code SIGNAL} and {@code PERSIST}
     */
    public int events() {
        return events;
    }

    /**
     * The callback. Thread-safe.
     *
     * @return the callback given at creation; never changes
     */
    public EventCallback callback() {
        return callback;
    }

    /**
     * Its priority; libevent's {@code event_get_priority}. Loop thread.
     *
     * @return 0 for the most urgent, up to the base's priorities minus one
     * @throws IllegalStateException off the loop thread
     */
    public int priority() {
        base.checkThread();
        return priority;
    }

    /**
     * Makes the event pending with no timeout; libevent's {@code event_add(ev, NULL)}. If it already
     * has a timeout scheduled, that timeout stays (use {@link #removeTimeout()} to drop it). An event
     * with neither channel nor signal, added without timeout, stays pending until deleted and fires
     * only through {@link #activate(int)}: it keeps the loop running.
     *
     * @throws IllegalStateException off the loop thread, after {@link #free()}, after the base is
     *                               closed, or if the channel has been closed
     */
    public void add() {
        base.checkThread();
        checkNotFreed();
        base.addInternal(this, -1);
    }

    /**
     * Makes the event pending and (re)schedules its timeout {@code timeout} from now; libevent's
     * {@code event_add(ev, tv)}. If a {@link CommonTimeout} of exactly this duration exists, the event
     * joins its O(1) queue. A persistent event re-arms this timeout each time it fires.
     *
     * @param timeout how long from {@link EventBase#now()}; zero fires on the next iteration
     * @throws IllegalArgumentException if {@code timeout} is negative
     * @throws IllegalStateException    as for {@link #add()}
     */
    public void add(Duration timeout) {
        base.checkThread();
        checkNotFreed();
        base.addInternal(this, EventBase.toNanos(timeout));
    }

    /**
     * Stops the event: no longer pending, and no longer active (a queued callback will not run);
     * libevent's {@code event_del}. Deleting an event that is not pending does nothing. Safe from
     * inside any callback of the base, including the event's own.
     *
     * @throws IllegalStateException off the loop thread
     */
    public void del() {
        base.checkThread();
        if ((state & FREED) == 0) {
            base.deleteInternal(this);
        }
    }

    /**
     * Removes only the timeout, keeping the event pending on its channel or signal; libevent's
     * {@code event_remove_timer}. A persistent event will not re-arm the timeout either.
     *
     * @throws IllegalStateException off the loop thread
     */
    public void removeTimeout() {
        base.checkThread();
        timeoutNanos = -1;
        base.unscheduleTimer(this);
    }

    /**
     * Queues the callback with {@code res} as its {@code what}, whether or not the event is pending;
     * libevent's {@code event_active}. Activating an already active event merges the bits, so the
     * callback runs once with all of them.
     *
     * @param res the bits the callback sees as {@code what}
     * @throws IllegalStateException off the loop thread, or after {@link #free()}
     */
    public void activate(int res) {
        base.checkThread();
        checkNotFreed();
        base.activateInternal(this, res);
    }

    /**
     * Tells whether the event is pending or active for any of {@code what}; libevent's
     * {@code event_pending}. READ/WRITE/SIGNAL count while the event is added, TIMEOUT while a
     * timeout is scheduled, and any bit while the event is active with it.
     *
     * @param what the bits to ask about
     * @return {@code true} if the event is pending or active for at least one of them
     * @throws IllegalStateException off the loop thread
     */
    public boolean isPending(int what) {
        base.checkThread();
        int pending = 0;
        if ((state & INSERTED) != 0) {
            pending |= events & (READ | WRITE | SIGNAL);
        }
        if (hasTimer()) {
            pending |= TIMEOUT;
        }
        if ((state & ACTIVE) != 0) {
            pending |= res;
        }
        return (pending & what) != 0;
    }

    /**
     * When the scheduled timeout is due, on the base's clock ({@link EventBase#now()} scale), or empty
     * when none is scheduled.
     *
     * @return the deadline in nanoseconds, or empty
     * @throws IllegalStateException off the loop thread
     */
    public OptionalLong deadline() {
        base.checkThread();
        return hasTimer() ? OptionalLong.of(deadline) : OptionalLong.empty();
    }

    /**
     * Sets the priority: 0 is the most urgent, {@code priorities - 1} the least; default the middle.
     *
     * @param priority the new priority
     * @throws IllegalArgumentException if out of range for the base
     * @throws IllegalStateException    off the loop thread, or while the event is active (as libevent)
     */
    public void setPriority(int priority) {
        base.checkThread();
        if (priority < 0 || priority >= base.config().priorities()) {
            throw new IllegalArgumentException("priority must be 0.." + (base.config().priorities() - 1)
                    + ", got " + priority);
        }
        if ((state & ACTIVE) != 0) {
            throw new IllegalStateException("cannot change the priority of an active event: " + this);
        }
        this.priority = priority;
    }

    /**
     * Deletes the event and releases what it holds: its share of the channel's selector registration
     * and its signal handler. Idempotent; also safe after the base was closed. The channel itself is
     * not closed: it belongs to the caller.
     *
     * @throws IllegalStateException off the loop thread
     */
    public void free() {
        if (base.isClosed() || (state & FREED) != 0) {
            return;
        }
        base.checkThread();
        base.freeInternal(this);
    }

    /**
     * Whether {@link #free()} ran. Loop thread.
     *
     * @return {@code true} once freed; it stays true
     */
    public boolean isFreed() {
        return (state & FREED) != 0;
    }

    // --- state helpers for the base (loop thread only) ---

    boolean isInserted() {
        return (state & INSERTED) != 0;
    }

    boolean isActive() {
        return (state & ACTIVE) != 0;
    }

    boolean isOnce() {
        return (state & ONCE) != 0;
    }

    boolean hasTimer() {
        return inHeap() || commonQueue != null;
    }

    boolean isPersistent() {
        return (events & PERSIST) != 0;
    }

    void setInserted(boolean on) {
        state = on ? state | INSERTED : state & ~INSERTED;
    }

    void setActive(boolean on) {
        state = on ? state | ACTIVE : state & ~ACTIVE;
    }

    void markFreed() {
        state |= FREED;
    }

    void markOnce() {
        state |= ONCE;
    }

    void run(int what) {
        callback.onEvent(this, what);
    }

    private void checkNotFreed() {
        if ((state & FREED) != 0) {
            throw new IllegalStateException("event was freed: " + this);
        }
    }

    /** A one-line description: what it watches, its flags and, when known, its state. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Event[");
        if (channel != null) {
            sb.append(channel);
        } else if (signalName != null) {
            sb.append("SIG").append(signalName);
        } else {
            sb.append("timer");
        }
        sb.append(' ').append(describe(events));
        if ((state & INSERTED) != 0) {
            sb.append(" pending");
        }
        if ((state & ACTIVE) != 0) {
            sb.append(" active=").append(describe(res));
        }
        if ((state & FREED) != 0) {
            sb.append(" freed");
        }
        sb.append(" prio=").append(priority);
        return sb.append(']').toString();
    }

    /**
     * Names the event bits set in {@code what}, e.g. {@code "READ|PERSIST"}, for messages and logs: the
     * {@code what} a callback receives, the flags an event was created with, or a mask of them. Bits
     * that are no event flag are shown last, as one hex number ({@code "READ|0x100"}), so nothing set
     * is hidden.
     *
     * <p>Any thread; no side effects.
     *
     * @param what a mask of {@link #TIMEOUT}, {@link #READ}, {@link #WRITE}, {@link #SIGNAL} and
     *             {@link #PERSIST}
     * @return the names joined by {@code |} in bit order; {@code "-"} when no bit is set
     */
    public static String describe(int what) {
        return describeBits(what, FLAG_BITS, FLAG_NAMES);
    }

    private static final int[] FLAG_BITS = {TIMEOUT, READ, WRITE, SIGNAL, PERSIST};
    private static final String[] FLAG_NAMES = {"TIMEOUT", "READ", "WRITE", "SIGNAL", "PERSIST"};

    private static String describeBits(int what, int[] bits, String[] names) {
        StringBuilder sb = new StringBuilder();
        int known = 0;
        for (int i = 0; i < bits.length; i++) {
            known |= bits[i];
            if ((what & bits[i]) != 0) {
                sb.append(sb.length() > 0 ? "|" : "").append(names[i]);
            }
        }
        int unknown = what & ~known;
        if (unknown != 0) {
            sb.append(sb.length() > 0 ? "|" : "").append("0x").append(Integer.toHexString(unknown));
        }
        return sb.length() == 0 ? "-" : sb.toString();
    }
}
