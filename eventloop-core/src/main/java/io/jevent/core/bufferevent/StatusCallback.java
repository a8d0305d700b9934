package io.jevent.core.bufferevent;

/**
 * Told about a state change of a buffer event: connected, end of file, error or timeout; libevent's
 * {@code bufferevent_event_cb}. Runs on the loop thread.
 *
 * <p>{@code what} combines a direction, {@link BufferEvent#READING} or {@link BufferEvent#WRITING},
 * with one of {@link BufferEvent#CONNECTED}, {@link BufferEvent#EOF}, {@link BufferEvent#ERROR},
 * {@link BufferEvent#TIMEOUT}. A connect failure is {@code ERROR} alone. {@link BufferEvent#CLOSED},
 * alone, says the base closed the buffer event at shutdown; it is the only status that arrives after
 * the close.
 */
@FunctionalInterface
public interface StatusCallback {
    /**
     * Handles the state change.
     *
     * @param bev   the buffer event
     * @param what  the bits, see above
     * @param cause the exception behind an {@code ERROR}; {@code null} otherwise
     */
    void onStatus(BufferEvent bev, int what, Throwable cause);
}
