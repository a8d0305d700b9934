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

    /** Release everything: events, channel, link to the partner. Idempotent. */
    void close();
}
