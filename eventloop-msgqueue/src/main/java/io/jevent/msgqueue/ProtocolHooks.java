package io.jevent.msgqueue;

/**
 * Test-only pause points inside the wake-up protocol, so a test can force the interleavings that lose
 * wake-ups in a wrong implementation. Production queues use {@link #NONE}, whose empty methods the JIT
 * inlines away.
 */
interface ProtocolHooks {

    ProtocolHooks NONE = new ProtocolHooks() { };

    /** Producer thread: the message is in the queue, the sleep flag not yet looked at. */
    default void afterEnqueue() { }

    /** Loop thread: the last look found the queue empty; "about to sleep" is not yet published. */
    default void beforePublishSleep() { }

    /** Loop thread: "about to sleep" is published; the queue is not yet re-checked. */
    default void beforeRecheck() { }
}
