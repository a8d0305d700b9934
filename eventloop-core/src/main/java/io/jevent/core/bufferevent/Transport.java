package io.jevent.core.bufferevent;

/**
 * What moves bytes for a {@link BufferEvent}: a socket, or the partner of an in-process pair. The
 * buffer event decides when it wants to read and write; the transport watches for readiness and calls
 * back into the buffer event. Loop thread only.
 */
interface Transport {
    /** Start or stop watching for incoming data. Idempotent. */
    void wantRead(boolean on);

    /** Start or stop watching for room to write the output. Idempotent. */
    void wantWrite(boolean on);

    /**
     * The output is all written and the buffer event is closing. A transport whose close could
     * destroy what was written (a socket with unread input: Linux answers its close with a reset and
     * discards the send queue) sends its end of stream, discards input until the peer's, and then
     * calls {@link BufferEvent#lingerDone()}; it returns false if there is nothing to wait for, and the
     * buffer event closes at once.
     */
    boolean linger();

    /** Release everything: events, channel, link to the partner. Idempotent. */
    void close();
}
