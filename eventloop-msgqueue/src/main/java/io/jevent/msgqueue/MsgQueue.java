package io.jevent.msgqueue;

import io.jevent.core.EventBase;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.function.Consumer;

/**
 * A message queue into one {@link EventBase}: any thread pushes, the loop thread consumes.
 *
 * <p>This is libevent's classic {@code event_msgqueue} (a queue plus a socketpair doorbell registered
 * READ|PERSIST on the loop) done the way modern loops do it: producers never take a lock (a JCTools
 * MPSC queue), and the doorbell rings at most once per sleep of the loop instead of once per message.
 * The consumer given to {@link #builder} runs on the loop thread, in bounded batches scheduled like any
 * other event callback, so a flood of messages cannot starve I/O or timers.
 *
 * <p>Lifecycle: <em>open</em> (push accepted) → {@link #close()} (everything already accepted is
 * delivered) → <em>closed</em> (every push returns {@code false}). A push is never silently dropped:
 * when it returns {@code true} the message is delivered to the consumer, or — only after
 * {@link #closeNow()} — handed back in that method's list; when it returns {@code false} the message
 * was not queued.
 *
 * <p>Close the queue (on the loop thread) before closing its base: messages still queued when the base
 * goes away are never delivered.
 *
 * @param <T> the message type; {@code null} is not a valid message
 * @see MsgQueueBuilder
 * @see WakeupStrategy
 */
public sealed interface MsgQueue<T> extends AutoCloseable permits AbstractMsgQueue {

    /** The value {@link #capacity()} returns for an unbounded queue. */
    int UNBOUNDED = -1;

    /**
     * Starts building a queue into {@code base} whose messages go to {@code consumer}.
     *
     * <p>Any thread may call this; {@link MsgQueueBuilder#build()} must run on the base's thread.
     *
     * @param base     the loop that will run {@code consumer}
     * @param consumer called on the loop thread once per message, in the order each producer pushed;
     *                 an exception it throws goes to the error handler and the batch goes on
     * @param <T>      the message type
     * @return a builder with the defaults: unbounded, {@link WakeupStrategy#SELECTOR}, batches of at most
     *         {@value MsgQueueBuilder#DEFAULT_BATCH_MESSAGES} messages or 1 ms, errors logged
     * @throws NullPointerException if an argument is null
     */
    static <T> MsgQueueBuilder<T> builder(EventBase base, Consumer<? super T> consumer) {
        return new MsgQueueBuilder<>(base, consumer);
    }

    /**
     * Queues {@code msg} for the consumer and wakes the loop if it may be asleep.
     *
     * <p>Any thread. From the loop thread itself it never signals (the loop looks at the queue before
     * it next sleeps). Never blocks: a full bounded queue returns {@code false} at once.
     *
     * @param msg the message
     * @return {@code true} if the message will be delivered; {@code false} if the queue is full or
     *         closed, in which case nothing was queued
     * @throws NullPointerException if {@code msg} is null
     */
    boolean push(T msg);

    /**
     * Like {@link #push(Object)}, but when a bounded queue is full, waits up to {@code wait} for the
     * consumer to make room.
     *
     * <p>Any thread except the loop thread: the loop must never block on its own queue.
     *
     * @param msg  the message
     * @param wait how long to wait for room; zero or negative means do not wait
     * @return {@code true} if the message will be delivered; {@code false} if the queue stayed full for
     *         {@code wait} or is closed
     * @throws NullPointerException   if an argument is null
     * @throws IllegalStateException  if called on the loop thread
     * @throws InterruptedException   if the thread is interrupted while waiting; nothing was queued
     */
    boolean push(T msg, Duration wait) throws InterruptedException;

    /**
     * Queues {@code msg} without waking the loop: it is delivered on the loop's next natural turn (I/O,
     * a timer, or any other wake-up), which may be much later. Use it for messages that can wait, to
     * save the signal.
     *
     * <p>Any thread.
     *
     * @param msg the message
     * @return as for {@link #push(Object)}
     * @throws NullPointerException if {@code msg} is null
     */
    boolean pushLazy(T msg);

    /**
     * Queues every message of {@code msgs}, in iteration order, with at most one wake-up.
     *
     * <p>Any thread. Stops at the first message that does not fit a bounded queue. The collection is
     * checked for nulls before anything is queued.
     *
     * @param msgs the messages
     * @return how many messages, from the start of {@code msgs}, will be delivered; the rest were not
     *         queued (the queue is full or closed)
     * @throws NullPointerException if {@code msgs} or one of its elements is null; nothing was queued
     */
    int pushAll(Collection<? extends T> msgs);

    /**
     * Closes the queue: stops accepting messages, delivers everything already accepted to the consumer
     * (on this thread, now, without batch limits), then unregisters from the loop and releases the
     * wake-up channel. A push racing this call either is delivered here or returns {@code false}.
     *
     * <p>Loop thread only (this includes the consumer itself). Idempotent.
     *
     * @throws IllegalStateException if called from another thread
     */
    @Override
    void close();

    /**
     * Closes the queue like {@link #close()} but hands back the accepted, undelivered messages instead
     * of delivering them (as {@link java.util.concurrent.ExecutorService#shutdownNow()} does).
     *
     * <p>Loop thread only. Returns an empty list if the queue was already closed.
     *
     * @return the messages that were accepted and not delivered, in queue order
     * @throws IllegalStateException if called from another thread
     */
    List<T> closeNow();

    /**
     * Any thread.
     *
     * @return {@code true} once {@link #close()} or {@link #closeNow()} has started: pushes are rejected
     */
    boolean isClosed();

    /**
     * Any thread. Approximate while producers are pushing. Counts by walking the queue when it is
     * unbounded and built on the {@code atomic} queues ({@link MsgQueueBuilder#QUEUES_PROPERTY}), so
     * it costs time proportional to the result there; meant for monitoring, not for every message.
     *
     * @return how many messages are queued and not yet delivered
     */
    int pending();

    /**
     * Any thread.
     *
     * @return the most messages the queue holds (a bounded capacity is rounded up to a power of two, at
     *         least 4), or {@link #UNBOUNDED}
     */
    int capacity();

    /**
     * Any thread.
     *
     * @return how many wake-up signals producers have sent (selector wake-ups or pipe writes); with a
     *         coalesced strategy at most one per sleep of the loop
     */
    long wakeupsSent();

    /**
     * Any thread.
     *
     * @return how many messages were handed to the consumer (including those whose consumer threw)
     */
    long messagesDelivered();

    /**
     * Any thread.
     *
     * @return how many non-empty batches the loop delivered; {@code messagesDelivered() / batches()} is
     *         the mean batch size
     */
    long batches();

    /**
     * Any thread.
     *
     * @return the size of the largest batch delivered so far
     */
    int largestBatch();

    /**
     * Any thread.
     *
     * @return the base this queue delivers into
     */
    EventBase base();
}
