package io.jevent.core.bufferevent;

import java.io.IOException;
import java.nio.channels.SocketChannel;

import io.jevent.core.Event;

/**
 * Moves a {@link BufferEvent}'s bytes through a {@link SocketChannel}: one persistent READ and one
 * persistent WRITE event on the channel, added only while the buffer event wants that direction, so an
 * idle direction costs no wake-ups. Loop thread only.
 */
final class SocketTransport implements Transport {
    private final BufferEvent bev;
    private final SocketChannel channel;
    private final Event readable;
    private final Event writable;
    private boolean reading;
    private boolean writing;
    private boolean closed;

    SocketTransport(BufferEvent bev, SocketChannel channel) {
        this.bev = bev;
        this.channel = channel;
        this.readable = bev.base.newEvent(channel, Event.READ | Event.PERSIST, (ev, what) -> onReadable());
        this.writable = bev.base.newEvent(channel, Event.WRITE | Event.PERSIST, (ev, what) -> onWritable());
    }

    @Override
    public void wantRead(boolean on) {
        if (on == reading || closed) {
            return;
        }
        reading = on;
        if (on) {
            readable.add();
        } else {
            readable.del();
        }
    }

    @Override
    public void wantWrite(boolean on) {
        if (on == writing || closed) {
            return;
        }
        writing = on;
        if (on) {
            writable.add();
        } else {
            writable.del();
        }
    }

    private void onReadable() {
        long room = bev.readRoom();
        if (room <= 0) {
            wantRead(false);          // at the high watermark: wait for the input to drain
            return;
        }
        int n;
        try {
            n = bev.inputBuffer().readFrom(channel, (int) Math.min(room, BufferEvent.READ_CHUNK));
        } catch (IOException e) {
            bev.ioFailed(BufferEvent.READING, e);
            return;
        }
        if (n < 0) {
            bev.eofReached();
        } else if (n > 0) {
            bev.dataRead(n);
        }
    }

    private void onWritable() {
        if (bev.isConnecting()) {
            finishConnect();
            return;
        }
        long n;
        try {
            n = bev.outputBuffer().writeTo(channel);
        } catch (IOException e) {
            bev.ioFailed(BufferEvent.WRITING, e);
            return;
        }
        bev.dataWritten(n);
    }

    private void finishConnect() {
        boolean done;
        try {
            done = channel.finishConnect();
        } catch (IOException e) {
            bev.ioFailed(0, e);
            return;
        }
        if (done) {
            // WRITE was watching OP_CONNECT; re-adding it later recomputes the ops as OP_WRITE.
            writing = false;
            writable.del();
            bev.connected();
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        readable.free();
        writable.free();
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing: nothing left to report to
        }
    }
}
