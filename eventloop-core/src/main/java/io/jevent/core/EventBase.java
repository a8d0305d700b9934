package io.jevent.core;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;

import io.jevent.core.spi.LoopObserver;
import io.jevent.core.spi.LoopObservers;

/**
 * The reactor: a selector, a timer heap, one active queue per priority, and the loop that dispatches
 * them; libevent's {@code struct event_base}.
 *
 * <h2>Threading</h2>
 * A base is confined to one thread. Before its first loop that is the thread that created it; from
 * then on it is the thread that runs {@link #loop(int)} (a base not currently looping may be looped by
 * another thread, which then owns it). Every method except {@link #loopBreak()}, {@link
 * #loopExit(Duration)}, {@link #wakeup()}, {@link #inLoopThread()} and {@link #isClosed()} throws
 * {@link IllegalStateException} when called from any other thread, naming both threads: a loud failure
 * instead of the silent corruption libevent gives without {@code evthread_use_pthreads}. To hand work
 * to a loop from another thread, use the {@code io.jevent.msgqueue} module.
 *
 * <h2>One iteration of the loop</h2>
 * <ol>
 * <li>Stop if {@link #loopBreak()} was called, or a {@link #loopExit(Duration)} event ran; return 1
 *     if no event is pending or active and no {@link Deferred} task is scheduled (unless
 *     {@link #LOOP_NO_EXIT_ON_EMPTY}). While an exit event is active, skip to running callbacks: no
 *     further poll.</li>
 * <li>Work out how long to sleep: zero if callbacks or deferred tasks are waiting, else until the
 *     earliest timer.</li>
 * <li>Ask each loop observer (an internal seam of {@code io.jevent.msgqueue}) whether it has work (then do not sleep), poll the selector, tell
 *     the observers the poll returned.</li>
 * <li>Update the cached time; queue the callbacks of ready channels, arrived signals and expired
 *     timers.</li>
 * <li>Run the queued callbacks of the most urgent non-empty priority, at most
 *     {@link EventConfig#maxCallbacksPerIteration()} of them, and only those queued before the run
 *     started, so a callback that re-activates itself cannot starve I/O. A callback that activates
 *     a more urgent event ends the run: the next iteration runs that event first, then the rest
 *     (libevent's {@code event_continue}).</li>
 * <li>Run the {@link Deferred} tasks scheduled so far (a buffer event's flush of what those
 *     callbacks wrote), again only those scheduled before the run started.</li>
 * </ol>
 *
 * <h2>Errors</h2>
 * Methods never return error codes: a closed base, a wrong thread or a bad argument throws. A failing
 * callback does not stop the loop (see {@link CallbackExceptionHandler}).
 */
public final class EventBase implements AutoCloseable {
    /** {@link #loop(int)}: block until something is active, run those callbacks, return. */
    public static final int LOOP_ONCE = 0x01;
    /** {@link #loop(int)}: do not block; run what is ready now and return. */
    public static final int LOOP_NONBLOCK = 0x02;
    /** {@link #loop(int)}: keep running when no event is pending, until a break or exit. */
    public static final int LOOP_NO_EXIT_ON_EMPTY = 0x04;

    private static final System.Logger LOG = System.getLogger(EventBase.class.getName());
    /** Durations are clamped here so that deadline arithmetic on nanoTime can never overflow. */
    private static final long MAX_TIMEOUT_NANOS = Long.MAX_VALUE / 4;
    private static final Duration MAX_TIMEOUT = Duration.ofNanos(MAX_TIMEOUT_NANOS);
    private static final int MAX_COMMON_TIMEOUTS = 256;
    private static final LoopObserver[] NO_OBSERVERS = new LoopObserver[0];

    private final EventConfig config;
    /**
     * Replaced only by {@link #rebuildSelector()} on the loop thread; volatile because
     * {@link #wakeup()} reads it from any thread.
     */
    private volatile Selector selector;
    private final TimerHeap timers = new TimerHeap();
    private final ActiveQueue[] activeQueues;
    private final CallbackExceptionHandler exceptionHandler;
    /** Pre-allocated so that polling builds no selected-key set and no lambda per call. */
    private final Consumer<SelectionKey> onSelected = this::onSelected;

    // ---- written only by the loop (owner) thread ----
    private int activeCount;
    private int insertedCount;
    private long nextSeq;
    private long cachedNow;
    private boolean timeCached;
    private boolean running;
    private boolean gotBreak;
    private boolean gotExit;
    /** The priority whose queue is running, or MAX_VALUE between runs; libevent's event_running_priority. */
    private int runningPriority = Integer.MAX_VALUE;
    /** Set when an event more urgent than the running queue is activated; libevent's event_continue. */
    private boolean preempted;
    /** Set by an exit event's callback; the loop returns at the top of the next iteration. */
    private boolean exitNow;
    /**
     * Internal one-shot events standing for requested exits, as libevent's loopexit uses a once. Each
     * ends one loop: an exit still pending when a loop ends waits for the next loop, as in libevent.
     */
    private final List<Event> exitEvents = new ArrayList<>();
    private final EventCallback onExitEvent = (ev, what) -> {
        exitNow = true;
        exitEvents.remove(ev);
    };
    private LoopObserver[] observers = NO_OBSERVERS;
    /** What {@link #closeOwnedResources()} closes, in registration order. */
    private final Set<AutoCloseable> ownedResources = new LinkedHashSet<>();
    private CommonTimeout[] commonTimeouts = new CommonTimeout[0];
    private Event allHead;
    private final List<Event> signalEvents = new ArrayList<>();
    /** Scheduled {@link Deferred} tasks, oldest first. */
    private final DeferredQueue deferred = new DeferredQueue();

    // ---- shared with other threads ----
    /** The owner thread. Volatile so that a wrong-thread check on any thread sees the transfer. */
    private volatile Thread owner;
    private volatile boolean closed;
    /** Set by any thread, consumed by the loop; a break before the loop starts is kept, not lost. */
    private volatile boolean breakRequested;
    /**
     * Exit deadlines requested off the loop (another thread, or before the loop started), not yet
     * turned into exit events. Guarded by {@code exitLock}; {@code exitRequested} is volatile so the
     * loop can test it cheaply.
     */
    private volatile boolean exitRequested;
    private long[] requestedExits = new long[2];
    private int requestedExitCount;
    private final Object exitLock = new Object();
    /** Set by the signal-dispatch thread after counting an arrival; see {@link SignalRegistry}. */
    private volatile boolean signalPending;

    /** Creates a base with {@link EventConfig#defaults()}, owned by the calling thread. */
    public EventBase() {
        this(EventConfig.defaults());
    }

    /**
     * Creates a base owned by the calling thread.
     *
     * @param config selector provider, clock, callback limits and exception handler; read once, here
     * @throws NullPointerException if {@code config} is null
     * @throws UncheckedIOException if the selector cannot be opened (out of file descriptors)
     */
    public EventBase(EventConfig config) {
        this.config = Objects.requireNonNull(config, "config");
        this.exceptionHandler = config.exceptionHandler();
        this.activeQueues = new ActiveQueue[config.priorities()];
        for (int i = 0; i < activeQueues.length; i++) {
            activeQueues[i] = new ActiveQueue();
        }
        this.selector = openSelector();
        this.owner = Thread.currentThread();
    }

    /**
     * The configuration. Thread-safe.
     *
     * @return the configuration the base was created with
     */
    public EventConfig config() {
        return config;
    }

    // ------------------------------------------------------------------------------------------
    // Creating events
    // ------------------------------------------------------------------------------------------

    /**
     * Creates an event; libevent's {@code event_new}. Not yet pending: call {@link Event#add()}.
     *
     * @param channel the channel to watch for {@code READ}/{@code WRITE}, or {@code null} for a timer
     *                or an event fired only by {@link Event#activate(int)}. It is registered with
     *                the selector now and switched to non-blocking mode.
     * @param what    {@code READ}, {@code WRITE}, {@code PERSIST} in any combination
     * @param cb      the callback, run on the loop thread with the event and the bits that fired
     * @return the new event, not pending; it belongs to this base until {@link Event#free()}
     * @throws IllegalArgumentException if {@code what} has bits other than those, or READ/WRITE
     *                                  without a channel
     * @throws IllegalStateException    off the loop thread, after {@link #close()}, or if the channel
     *                                  is closed
     */
    public Event newEvent(SelectableChannel channel, int what, EventCallback cb) {
        checkThread();
        Objects.requireNonNull(cb, "callback");
        if ((what & ~(Event.READ | Event.WRITE | Event.PERSIST | Event.TIMEOUT)) != 0) {
            throw new IllegalArgumentException("unsupported flags " + Event.describe(what)
                    + " (signals: use newSignal)");
        }
        if (channel == null && (what & (Event.READ | Event.WRITE)) != 0) {
            throw new IllegalArgumentException("READ/WRITE need a channel");
        }
        ChannelRegistration reg = channel == null ? null : ChannelRegistration.of(channel, selector, this);
        Event ev = new Event(this, channel, what & ~Event.TIMEOUT, null, cb, reg);
        if (reg != null) {
            reg.attach(ev);
        }
        link(ev);
        return ev;
    }

    /**
     * Creates a task that runs once after the callbacks of the current iteration, before the loop
     * polls again, each time it is {@linkplain Deferred#schedule() scheduled}. Not yet scheduled.
     *
     * @param task what to run, on the loop thread; an exception it throws goes to the base's
     *             {@link CallbackExceptionHandler}
     * @return the task's handle, to schedule (again) or cancel
     * @throws IllegalStateException off the loop thread or after {@link #close()}
     */
    public Deferred newDeferred(Runnable task) {
        checkThread();
        return new Deferred(this, Objects.requireNonNull(task, "task"));
    }

    /**
     * Creates a non-persistent timer; libevent's {@code evtimer_new}: {@code newEvent(null, 0, cb)}.
     * Call {@link Event#add(Duration)} to start it.
     *
     * @param cb the callback, run on the loop thread with {@code what == TIMEOUT}
     * @return the new timer, not pending
     * @throws IllegalStateException off the loop thread or after {@link #close()}
     */
    public Event newTimer(EventCallback cb) {
        return newEvent(null, 0, cb);
    }

    /**
     * Creates a persistent signal event; libevent's {@code evsignal_new}. The callback runs on the loop
     * thread (never in the JVM's signal thread), once per arrival, with {@code what == SIGNAL}; it
     * stops being called as soon as the event is deleted, even for arrivals not yet delivered. The
     * signal is watched only while the event is added (pending): then the handler that was installed
     * before (the JVM's own: for TERM and INT, shutdown hooks) no longer runs. When the last added
     * event for the signal, in any base, is deleted or freed, that handler is put back, so a deleted
     * event swallows nothing.
     *
     * @param signal a name as {@code kill -l} prints it, with or without {@code SIG}: "TERM", "HUP"
     * @param cb     the callback, run on the loop thread once per arrival
     * @return the new signal event, persistent and not yet pending: {@link Event#add()} starts watching
     * @throws IllegalArgumentException when the signal is unknown or reserved by the JVM (on first add)
     * @throws IllegalStateException    off the loop thread or after {@link #close()}
     */
    public Event newSignal(String signal, EventCallback cb) {
        checkThread();
        Objects.requireNonNull(cb, "callback");
        Event ev = new Event(this, null, Event.SIGNAL | Event.PERSIST, SignalRegistry.normalise(signal), cb, null);
        link(ev);
        return ev;
    }

    /**
     * Runs {@code cb} once when {@code channel} is ready for {@code what} or {@code timeout} elapses,
     * whichever comes first, then frees the event; libevent's {@code event_base_once}. With a
     * {@code null} channel it is a one-shot timer. A once that never fires is released by {@link
     * #close()}.
     *
     * @param channel the channel to wait on, or {@code null} for a one-shot timer
     * @param what    {@code READ} and/or {@code WRITE} (with a channel), or {@code TIMEOUT}
     * @param timeout {@code null} for none (then a channel is needed)
     * @param cb      runs once, on the loop thread, with the bits that fired ({@code TIMEOUT} if the
     *                timeout came first)
     * @throws IllegalArgumentException if there is neither a channel nor a timeout, or PERSIST is set
     * @throws IllegalStateException    as for {@link #newEvent}
     */
    public void once(SelectableChannel channel, int what, Duration timeout, EventCallback cb) {
        checkThread();
        if ((what & Event.PERSIST) != 0) {
            throw new IllegalArgumentException("once events cannot be PERSIST");
        }
        if (channel == null && timeout == null) {
            throw new IllegalArgumentException("a once needs a channel or a timeout");
        }
        Event ev = newEvent(channel, what & ~Event.TIMEOUT, cb);
        ev.markOnce();
        if (timeout == null) {
            ev.add();
        } else {
            ev.add(timeout);
        }
    }

    /**
     * A one-shot timer: {@code once(null, TIMEOUT, timeout, cb)}.
     *
     * @param timeout how long from now
     * @param cb      runs once, on the loop thread, with {@code what == TIMEOUT}
     * @throws IllegalStateException as for {@link #newEvent}
     */
    public void once(Duration timeout, EventCallback cb) {
        once(null, Event.TIMEOUT, Objects.requireNonNull(timeout, "timeout"), cb);
    }

    /**
     * Declares a duration many events will share so that re-arming it costs O(1) instead of a heap
     * operation; libevent's {@code event_base_init_common_timeout}. Afterwards every
     * {@link Event#add(Duration)} with exactly this duration uses the common queue. Calling it again
     * with the same duration returns the same object.
     *
     * @param d the shared duration
     * @return the common timeout for {@code d}
     * @throws IllegalArgumentException if {@code d} is negative or 256 common timeouts already exist
     * @throws IllegalStateException    off the loop thread
     */
    public CommonTimeout initCommonTimeout(Duration d) {
        checkThread();
        long nanos = toNanos(d);
        CommonTimeout ct = findCommonTimeout(nanos);
        if (ct != null) {
            return ct;
        }
        if (commonTimeouts.length == MAX_COMMON_TIMEOUTS) {
            throw new IllegalArgumentException("at most " + MAX_COMMON_TIMEOUTS + " common timeouts");
        }
        ct = new CommonTimeout(this, nanos);
        commonTimeouts = Arrays.copyOf(commonTimeouts, commonTimeouts.length + 1);
        commonTimeouts[commonTimeouts.length - 1] = ct;
        return ct;
    }

    // ------------------------------------------------------------------------------------------
    // The loop
    // ------------------------------------------------------------------------------------------

    /**
     * Runs the loop until no event is pending, or until a break or exit: {@code loop(0)}; libevent's
     * {@code event_base_dispatch}. Same threads and exceptions as {@link #loop(int)}.
     *
     * @return as {@link #loop(int)}: 0 after a break or exit, 1 when no event was left pending
     */
    public int dispatch() {
        return loop(0);
    }

    /**
     * Runs the loop; libevent's {@code event_base_loop}. The calling thread becomes the base's owner.
     *
     * @param flags {@link #LOOP_ONCE}, {@link #LOOP_NONBLOCK}, {@link #LOOP_NO_EXIT_ON_EMPTY}, or 0
     * @return 0 when it ended through break, exit, ONCE or NONBLOCK; 1 when no event was pending or
     *         active (libevent's -1 does not exist: errors throw)
     * @throws IllegalStateException if called from a callback of this base, while another thread runs
     *                               this base's loop, or after {@link #close()}
     * @throws UncheckedIOException  if the selector fails
     * @throws VirtualMachineError   if a callback throws one (see {@link CallbackExceptionHandler})
     */
    public int loop(int flags) {
        enterLoop();
        try {
            gotBreak = false;
            gotExit = false;
            exitNow = false;
            updateTime();
            while (true) {
                if (breakRequested) {
                    breakRequested = false;
                    gotBreak = true;
                    return 0;
                }
                if (exitRequested) {
                    scheduleRequestedExits();
                }
                if (exitNow) {
                    exitNow = false;
                    gotExit = true;
                    return 0;
                }
                // Deferred tasks run before every poll. Here: those scheduled outside the loop, by
                // other tasks, or left by a break; the usual case is handled after the callbacks.
                int ran = deferred.size > 0 ? runDeferred() : 0;
                if (breakRequested) {
                    continue;               // a task broke the loop: return as a break, at the top
                }
                if (insertedCount == 0 && activeCount == 0 && deferred.size == 0
                        && (flags & LOOP_NO_EXIT_ON_EMPTY) == 0) {
                    return 1;
                }
                // A due exit ends the loop after the callbacks active now: nothing new is polled
                // or expired first (libevent activates a zero exit at once; loopExit's contract).
                if (!exitActive()) {
                    boolean noWait = activeCount > 0 || deferred.size > 0 || (flags & LOOP_NONBLOCK) != 0
                            || (ran != 0 && (flags & LOOP_ONCE) != 0);
                    poll(noWait ? 0 : sleepNanos());
                    updateTime();
                    expireTimers();
                }
                if (activeCount > 0) {
                    ran += runActive();
                } else if ((flags & LOOP_NONBLOCK) != 0 && deferred.size == 0) {
                    return 0;
                }
                // Deferred work (a buffered writer's flush) goes right after the callbacks that
                // produced it, so the writes of a whole iteration leave together, before any return.
                if (deferred.size > 0 && !breakRequested) {
                    ran += runDeferred();
                }
                if ((flags & LOOP_ONCE) != 0 && activeCount == 0 && ran != 0) {
                    return 0;
                }
            }
        } finally {
            timeCached = false;
            running = false;
        }
    }

    /**
     * Makes the running loop return after the callback that is running now (no other callback runs in
     * this iteration); libevent's {@code event_base_loopbreak}. Safe from any thread; wakes a loop
     * sleeping in its poll. A break requested while no loop runs is kept: the next {@link #loop(int)}
     * returns at once with {@link #gotBreak()} true (libevent silently drops it).
     */
    public void loopBreak() {
        breakRequested = true;
        if (!inLoopThread()) {
            wakeup();
        }
    }

    /**
     * Makes the loop return once {@code delay} has passed and the callbacks active then have run;
     * libevent's {@code event_base_loopexit}. As in libevent, the exit is a one-shot event at the
     * default priority, activated when the delay has passed, so callbacks of more urgent priorities,
     * and those queued before it at its own, still run before it; once it is active the loop polls no
     * more. So {@code loopExit(Duration.ZERO)} from a callback ends the loop after the callbacks
     * active now, without another poll.
     *
     * <p>Each call is one exit, and each exit ends one loop: of several, the earliest ends the current
     * loop and the others stay pending, so the next exit ends the next loop, as in libevent. An exit
     * requested while no loop runs applies to the next loop. Safe from any thread; wakes a sleeping
     * loop so it can recompute its sleep.
     *
     * @param delay how long from now; {@code Duration.ZERO} to exit as soon as the callbacks active
     *              now have run
     * @throws IllegalArgumentException if {@code delay} is negative
     */
    public void loopExit(Duration delay) {
        long delayNanos = toNanos(delay);
        long at = config.clock().getAsLong() + delayNanos;
        if (running && inLoopThread()) {
            scheduleExit(at, delayNanos == 0);     // from a callback: owned by this thread already
            return;
        }
        synchronized (exitLock) {
            if (requestedExitCount == requestedExits.length) {
                requestedExits = Arrays.copyOf(requestedExits, requestedExitCount * 2);
            }
            requestedExits[requestedExitCount++] = at;
            exitRequested = true;
        }
        if (!inLoopThread()) {
            wakeup();
        }
    }

    /**
     * Whether the last loop ended through {@link #loopBreak()}; libevent's
     * {@code event_base_got_break}. Loop thread.
     *
     * @return {@code true} if it did; cleared when the next loop starts
     */
    public boolean gotBreak() {
        checkThread();
        return gotBreak;
    }

    /**
     * Whether the last loop ended through {@link #loopExit(Duration)}; libevent's
     * {@code event_base_got_exit}. Loop thread.
     *
     * @return {@code true} if it did; cleared when the next loop starts
     */
    public boolean gotExit() {
        checkThread();
        return gotExit;
    }

    /**
     * The time on the base's monotonic clock, in nanoseconds, cached once per iteration so callbacks
     * that need the time cost no clock read; libevent's {@code event_base_gettimeofday_cached}. Outside
     * a loop, reads the clock. Compare values by subtraction. Loop thread.
     *
     * @return nanoseconds on the base's clock ({@link EventConfig#clock()}), with an arbitrary origin
     */
    public long now() {
        checkThread();
        return currentTime();
    }

    /** {@link #now()} without the thread check, for callers that already made it. */
    private long currentTime() {
        return timeCached ? cachedNow : config.clock().getAsLong();
    }

    /**
     * Makes a poll that is blocking now, or the next one, return at once. Safe from any thread; the
     * JDK coalesces repeated calls until the poll returns. The primitive that cross-thread hand-off
     * builds on.
     */
    public void wakeup() {
        if (!closed) {
            selector.wakeup();
        }
    }

    /**
     * Throws unless called on this base's loop thread on an open base: the check every core method
     * makes, offered to code layered on a base so that it fails the same loud way.
     *
     * @throws IllegalStateException off the loop thread (naming both threads) or after {@link #close()}
     */
    public void requireLoopThread() {
        checkThread();
    }

    /**
     * Whether the calling thread owns this base: its creator until {@link #loop(int)} runs, then the
     * thread running the loop. Thread-safe.
     *
     * @return {@code true} on the owning thread
     */
    public boolean inLoopThread() {
        return Thread.currentThread() == owner;
    }

    static {
        // The observer seam lives in io.jevent.core.spi, exported to io.jevent.msgqueue only; it
        // reaches the private list below through this bridge rather than a public method here.
        LoopObservers.setBridge(new LoopObservers.Bridge() {
            @Override
            public void add(EventBase base, LoopObserver observer) {
                base.addLoopObserver(observer);
            }

            @Override
            public void remove(EventBase base, LoopObserver observer) {
                base.removeLoopObserver(observer);
            }
        });
    }

    /** Adds a hook around each iteration's poll (see {@link LoopObservers#add}). Loop thread. */
    private void addLoopObserver(LoopObserver observer) {
        checkThread();
        Objects.requireNonNull(observer, "observer");
        observers = Arrays.copyOf(observers, observers.length + 1);
        observers[observers.length - 1] = observer;
    }

    /** Removes a hook; does nothing if it is not there. Loop thread. */
    private void removeLoopObserver(LoopObserver observer) {
        checkThread();
        for (int i = 0; i < observers.length; i++) {
            if (observers[i] == observer) {
                LoopObserver[] next = new LoopObserver[observers.length - 1];
                System.arraycopy(observers, 0, next, 0, i);
                System.arraycopy(observers, i + 1, next, i, next.length - i);
                observers = next;
                return;
            }
        }
    }

    /**
     * Replaces the selector with a new one from {@link EventConfig#selectorProvider()} and registers
     * every watched channel with it, with the same interest; then closes the old one. Netty's
     * {@code rebuildSelector}: the way out when the selector itself has failed (its {@code select}
     * throws, or it was closed under the base), which would otherwise make every loop fail. Events,
     * timers and signals are untouched; only the channel registrations move. A channel closed
     * meanwhile is left unregistered (its events fail on their next add, as with any closed channel).
     *
     * <p>Loop thread, normally between two {@link #loop(int)} calls after one threw (as
     * {@code io.jevent.msgqueue.EventLoopThread} does). A {@link #wakeup()} sent to the old selector
     * during the rebuild is not lost: the new selector starts woken, so the next poll does not block.
     *
     * @throws UncheckedIOException  if no new selector can be opened (the old one is kept)
     * @throws IllegalStateException off the loop thread or after {@link #close()}
     */
    public void rebuildSelector() {
        checkThread();
        Selector old = selector;
        Selector fresh = openSelector();
        Set<ChannelRegistration> moved = Collections.newSetFromMap(new IdentityHashMap<>());
        try {
            for (Event ev = allHead; ev != null; ev = ev.allNext) {
                if (ev.registration != null && moved.add(ev.registration)) {
                    ev.registration.moveTo(fresh);
                }
            }
        } catch (RuntimeException e) {
            try {
                fresh.close();
            } catch (IOException closeFailure) {
                e.addSuppressed(closeFailure);
            }
            throw e;
        }
        selector = fresh;
        fresh.wakeup();
        try {
            old.close();
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "closing the replaced selector failed", e);
        }
    }

    // ------------------------------------------------------------------------------------------
    // Introspection and shutdown
    // ------------------------------------------------------------------------------------------

    /**
     * Calls {@code action} for every pending or active event; libevent's
     * {@code event_base_foreach_event}. It sees a snapshot, so it may add, delete or free events.
     * Loop thread.
     *
     * @param action called once per event, on the calling (loop) thread
     * @throws IllegalStateException off the loop thread
     */
    public void forEachEvent(Consumer<Event> action) {
        checkThread();
        List<Event> snapshot = new ArrayList<>();
        for (Event ev = allHead; ev != null; ev = ev.allNext) {
            if (ev.isInserted() || ev.isActive() || ev.hasTimer()) {
                snapshot.add(ev);
            }
        }
        snapshot.forEach(action);
    }

    /**
     * Writes one line per pending or active event, with its remaining timeout, for debugging;
     * libevent's {@code event_base_dump_events}. Loop thread.
     *
     * @param out where the lines go
     * @throws UncheckedIOException if {@code out} fails
     */
    public void dumpEvents(Appendable out) {
        checkThread();
        long now = currentTime();
        forEachEvent(ev -> {
            try {
                out.append(ev.toString());
                if (ev.hasTimer()) {
                    out.append(" timeout in ").append(Long.toString((ev.deadline - now) / 1_000_000)).append(" ms");
                }
                out.append('\n');
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /**
     * Registers a resource that lives on this base and must not outlive its loop: {@link
     * #closeOwnedResources()} closes it. {@code BufferEvent} and {@code ConnectionListener} register
     * themselves when created and remove themselves when closed, so code that runs a base for others
     * (an {@code EventLoopThread} at shutdown) can close every socket still open on it, as Netty
     * closes a loop's channels when the loop terminates; other layers may register their own. Adding
     * a resource twice keeps one entry. Loop thread.
     *
     * @param resource closed by {@link #closeOwnedResources()} unless removed first
     * @throws IllegalStateException off the loop thread or after {@link #close()}
     */
    public void addOwnedResource(AutoCloseable resource) {
        checkThread();
        ownedResources.add(Objects.requireNonNull(resource, "resource"));
    }

    /**
     * Forgets a resource given to {@link #addOwnedResource}, typically because it was closed by other
     * means; does nothing if it is not there. Loop thread.
     *
     * @param resource the resource to forget; it is not closed
     * @throws IllegalStateException off the loop thread or after {@link #close()}
     */
    public void removeOwnedResource(AutoCloseable resource) {
        checkThread();
        ownedResources.remove(resource);
    }

    /**
     * Closes every resource given to {@link #addOwnedResource} and not removed since, oldest first,
     * and forgets them: the sockets of the buffer events and listeners still open on this base. A
     * buffer event closed this way tells its status callback ({@code BufferEvent.CLOSED}). A resource
     * registered while this runs (by such a callback) is closed too. A {@code close()} that throws is
     * reported to the {@link CallbackExceptionHandler} and the others are still closed; a
     * {@link VirtualMachineError} propagates. When it returns, the sockets are closed at the OS level
     * too (the selector has let go of them), not only marked closed.
     *
     * <p>{@link #close()} does not call this: there the channels stay the caller's, as in libevent.
     * {@code io.jevent.msgqueue.EventLoopThread} calls it when its loop terminates, before closing the
     * base. Loop thread; also from a callback.
     *
     * @throws IllegalStateException off the loop thread or after {@link #close()}
     */
    public void closeOwnedResources() {
        checkThread();
        while (!ownedResources.isEmpty()) {
            Iterator<AutoCloseable> it = ownedResources.iterator();
            AutoCloseable r = it.next();
            it.remove();                // before close(): its own removeOwnedResource finds nothing
            try {
                r.close();
            } catch (VirtualMachineError e) {
                throw e;
            } catch (Throwable t) {
                reportFailure(null, t);
            }
        }
        // A channel closed while registered keeps its socket until the selector drops the key.
        try {
            flushCancelledKeys();
        } catch (RuntimeException brokenSelector) {
            // Everything is closed already; the sockets go when the selector is closed or rebuilt.
            LOG.log(System.Logger.Level.DEBUG, "could not flush cancelled keys", brokenSelector);
        }
    }

    /**
     * Whether {@link #close()} ran. Thread-safe.
     *
     * @return {@code true} once closed; it stays true
     */
    public boolean isClosed() {
        return closed;
    }

    /**
     * Frees every event (releasing selector registrations and signal handlers, not closing the
     * channels, which belong to the caller: see {@link #closeOwnedResources()}) and closes the selector. Idempotent. Not from inside a
     * callback of this base: break the loop first.
     *
     * @throws IllegalStateException off the loop thread, or while the loop runs
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        checkThread();
        if (running) {
            throw new IllegalStateException("close() from inside the loop: call loopBreak() and close after loop returns");
        }
        while (allHead != null) {
            freeInternal(allHead);
        }
        exitEvents.clear();
        while (deferred.head != null) {
            cancelDeferred(deferred.head);
        }
        closed = true;
        try {
            selector.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "closing the selector failed", e);
        }
    }

    @Override
    public String toString() {
        return "EventBase[owner=" + owner.getName() + (closed ? ", closed" : "") + "]";
    }

    // ------------------------------------------------------------------------------------------
    // Internals used by Event (loop thread only)
    // ------------------------------------------------------------------------------------------

    void checkThread() {
        Thread me = Thread.currentThread();
        if (me != owner) {
            throw new IllegalStateException("EventBase is confined to its loop thread '" + owner.getName()
                    + "' but was called from '" + me.getName() + "'. Hand work to the loop through "
                    + "io.jevent.msgqueue (MsgQueue.push, EventLoopThread.execute) instead.");
        }
        if (closed) {
            throw new IllegalStateException("EventBase is closed");
        }
    }

    /** Entries in the timer heap; tests use it to show that common timeouts keep the heap small. */
    int timerHeapSize() {
        return timers.size();
    }

    static long toNanos(Duration d) {
        Objects.requireNonNull(d, "timeout");
        if (d.isNegative()) {
            throw new IllegalArgumentException("timeout must not be negative: " + d);
        }
        return d.compareTo(MAX_TIMEOUT) > 0 ? MAX_TIMEOUT_NANOS : d.toNanos();
    }

    void addInternal(Event ev, long timeoutNanos) {
        if (!ev.isInserted()) {
            if (ev.signalName != null) {
                // Watched only while added: unInsert gives the signal back to its previous handler.
                ev.signalWatch = SignalRegistry.watch(this, ev.signalName);
                signalEvents.add(ev);
            }
            ev.setInserted(true);
            insertedCount++;
            if (ev.registration != null) {
                try {
                    ev.registration.update();
                } catch (RuntimeException e) {
                    ev.setInserted(false);
                    insertedCount--;
                    throw e;
                }
            }
        }
        if (timeoutNanos >= 0) {
            ev.timeoutNanos = timeoutNanos;
            scheduleTimer(ev, currentTime() + timeoutNanos);
        }
    }

    void deleteInternal(Event ev) {
        if (ev.isActive()) {
            activeQueues[ev.priority].remove(ev);
            ev.setActive(false);
            ev.res = 0;
            activeCount--;
        }
        ev.signalCalls = 0;         // arrivals not yet delivered die with the event (runSignalCalls)
        unscheduleTimer(ev);
        unInsert(ev);
    }

    /** Stops watching the event's channel or signal; leaves its timer and any queued activation alone. */
    private void unInsert(Event ev) {
        if (ev.isInserted()) {
            ev.setInserted(false);
            insertedCount--;
            if (ev.registration != null && ev.channel.isOpen()) {
                ev.registration.update();
            }
            if (ev.signalWatch != null) {
                SignalRegistry.unwatch(ev.signalWatch);
                signalEvents.remove(ev);
                ev.signalWatch = null;
            }
        }
    }

    void freeInternal(Event ev) {
        deleteInternal(ev);
        if (ev.registration != null) {
            ev.registration.detach(ev);
        }
        unlink(ev);
        ev.markFreed();
    }

    void activateInternal(Event ev, int res) {
        if (ev.isActive()) {
            ev.res |= res;
            return;
        }
        ev.res = res;
        ev.setActive(true);
        activeQueues[ev.priority].addLast(ev);
        activeCount++;
        if (ev.priority < runningPriority) {
            preempted = true;
        }
    }

    void unscheduleTimer(Event ev) {
        if (ev.commonQueue != null) {
            ev.commonQueue.unlink(ev);
        } else if (ev.inHeap()) {
            timers.remove(ev);
        }
    }

    void scheduleDeferred(Deferred d) {
        d.scheduled = true;
        deferred.addLast(d);
    }

    void cancelDeferred(Deferred d) {
        deferred.remove(d);
        d.scheduled = false;
    }

    /** Called on the signal-dispatch thread: flag, then ring. The flag is read after the poll. */
    void signalArrived() {
        signalPending = true;
        wakeup();
    }

    /** Polls once without blocking so the selector forgets keys we cancelled. */
    void flushCancelledKeys() {
        try {
            selector.selectNow(onSelected);
        } catch (IOException e) {
            throw new UncheckedIOException("selector failed", e);
        }
    }

    // ------------------------------------------------------------------------------------------
    // The loop's steps
    // ------------------------------------------------------------------------------------------

    private Selector openSelector() {
        try {
            return config.selectorProvider().openSelector();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open a selector", e);
        }
    }

    private void enterLoop() {
        Thread me = Thread.currentThread();
        synchronized (exitLock) {
            if (closed) {
                throw new IllegalStateException("EventBase is closed");
            }
            if (running) {
                if (owner == me) {
                    throw new IllegalStateException("loop() called from a callback of the same base "
                            + "(re-entrant loops are not supported)");
                }
                throw new IllegalStateException("the loop is already running on thread '" + owner.getName() + "'");
            }
            owner = me;
            running = true;
        }
    }

    /** Turns the exits requested off the loop (maybe from another thread) into events owned by the loop. */
    private void scheduleRequestedExits() {
        long[] ats;
        synchronized (exitLock) {
            ats = Arrays.copyOf(requestedExits, requestedExitCount);
            requestedExitCount = 0;
            exitRequested = false;
        }
        long now = config.clock().getAsLong();
        for (long at : ats) {
            scheduleExit(at, at - now <= 0);
        }
    }

    /** One exit: a once event, active at once when due (libevent's event_base_once with no delay), else a timer. */
    private void scheduleExit(long at, boolean due) {
        Event ev = new Event(this, null, 0, null, onExitEvent, null);
        ev.markOnce();
        link(ev);
        ev.setInserted(true);
        insertedCount++;
        exitEvents.add(ev);
        if (due) {
            activateInternal(ev, Event.TIMEOUT);
        } else {
            scheduleTimer(ev, at);
        }
    }

    /** Whether an exit event is queued to run. Indexed, so the common empty case allocates nothing. */
    private boolean exitActive() {
        for (int i = 0; i < exitEvents.size(); i++) {
            if (exitEvents.get(i).isActive()) {
                return true;
            }
        }
        return false;
    }

    private void updateTime() {
        cachedNow = config.clock().getAsLong();
        timeCached = true;
    }

    /** Nanoseconds until the earliest timer, -1 for "until woken". */
    private long sleepNanos() {
        long wait = -1;
        TimerEntry first = timers.peek();
        if (first != null) {
            wait = Math.max(0, first.deadline - cachedNow);
        }
        return wait;
    }

    private void poll(long timeoutNanos) {
        Selector selector = this.selector;
        LoopObserver[] obs = observers;
        for (LoopObserver o : obs) {
            try {
                if (o.beforePoll()) {
                    timeoutNanos = 0;
                }
            } catch (RuntimeException e) {
                exceptionHandler.onCallbackException(null, e);
            }
        }
        try {
            if (timeoutNanos == 0) {
                selector.selectNow(onSelected);
            } else if (timeoutNanos < 0) {
                selector.select(onSelected);
            } else {
                // Round up: waking a little late is harmless, waking early costs an empty iteration.
                selector.select(onSelected, Math.max(1, (timeoutNanos + 999_999) / 1_000_000));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("selector failed", e);
        }
        for (LoopObserver o : obs) {
            try {
                o.afterPoll();
            } catch (RuntimeException e) {
                exceptionHandler.onCallbackException(null, e);
            }
        }
        if (signalPending) {
            activateSignals();
        }
    }

    private void onSelected(SelectionKey key) {
        ((ChannelRegistration) key.attachment()).ready(key, this);
    }

    private void activateSignals() {
        // Clear before reading the counters: an arrival after this point sets it again.
        signalPending = false;
        for (int i = 0; i < signalEvents.size(); i++) {
            Event ev = signalEvents.get(i);           // added events only: see addInternal/unInsert
            int n = ev.signalWatch.arrivals.getAndSet(0);
            if (n > 0) {
                ev.signalCalls += n;
                activateInternal(ev, Event.SIGNAL);
            }
        }
    }

    private void scheduleTimer(Event ev, long deadline) {
        unscheduleTimer(ev);
        ev.deadline = deadline;
        ev.seq = nextSeq++;
        CommonTimeout ct = findCommonTimeout(ev.timeoutNanos);
        if (ct == null) {
            timers.add(ev);
            return;
        }
        ct.insert(ev);
        if (ct.head == ev) {
            // The queue's stand-in in the heap takes its new head's key.
            ct.deadline = ev.deadline;
            ct.seq = ev.seq;
            if (ct.inHeap()) {
                timers.update(ct);
            } else {
                timers.add(ct);
            }
        }
    }

    private CommonTimeout findCommonTimeout(long nanos) {
        for (CommonTimeout ct : commonTimeouts) {
            if (ct.durationNanos() == nanos) {
                return ct;
            }
        }
        return null;
    }

    private void expireTimers() {
        long now = cachedNow;
        TimerEntry top;
        while ((top = timers.peek()) != null && top.deadline - now <= 0) {
            Event ev;
            if (top instanceof CommonTimeout ct) {
                // The stand-in's key may be stale (its head was re-armed): re-key and look again,
                // so events still fire in global (deadline, sequence) order.
                Event head = ct.head;
                if (head == null) {
                    timers.remove(ct);
                    continue;
                }
                if (head.deadline != ct.deadline || head.seq != ct.seq) {
                    ct.deadline = head.deadline;
                    ct.seq = head.seq;
                    timers.update(ct);
                    continue;
                }
                ct.unlink(head);
                if (ct.head == null) {
                    timers.remove(ct);
                } else {
                    ct.deadline = ct.head.deadline;
                    ct.seq = ct.head.seq;
                    timers.update(ct);
                }
                ev = head;
            } else {
                ev = (Event) top;
                timers.remove(ev);
            }
            if (!ev.isPersistent()) {
                // Not deleteInternal: an activation already queued (READ) must merge with TIMEOUT,
                // not be dropped (libevent #1530).
                unInsert(ev);
            }
            activateInternal(ev, Event.TIMEOUT);
        }
    }

    private int runActive() {
        for (int priority = 0; priority < activeQueues.length; priority++) {
            if (!activeQueues[priority].isEmpty()) {
                return runQueue(priority);
            }
        }
        return 0;
    }

    /**
     * Runs the callbacks queued before it started, up to the per-iteration limit. Stops early when a
     * callback activates a more urgent event: the next iteration runs that one first, and the rest of
     * this queue after it (libevent's event_continue).
     */
    private int runQueue(int priority) {
        ActiveQueue q = activeQueues[priority];
        int budget = Math.min(q.size, config.maxCallbacksPerIteration());
        int ran = 0;
        runningPriority = priority;
        preempted = false;
        while (ran < budget && !breakRequested && !preempted) {
            Event ev = q.head;
            if (ev == null) {
                break;
            }
            q.remove(ev);
            ev.setActive(false);
            activeCount--;
            int res = ev.res;
            ev.res = 0;
            if (!ev.isPersistent()) {
                deleteInternal(ev);
            } else if (ev.timeoutNanos >= 0 && ev.signalName == null) {
                rearmPersistentTimeout(ev, res);
            }
            if ((res & Event.SIGNAL) != 0) {
                runSignalCalls(ev, res);
            } else {
                invoke(ev, res);
            }
            ran++;
            if (ev.isOnce() && !ev.isFreed()) {
                freeInternal(ev);
            }
        }
        runningPriority = Integer.MAX_VALUE;
        return ran;
    }

    /**
     * Calls a signal event's callback once per arrival, counting down {@code signalCalls} as libevent
     * counts down {@code ev_ncalls}: {@code del()} zeroes the count, so a callback that deletes (or
     * frees) its event gets no further call. A break stops the calls; unlike libevent, which drops the
     * rest, they stay queued for the next loop.
     */
    private void runSignalCalls(Event ev, int res) {
        if (ev.signalCalls == 0) {
            ev.signalCalls = 1;     // activated by hand with SIGNAL: one call
        }
        while (ev.signalCalls > 0) {
            ev.signalCalls--;
            invoke(ev, res);
            if (breakRequested) {
                if (ev.signalCalls > 0) {
                    activateInternal(ev, Event.SIGNAL);
                }
                return;
            }
        }
    }

    /**
     * Runs the deferred tasks scheduled now, oldest first. Bounded by the count at the start, so
     * tasks that schedule tasks wait for the next iteration (whose poll then does not block).
     */
    private int runDeferred() {
        int budget = deferred.size;
        int ran = 0;
        while (ran < budget && deferred.head != null && !breakRequested) {
            Deferred d = deferred.head;
            cancelDeferred(d);          // unlinked first: the task may schedule itself again
            ran++;
            try {
                d.task.run();
            } catch (VirtualMachineError e) {
                throw e;
            } catch (Throwable t) {
                reportFailure(null, t);
            }
        }
        return ran;
    }

    /** libevent's persist closure: from the old deadline after a timeout, else from now. */
    private void rearmPersistentTimeout(Event ev, int res) {
        long from = (res & Event.TIMEOUT) != 0 ? ev.deadline : cachedNow;
        long at = from + ev.timeoutNanos;
        if (at - cachedNow < 0) {
            at = cachedNow + ev.timeoutNanos;
        }
        scheduleTimer(ev, at);
    }

    private void invoke(Event ev, int res) {
        try {
            ev.run(res);
        } catch (VirtualMachineError e) {
            throw e;
        } catch (Throwable t) {
            reportFailure(ev, t);
        }
    }

    private void reportFailure(Event ev, Throwable t) {
        try {
            exceptionHandler.onCallbackException(ev, t);
        } catch (RuntimeException handlerFailure) {
            LOG.log(System.Logger.Level.ERROR, "exception handler failed for " + ev, handlerFailure);
        }
    }

    private void link(Event ev) {
        ev.allNext = allHead;
        if (allHead != null) {
            allHead.allPrev = ev;
        }
        allHead = ev;
    }

    private void unlink(Event ev) {
        if (ev.allPrev == null) {
            allHead = ev.allNext;
        } else {
            ev.allPrev.allNext = ev.allNext;
        }
        if (ev.allNext != null) {
            ev.allNext.allPrev = ev.allPrev;
        }
        ev.allNext = ev.allPrev = null;
    }
}
