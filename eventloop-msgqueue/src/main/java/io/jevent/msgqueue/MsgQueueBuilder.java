package io.jevent.msgqueue;

import io.jevent.core.EventBase;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Options of a {@link MsgQueue}; made by {@link MsgQueue#builder}.
 *
 * <p>Setters may be called from any thread; {@link #build()} runs on the base's thread. A builder is
 * not thread-safe and may build several queues.
 *
 * @param <T> the message type
 */
public final class MsgQueueBuilder<T> {

    /** Default most messages delivered per loop turn. */
    public static final int DEFAULT_BATCH_MESSAGES = 1024;

    /** The largest bound: a bounded queue allocates its array when it is built. */
    public static final int MAX_BOUNDED_CAPACITY = 1 << 24;

    /** Default longest time one batch may take before the loop polls for I/O again. */
    public static final Duration DEFAULT_BATCH_TIME = Duration.ofMillis(1);
    /** Default of {@link #spinBeforeSleep(Duration)}: a few microseconds, the cost of one wake-up. */
    public static final Duration DEFAULT_SPIN_BEFORE_SLEEP = Duration.ofNanos(5_000);

    /**
     * System property choosing the JCTools queues a coalesced queue is built on, read by every
     * {@link #build()}: {@code auto} (the default) picks {@code atomic} on JDK 24 and later, where
     * {@code sun.misc.Unsafe}'s memory access prints a warning (JEP 498), else {@code unsafe};
     * {@code unsafe} is the faster one (see {@code docs/benchmarks.md}), for applications that run
     * with {@code --sun-misc-unsafe-memory-access=allow} or on an older JDK; {@code atomic} never
     * touches {@code sun.misc.Unsafe}. Queues behave the same with either.
     */
    public static final String QUEUES_PROPERTY = "io.jevent.msgqueue.queues";

    private static final System.Logger LOG = System.getLogger(MsgQueueBuilder.class.getName());

    private final EventBase base;
    private final Consumer<? super T> consumer;
    private int capacity = MsgQueue.UNBOUNDED;
    private WakeupStrategy wakeup = WakeupStrategy.SELECTOR;
    private int batchMessages = DEFAULT_BATCH_MESSAGES;
    private long batchNanos = DEFAULT_BATCH_TIME.toNanos();
    private long spinNanos = DEFAULT_SPIN_BEFORE_SLEEP.toNanos();
    private DeliveryErrorHandler<? super T> errorHandler = MsgQueueBuilder::logDeliveryError;
    private Integer priority;
    private ProtocolHooks hooks = ProtocolHooks.NONE;
    private QueueVariant queues; // null: as QUEUES_PROPERTY says, at build()

    MsgQueueBuilder(EventBase base, Consumer<? super T> consumer) {
        this.base = Objects.requireNonNull(base, "base");
        this.consumer = Objects.requireNonNull(consumer, "consumer");
    }

    /**
     * Bounds the queue: {@link MsgQueue#push(Object)} returns {@code false} when it is full.
     *
     * @param capacity the most messages queued at once; rounded up to a power of two, at least 4
     *                 ({@link MsgQueue#capacity()} tells the result). The whole array is allocated
     *                 up front.
     * @return this builder
     * @throws IllegalArgumentException if {@code capacity} is not in 1..{@value #MAX_BOUNDED_CAPACITY}
     */
    public MsgQueueBuilder<T> bounded(int capacity) {
        if (capacity <= 0 || capacity > MAX_BOUNDED_CAPACITY) {
            throw new IllegalArgumentException("capacity must be in 1.." + MAX_BOUNDED_CAPACITY + ", got " + capacity
                    + " (use unbounded() for more)");
        }
        this.capacity = capacity;
        return this;
    }

    /**
     * Makes the queue unbounded (the default): push fails only when the queue is closed.
     *
     * @return this builder
     */
    public MsgQueueBuilder<T> unbounded() {
        this.capacity = MsgQueue.UNBOUNDED;
        return this;
    }

    /**
     * Chooses how producers wake the loop.
     *
     * @param strategy {@link WakeupStrategy#SELECTOR} (default), {@link WakeupStrategy#PIPE} or your own
     * @return this builder
     * @throws NullPointerException if {@code strategy} is null
     */
    public MsgQueueBuilder<T> wakeup(WakeupStrategy strategy) {
        this.wakeup = Objects.requireNonNull(strategy, "strategy");
        return this;
    }

    /**
     * Limits one turn of delivery, after which the loop polls for I/O and runs timers before it delivers
     * more. The clock is read every 64 messages, so a batch may overrun {@code maxTime} by up to 63
     * deliveries.
     *
     * @param maxMessages most messages per batch, at least 1
     * @param maxTime     longest time per batch, positive
     * @return this builder
     * @throws IllegalArgumentException if a limit is not positive
     * @throws NullPointerException     if {@code maxTime} is null
     */
    public MsgQueueBuilder<T> batchLimit(int maxMessages, Duration maxTime) {
        Objects.requireNonNull(maxTime, "maxTime");
        if (maxMessages <= 0) {
            throw new IllegalArgumentException("maxMessages must be positive, got " + maxMessages);
        }
        if (maxTime.isNegative() || maxTime.isZero()) {
            throw new IllegalArgumentException("maxTime must be positive, got " + maxTime);
        }
        this.batchMessages = maxMessages;
        this.batchNanos = saturatedNanos(maxTime);
        return this;
    }

    /**
     * Sets how long the loop keeps looking at the queue before it sleeps, after a turn that delivered
     * messages. A producer in a request/response rhythm (push, wait for the answer, push again) then
     * usually finds the loop still awake and needs no wake-up signal, which saves the signal's syscalls
     * and the loop's trip through the kernel: Netty gets the same effect by doing more work between its
     * last look at the queue and its sleep. The spin runs only after a turn that delivered something,
     * so a loop that is idle or busy with I/O only never spins. Zero turns it off.
     *
     * @param spin how long to keep looking; default {@link #DEFAULT_SPIN_BEFORE_SLEEP}
     * @return this builder
     * @throws IllegalArgumentException if negative or over a millisecond (a loop must not burn its core)
     */
    public MsgQueueBuilder<T> spinBeforeSleep(Duration spin) {
        Objects.requireNonNull(spin, "spin");
        if (spin.isNegative() || spin.compareTo(Duration.ofMillis(1)) > 0) {
            throw new IllegalArgumentException("spinBeforeSleep must be 0..1 ms, got " + spin);
        }
        this.spinNanos = spin.toNanos();
        return this;
    }

    /**
     * Sets who hears about a consumer that throws. The default logs at WARNING through
     * {@link System.Logger}.
     *
     * @param handler called on the loop thread with the message and the exception
     * @return this builder
     * @throws NullPointerException if {@code handler} is null
     */
    public MsgQueueBuilder<T> onError(DeliveryErrorHandler<? super T> handler) {
        this.errorHandler = Objects.requireNonNull(handler, "handler");
        return this;
    }

    /**
     * Sets the priority of the queue's drain event (see {@link io.jevent.core.Event#setPriority}); by
     * default it keeps the base's default priority, like any other event.
     *
     * @param priority the priority; validated by the base at {@link #build()}
     * @return this builder
     */
    public MsgQueueBuilder<T> priority(int priority) {
        this.priority = priority;
        return this;
    }

    /** Test-only: pause points inside the wake-up protocol. */
    MsgQueueBuilder<T> hooks(ProtocolHooks hooks) {
        this.hooks = Objects.requireNonNull(hooks, "hooks");
        return this;
    }

    /** Test-only: this variant instead of what {@link #QUEUES_PROPERTY} says. */
    MsgQueueBuilder<T> queues(QueueVariant variant) {
        this.queues = Objects.requireNonNull(variant, "variant");
        return this;
    }

    /**
     * Creates the queue, registers its drain event and loop observer on the base.
     *
     * <p>The base's thread only (its creator before the loop runs, then the loop thread).
     *
     * @return the open queue
     * @throws IllegalStateException if called from another thread
     * @throws UncheckedIOException  if the wake-up channel cannot be opened (e.g. out of fds)
     * @throws IllegalArgumentException if {@link #QUEUES_PROPERTY} is set to something other than
     *                                  {@code unsafe}, {@code atomic} or {@code auto}
     */
    public MsgQueue<T> build() {
        if (!base.inLoopThread()) {
            throw new IllegalStateException("MsgQueue must be built on the base's thread");
        }
        try {
            AbstractMsgQueue<T> queue = new CoalescedMsgQueue<>(this);
            queue.start();
            return queue;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the msgqueue's wake-up channel", e);
        }
    }

    EventBase base() { return base; }
    Consumer<? super T> consumer() { return consumer; }
    int capacity() { return capacity; }
    WakeupStrategy wakeupStrategy() { return wakeup; }
    int batchMessages() { return batchMessages; }
    long batchNanos() { return batchNanos; }
    long spinNanos() { return spinNanos; }
    DeliveryErrorHandler<? super T> errorHandler() { return errorHandler; }
    Integer priority() { return priority; }
    ProtocolHooks protocolHooks() { return hooks; }
    QueueVariant queueVariant() { return queues != null ? queues : QueueVariant.configured(); }

    static void logDeliveryError(Object msg, Throwable error) {
        LOG.log(System.Logger.Level.WARNING, "msgqueue consumer threw on " + describe(msg), error);
    }

    static String describe(Object msg) {
        try {
            return String.valueOf(msg);
        } catch (RuntimeException e) {
            return msg.getClass().getName() + " (toString threw)";
        }
    }

    private static long saturatedNanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }
}
