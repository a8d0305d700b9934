package io.jevent.core.bufferevent;

/**
 * Told that a {@link BufferEvent#closeAfterFlush(java.time.Duration, ClosedCallback) closeAfterFlush}
 * has closed the buffer event: the flush (and, on a socket, the lingering close) is over and the
 * channel is closed. Runs once, on the loop thread, never inside the {@code closeAfterFlush} call
 * itself; not at all if the user calls {@link BufferEvent#close()} first. Nothing may be called on the
 * buffer event any more but {@code isClosed()} and {@code base()}.
 */
@FunctionalInterface
public interface ClosedCallback {
    /**
     * Handles the close.
     *
     * @param bev     the buffer event, now closed
     * @param flushed whether every queued byte was handed to the kernel (or the partner) before the
     *                close; false if the deadline passed, writing failed or stalled for the write
     *                timeout first, and the rest was dropped
     */
    void onClosed(BufferEvent bev, boolean flushed);
}
