package io.jevent.msgqueue;

import io.jevent.core.EventBase;

import java.io.IOException;

/**
 * How producers wake a loop that may be asleep in its poll: the doorbell of a {@link MsgQueue}.
 *
 * <p>The queue carries the messages; the doorbell only rings. A coalesced queue rings at most once per
 * sleep of the loop (see {@code docs/msgqueue.md} for the protocol), so the cost of a strategy is paid
 * per sleep, not per message. Pick one:
 * <ul>
 *   <li>{@link #SELECTOR} — the default: {@link EventBase#wakeup()}, i.e. {@code Selector.wakeup()},
 *       which on Linux JDK 17 is an eventfd write. No file descriptor of its own.</li>
 *   <li>{@link #PIPE} — a {@link java.nio.channels.Pipe} whose source is a READ|PERSIST event on the
 *       base, the socketpair of the original design, for code that wants the queue to be an ordinary
 *       registered event (two file descriptors per queue).</li>
 * </ul>
 */
// ClassInitializationDeadlock: the implementations are package-private and final, and are created
// only by the constants below, so no thread can start initialising one before this interface.
@SuppressWarnings("ClassInitializationDeadlock")
public interface WakeupStrategy {

    /** Wake the loop with {@link EventBase#wakeup()}; coalesced. The default. */
    WakeupStrategy SELECTOR = new SelectorWakeup();

    /** Wake the loop by writing one byte into a pipe registered READ|PERSIST on the base; coalesced. */
    WakeupStrategy PIPE = new PipeWakeup();

    /**
     * Sets up the doorbell of one queue on {@code base}: an added, persistent event whose callback runs
     * {@code drain}, plus whatever {@link Doorbell#ring()} needs.
     *
     * <p>Called on the base's thread by {@link MsgQueueBuilder#build()}.
     *
     * @param base  the loop to wake
     * @param drain what the event's callback must run, on the loop thread, each time it fires
     * @return the doorbell; the queue closes it when the queue closes
     * @throws IOException if a channel the strategy needs cannot be opened
     */
    Doorbell install(EventBase base, Runnable drain) throws IOException;
}
