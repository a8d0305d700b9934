package io.jevent.msgqueue;

import io.jevent.core.Event;
import io.jevent.core.spi.LoopObserver;
import io.jevent.core.spi.LoopObservers;
import org.jctools.queues.MessagePassingQueue;

import java.io.IOException;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The msgqueue engine: a JCTools MPSC queue, a coalesced doorbell, bounded batches.
 *
 * <h2>Who owns what</h2>
 * <ul>
 *   <li>{@code queue}: any thread offers; only the loop thread polls — except after {@link #close()}
 *       has finished, when producers resolving a race with close poll it one at a time under
 *       {@code lateLock}.</li>
 *   <li>{@code sleep}: the loop thread publishes {@code MAY_SLEEP} just before it may block, and
 *       {@code AWAKE} when the poll returns; a producer that sees {@code MAY_SLEEP} swaps in
 *       {@code AWAKE}, and only the producer whose swap returned {@code MAY_SLEEP} rings.</li>
 *   <li>{@code phase}: written by the loop thread in close(); read by producers before and after they
 *       offer.</li>
 *   <li>{@code closeStarted}, {@code sleepsPublished}: loop thread.</li>
 * </ul>
 *
 * <h2>Why no wake-up is lost</h2>
 * Every read and write of {@code sleep}, {@code phase} and the queue's producer state (an index, or the
 * producer node of the linked queue, see {@link QueueVariant}) used here is a volatile access or an
 * atomic update, so they all fall into one total order (the JMM's synchronization order).
 * A producer does: offer (an atomic claim of the producer state), then read {@code sleep}. The loop,
 * before it blocks, does: write {@code MAY_SLEEP}, then read the producer state ({@code isEmpty()}). In the total
 * order, either the producer's read of {@code sleep} comes after the loop's write — it sees
 * {@code MAY_SLEEP} (or a later {@code AWAKE} from a producer that rang, or from the loop, which is
 * then awake) and the swap makes one producer ring — or it comes before, and then the producer's offer
 * also comes before the loop's re-check, which sees the queue non-empty and does not block. The
 * re-check must be {@code isEmpty()}, which reads the producer state: a producer that has claimed a slot but not yet
 * stored into it makes {@code relaxedPoll()} return null although the message is accepted.
 */
final class CoalescedMsgQueue<T> extends AbstractMsgQueue<T> implements LoopObserver {

    private static final int AWAKE = 0;
    private static final int MAY_SLEEP = 1;

    private static final int OPEN = 0;
    private static final int CLOSING = 1; // close() is delivering what was accepted
    private static final int CLOSED = 2;  // close() is over; the queue has no consumer any more

    /** How often (in messages) a batch reads the clock. */
    private static final int CLOCK_EVERY = 64;

    private final MessagePassingQueue<T> queue;
    private final int capacity;
    private final int batchMessages;
    private final long batchNanos;
    private final long spinNanos;
    /** Loop thread only: the last turn delivered something, so a reply may be about to come back. */
    private boolean deliveredSinceSleep;
    private final ProtocolHooks hooks;

    private final AtomicInteger sleep = new AtomicInteger(AWAKE);
    private volatile int phase = OPEN;
    private volatile long sleepsPublished;

    /** Producers waiting for room in a bounded queue wait on this; the loop notifies after a batch. */
    private final Object spaceLock = new Object();
    private volatile int spaceWaiters; // written under spaceLock only

    /**
     * Producers that raced close() meet here. Lock order: spaceLock before lateLock; close() never
     * holds one while taking the other.
     */
    private final Object lateLock = new Object();
    private IdentityHashMap<Object, Integer> lateRejects; // guarded by lateLock; by identity, with multiplicity

    CoalescedMsgQueue(MsgQueueBuilder<T> b) {
        super(b);
        this.capacity = b.capacity();
        this.batchMessages = b.batchMessages();
        this.batchNanos = b.batchNanos();
        this.spinNanos = b.spinNanos();
        this.hooks = b.protocolHooks();
        // The queue families that keep the protocol's promise, and why only those: QueueVariant.
        this.queue = b.queueVariant().newQueue(capacity == UNBOUNDED ? UNBOUNDED : Math.max(4, capacity));
    }

    @Override
    void start() throws IOException {
        super.start();
        try {
            LoopObservers.add(base, this);
        } catch (RuntimeException e) {
            doorbell.close();
            throw e;
        }
    }

    // ---------------------------------------------------------------- producers (any thread)

    @Override
    public boolean push(T msg) {
        return offer(msg, true);
    }

    @Override
    public boolean pushLazy(T msg) {
        return offer(msg, false);
    }

    private boolean offer(T msg, boolean wake) {
        Objects.requireNonNull(msg, "msg");
        if (phase != OPEN || !queue.offer(msg)) {
            return false;
        }
        hooks.afterEnqueue();
        if (phase != OPEN) {
            // close() started after we looked: it may or may not have seen our message.
            return resolveLate(List.of(msg), 1) == 1;
        }
        if (wake) {
            wakeLoop();
        }
        return true;
    }

    @Override
    public int pushAll(Collection<? extends T> msgs) {
        Objects.requireNonNull(msgs, "msgs");
        for (T m : msgs) {
            Objects.requireNonNull(m, "msgs contains a null message");
        }
        if (phase != OPEN) {
            return 0;
        }
        int offered = 0;
        for (T m : msgs) {
            if (!queue.offer(m)) {
                break;
            }
            offered++;
        }
        if (offered == 0) {
            return 0;
        }
        hooks.afterEnqueue();
        if (phase != OPEN) {
            return resolveLate(msgs, offered);
        }
        wakeLoop();
        return offered;
    }

    /** Producer, after its offer: ring if the loop may be asleep and no other producer has rung. */
    private void wakeLoop() {
        // The plain read keeps the common case (loop awake, or already rung) to one load, with no
        // contended write; it is safe by the argument in the class comment.
        if (sleep.get() == AWAKE) {
            return;
        }
        // The loop thread never rings: it looks at the queue before it next sleeps. Before the first
        // loop() the base's creator counts as its loop thread; that is safe too, because the loop
        // thread takes ownership (a volatile write) before it can first publish MAY_SLEEP, so a
        // producer that has just read MAY_SLEEP also sees the new owner and rings.
        if (base.inLoopThread()) {
            return;
        }
        if (sleep.getAndSet(AWAKE) == MAY_SLEEP) {
            ring();
        }
    }

    @Override
    public boolean push(T msg, Duration wait) throws InterruptedException {
        Objects.requireNonNull(msg, "msg");
        Objects.requireNonNull(wait, "wait");
        if (base.inLoopThread()) {
            throw new IllegalStateException("push(msg, wait) would block the loop thread; use push(msg) there");
        }
        if (push(msg)) {
            return true;
        }
        if (capacity == UNBOUNDED || phase != OPEN || wait.isNegative() || wait.isZero()) {
            return false;
        }
        long deadline = System.nanoTime() + saturatedNanos(wait);
        synchronized (spaceLock) {
            spaceWaiters++;
            try {
                while (true) {
                    // Our spaceWaiters write precedes this offer's read of the consumer index; the loop
                    // fences between its consumer-index store and its read of spaceWaiters. So either
                    // this offer sees the room, or the loop sees us and notifies (it needs spaceLock,
                    // which wait() releases).
                    if (push(msg)) {
                        return true;
                    }
                    if (phase != OPEN) {
                        return false;
                    }
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return false;
                    }
                    TimeUnit.NANOSECONDS.timedWait(spaceLock, left);
                }
            } finally {
                spaceWaiters--;
            }
        }
    }

    /**
     * A producer whose {@code count} first messages of {@code offered} went into the queue, but who saw
     * the queue closing afterwards. Waits for close() to finish (it is running right now, on the loop
     * thread), then takes everything still queued: close() did not see those, so they are rejected.
     * Messages are matched by identity with multiplicity, so two pushes of one object resolve to the
     * right number of deliveries.
     *
     * @return how many of the {@code count} messages close() delivered — a prefix, as each producer's
     *         messages are consumed in its order
     */
    private int resolveLate(Collection<? extends T> offered, int count) {
        synchronized (lateLock) {
            boolean interrupted = false;
            while (phase != CLOSED) {
                try {
                    lateLock.wait();
                } catch (InterruptedException e) {
                    interrupted = true; // the outcome must be known before we return
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            if (lateRejects == null) {
                lateRejects = new IdentityHashMap<>();
            }
            T m;
            // poll() waits out producers that claimed a slot but have not stored into it yet.
            while ((m = queue.poll()) != null) {
                lateRejects.merge(m, 1, Integer::sum);
            }
            int rejected = 0;
            int i = 0;
            for (T x : offered) {
                if (i++ == count) {
                    break;
                }
                Integer c = lateRejects.get(x);
                if (c != null) {
                    rejected++;
                    if (c == 1) {
                        lateRejects.remove(x);
                    } else {
                        lateRejects.put(x, c - 1);
                    }
                }
            }
            return count - rejected;
        }
    }

    // ---------------------------------------------------------------- loop thread

    @Override
    // NonAtomicVolatileUpdate: the counters here have a single writer, the loop thread, so the
    // read-modify-write loses nothing; volatile only lets other threads read them.
    @SuppressWarnings("NonAtomicVolatileUpdate")
    public boolean beforePoll() {
        if (closeStarted) {
            return false;
        }
        // One more look before publishing: if a producer pushed since the last batch, handle it now
        // and stay "awake", so producers in a request/response rhythm rarely need to ring at all.
        if (!queue.isEmpty()) {
            return true;
        }
        if (deliveredSinceSleep) {
            deliveredSinceSleep = false;
            if (spinNanos > 0 && spinForMessage()) {
                return true;
            }
        }
        hooks.beforePublishSleep();
        sleep.set(MAY_SLEEP);
        sleepsPublished = sleepsPublished + 1;
        hooks.beforeRecheck();
        if (!queue.isEmpty()) {
            // A producer got in between; it may ring too, which only makes the next poll return at once.
            sleep.set(AWAKE);
            return true;
        }
        return false;
    }

    /** Looks at the queue for up to {@code spinNanos}; {@code true} as soon as a message is there. */
    private boolean spinForMessage() {
        long deadline = System.nanoTime() + spinNanos;
        do {
            for (int i = 0; i < 32; i++) {
                Thread.onSpinWait();
                if (!queue.isEmpty()) {
                    return true;
                }
            }
        } while (System.nanoTime() - deadline < 0);
        return false;
    }

    @Override
    public void afterPoll() {
        if (closeStarted) {
            return;
        }
        // Awake again: until the next publish, a producer's ring would be wasted. lazySet is enough —
        // a producer reading the stale MAY_SLEEP only sends one harmless extra signal.
        if (sleep.get() != AWAKE) {
            sleep.lazySet(AWAKE);
        }
        if (!queue.isEmpty()) {
            doorbell.event().activate(Event.READ);
        }
    }

    @Override
    void drainTurn() {
        if (closeStarted) {
            return;
        }
        long start = System.nanoTime();
        int n = 0;
        T m;
        while (n < batchMessages && (m = queue.relaxedPoll()) != null) {
            deliver(m);
            n++;
            if (closeStarted) {
                break; // the consumer closed the queue; close() delivered the rest
            }
            if (n % CLOCK_EVERY == 0 && System.nanoTime() - start >= batchNanos) {
                break;
            }
        }
        // Whatever is left makes beforePoll() return true: the loop polls I/O without blocking, runs
        // timers and other callbacks, and comes back for the next batch.
        countBatch(n);
        if (n > 0) {
            deliveredSinceSleep = true;
        }
        if (n > 0 && capacity != UNBOUNDED && !closeStarted) {
            wakeSpaceWaiters();
        }
    }

    private void wakeSpaceWaiters() {
        // Dekker with push(msg, wait): our consumer-index store (a release store in relaxedPoll) must be
        // ordered before this read of spaceWaiters.
        VarHandle.fullFence();
        if (spaceWaiters != 0) {
            synchronized (spaceLock) {
                spaceLock.notifyAll();
            }
        }
    }

    @Override
    List<T> finish(boolean deliver) {
        phase = CLOSING; // from here a push is rejected up front, or resolved by resolveLate()
        List<T> undelivered = deliver ? List.of() : new ArrayList<>();
        try {
            // poll(), unlike relaxedPoll(), returns null only when the producer index says empty: it
            // waits out a producer between claiming a slot and storing into it. A producer that offers
            // after this last look reads phase != OPEN afterwards and resolves itself.
            int n = 0;
            T m;
            while ((m = queue.poll()) != null) {
                if (deliver) {
                    deliver(m);
                    n++;
                } else {
                    undelivered.add(m);
                }
            }
            countBatch(n);
        } finally {
            synchronized (lateLock) {
                phase = CLOSED;
                lateLock.notifyAll();
            }
            synchronized (spaceLock) {
                spaceLock.notifyAll();
            }
            try {
                LoopObservers.remove(base, this);
            } finally {
                doorbell.close();
            }
        }
        return undelivered;
    }

    // ---------------------------------------------------------------- metrics

    @Override
    public boolean isClosed() {
        return phase != OPEN;
    }

    @Override
    public int pending() {
        return queue.size();
    }

    @Override
    public int capacity() {
        return capacity == UNBOUNDED ? UNBOUNDED : queue.capacity();
    }

    /** Test view: how many times the loop published "about to sleep". Signals never exceed it. */
    long sleepsPublished() {
        return sleepsPublished;
    }

    /** Test view: whether the loop has published "about to sleep" and nobody has rung since. */
    boolean loopMayBeAsleep() {
        return sleep.get() == MAY_SLEEP;
    }

    private static long saturatedNanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE / 2;
        }
    }
}
