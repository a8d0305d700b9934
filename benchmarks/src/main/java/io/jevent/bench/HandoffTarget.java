package io.jevent.bench;

/**
 * Somewhere a producer thread can hand a task to one consumer thread that otherwise sleeps: a jevent
 * loop with a msgqueue, a Netty event loop, a JDK executor, or the spinning ceiling.
 */
interface HandoffTarget extends AutoCloseable {
    /** Hands {@code task} over; {@code false} when a bounded queue is full (the caller retries). */
    boolean post(Runnable task);

    /** Wake-up signals sent so far, where the target counts them; -1 where it does not. */
    default long wakeups() {
        return -1;
    }

    @Override
    void close();

    /** Builds the target a benchmark parameter names. */
    static HandoffTarget create(String name) {
        return switch (name) {
            case "jevent-selector" -> new JeventTarget(io.jevent.msgqueue.WakeupStrategy.SELECTOR, false);
            case "jevent-selector-bounded" -> new JeventTarget(io.jevent.msgqueue.WakeupStrategy.SELECTOR, true);
            case "jevent-pipe" -> new JeventTarget(io.jevent.msgqueue.WakeupStrategy.PIPE, false);
            case "jevent-pipe-bounded" -> new JeventTarget(io.jevent.msgqueue.WakeupStrategy.PIPE, true);
            case "jevent-naive-pipe" -> new NaivePipeTarget();
            case "netty-execute" -> new NettyTarget();
            case "jdk-lbq-executor" -> new ExecutorTarget();
            case "jctools-spin-ceiling" -> new SpinningTarget();
            default -> throw new IllegalArgumentException("unknown target " + name);
        };
    }
}
