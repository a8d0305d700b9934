package io.jevent.msgqueue;

import io.jevent.core.EventBase;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * What every queue engine shares: the consumer and its error handling, the doorbell, the metrics.
 *
 * <p>Threads: {@code delivered}, {@code batches} and {@code largestBatch} are written by the loop
 * thread only (volatile so other threads can read them); {@code wakeups} is added to by producers.
 *
 * @param <T> the message type
 */
abstract sealed class AbstractMsgQueue<T> implements MsgQueue<T> permits CoalescedMsgQueue {

    private static final System.Logger LOG = System.getLogger(AbstractMsgQueue.class.getName());

    final EventBase base;
    private final Consumer<? super T> consumer;
    private final DeliveryErrorHandler<? super T> errorHandler;
    private final WakeupStrategy strategy;
    private final Integer priority;
    Doorbell doorbell; // set once by start(), on the base's thread, before the queue is published

    private final LongAdder wakeups = new LongAdder();
    private volatile long delivered;
    private volatile long batches;
    private volatile int largestBatch;

    AbstractMsgQueue(MsgQueueBuilder<T> b) {
        this.base = b.base();
        this.consumer = b.consumer();
        this.errorHandler = b.errorHandler();
        this.strategy = b.wakeupStrategy();
        this.priority = b.priority();
    }

    /** Base's thread, from build(): registers the doorbell (and, in subclasses, the observer). */
    void start() throws IOException {
        doorbell = strategy.install(base, this::drainTurn);
        if (priority != null) {
            try {
                doorbell.event().setPriority(priority);
            } catch (RuntimeException e) {
                doorbell.close();
                throw e;
            }
        }
    }

    /** Loop thread: the drain event fired. */
    abstract void drainTurn();

    /** Loop thread: set by the first close()/closeNow(); engines read it to stop delivering. */
    boolean closeStarted;

    @Override
    public final void close() {
        startClosing(true);
    }

    @Override
    public final List<T> closeNow() {
        return startClosing(false);
    }

    private List<T> startClosing(boolean deliver) {
        checkLoopThread("MsgQueue.close");
        if (closeStarted) {
            return List.of();
        }
        closeStarted = true;
        return finish(deliver);
    }

    /**
     * Loop thread, once, with {@link #closeStarted} already set: stops accepting, then delivers what
     * was accepted ({@code deliver}) or hands it back; releases the doorbell.
     */
    abstract List<T> finish(boolean deliver);

    /**
     * Loop thread: hands one message to the consumer; a throwing consumer never stops the batch. A
     * {@link VirtualMachineError} is not a consumer's failure but the JVM's: it propagates, as it does
     * out of every callback of the base (the policy of {@code EventBase}).
     */
    final void deliver(T msg) {
        try {
            consumer.accept(msg);
        } catch (VirtualMachineError fatal) {
            throw fatal;
        } catch (Throwable error) {
            try {
                errorHandler.onError(msg, error);
            } catch (VirtualMachineError fatal) {
                throw fatal;
            } catch (Throwable handlerError) {
                handlerError.addSuppressed(error);
                LOG.log(System.Logger.Level.ERROR, "msgqueue error handler threw", handlerError);
            }
        }
    }

    /** Loop thread: accounts one batch of {@code n} deliveries (n may be 0). */
    // NonAtomicVolatileUpdate: the counters here have a single writer, the loop thread, so the
    // read-modify-write loses nothing; volatile only lets other threads read them.
    @SuppressWarnings("NonAtomicVolatileUpdate")
    final void countBatch(int n) {
        if (n > 0) {
            // Single writer (the loop thread): read-modify-write of a volatile is safe here.
            delivered = delivered + n;
            batches = batches + 1;
            if (n > largestBatch) {
                largestBatch = n;
            }
        }
    }

    final void ring() {
        doorbell.ring();
        wakeups.increment();
    }

    final void checkLoopThread(String what) {
        if (!base.inLoopThread()) {
            throw new IllegalStateException(what + " must be called on the loop thread of " + base);
        }
    }

    @Override
    public final long wakeupsSent() {
        return wakeups.sum();
    }

    @Override
    public final long messagesDelivered() {
        return delivered;
    }

    @Override
    public final long batches() {
        return batches;
    }

    @Override
    public final int largestBatch() {
        return largestBatch;
    }

    @Override
    public final EventBase base() {
        return base;
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + strategy + ", capacity=" + capacity() + ", pending=" + pending()
                + ", closed=" + isClosed() + "]";
    }
}
