package io.jevent.msgqueue;

/**
 * Told when a {@link MsgQueue}'s consumer throws.
 *
 * <p>Runs on the loop thread, right after the failed delivery; the rest of the batch is delivered
 * afterwards. If the handler itself throws, that exception is logged and the batch still goes on.
 *
 * <p>A {@link VirtualMachineError} ({@code OutOfMemoryError}, {@code StackOverflowError}) thrown by
 * the consumer or the handler is not reported here: it propagates out of the base's loop, as from any
 * callback of the base, and ends an {@link EventLoopThread}.
 *
 * @param <T> the message type
 */
@FunctionalInterface
public interface DeliveryErrorHandler<T> {

    /**
     * Reports that the consumer threw while handling {@code msg}.
     *
     * @param msg   the message being delivered
     * @param error what the consumer threw
     */
    void onError(T msg, Throwable error);
}
