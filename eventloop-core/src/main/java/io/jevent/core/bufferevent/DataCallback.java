package io.jevent.core.bufferevent;

/**
 * Told that data moved: for the read callback, the input reached its low watermark; for the write
 * callback, the output drained to its low watermark. libevent's {@code bufferevent_data_cb}. Runs on
 * the loop thread; it may read, write, change watermarks, disable or close the buffer event.
 */
@FunctionalInterface
public interface DataCallback {
    /**
     * Handles the data event.
     *
     * @param bev the buffer event
     */
    void onData(BufferEvent bev);
}
