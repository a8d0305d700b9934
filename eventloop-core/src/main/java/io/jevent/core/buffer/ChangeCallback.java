package io.jevent.core.buffer;

/**
 * Told after each operation that changed an {@link EvBuffer}'s length; libevent's
 * {@code evbuffer_cb_func} registered with {@code evbuffer_add_cb}.
 *
 * <p>Runs synchronously on the thread that changed the buffer, after the change is complete, so the
 * buffer is consistent and the callback may read or modify it (a change made from inside a callback
 * fires the callbacks again, nested). An exception thrown here propagates to the caller of the
 * operation; the operation itself has already taken effect, and callbacks after the throwing one
 * are not run for that change.
 */
@FunctionalInterface
public interface ChangeCallback {
    /**
     * Called after {@code buffer}'s length went from {@code oldLength} to {@code newLength}
     * (never equal).
     *
     * @param buffer    the buffer that changed
     * @param oldLength its length before the operation
     * @param newLength its length now
     */
    void onChange(EvBuffer buffer, long oldLength, long newLength);
}
