package io.jevent.core.bufferevent;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

import io.jevent.core.Deferred;
import io.jevent.core.Event;
import io.jevent.core.buffer.EvBuffer;

/**
 * Moves a {@link BufferEvent}'s bytes through a {@link SocketChannel}.
 *
 * <h2>Writing: through, then watch</h2>
 * Output is written by a {@link Deferred} flush that runs after the callbacks of the iteration that
 * produced it, before the loop polls again: one write system call for everything written in that
 * iteration, and no selector interest change. Output written by this buffer event's own read
 * callback is flushed as soon as that callback returns. Only when the kernel takes less than all of it does the
 * transport watch the channel for WRITE readiness (a persistent event) until the output has drained.
 * So in steady state a reply costs one {@code write} and no {@code epoll_ctl}.
 *
 * <h2>Reading: until drained or the budget is spent</h2>
 * On READ readiness it reads repeatedly while each read fills what it asked for, up to
 * {@link #READ_BUDGET} bytes (fairness between connections, as Netty's {@code maxMessagesPerRead}),
 * and tells the buffer event once. A read that returns less than asked means the socket is drained,
 * so a small message costs one {@code read}. The size asked for adapts to what arrives: it doubles
 * after a read that filled it and halves after two reads that used less than half.
 *
 * <h2>Lingering close</h2>
 * When a {@code closeAfterFlush} has written everything, the kernel may still hold part of it in the
 * send queue, and closing a socket whose receive queue holds unread bytes makes Linux send a reset and
 * discard that queue: the peer loses the end of the data. So, like nginx and Apache, {@link #linger}
 * shuts the output down (the peer reads the rest, then EOF), then reads and discards whatever arrives
 * until the peer's EOF (or an error), and only then does the buffer event close the channel. The
 * buffer event's deadline bounds it. Discarded bytes never reach the input buffer or a callback.
 *
 * <p>Loop thread only; every field belongs to the buffer event's loop thread.
 */
final class SocketTransport implements Transport {
    /** Most bytes read for one READ readiness, so one busy connection cannot hog an iteration. */
    static final int READ_BUDGET = 256 * 1024;
    /** Smallest and largest size one read asks for. */
    static final int MIN_READ = EvBuffer.SEGMENT_SIZE;
    static final int MAX_READ = 64 * 1024;

    private final BufferEvent bev;
    private final SocketChannel channel;
    private final Event readable;
    private final Event writable;
    private final Deferred flush;
    private boolean reading;
    /** The buffer event wants its output written (a flush is scheduled or WRITE is watched). */
    private boolean writing;
    /** WRITE readiness (or OP_CONNECT while connecting) is watched. */
    private boolean watchingWrite;
    private int readGuess = MIN_READ;
    private int shortReads;
    /** Output shut down, discarding input until the peer's EOF; the buffer event no longer steers. */
    private boolean lingering;
    private ByteBuffer discard;
    private boolean closed;

    SocketTransport(BufferEvent bev, SocketChannel channel) {
        this.bev = bev;
        this.channel = channel;
        this.readable = bev.base.newEvent(channel, Event.READ | Event.PERSIST, (ev, what) -> onReadable());
        this.writable = bev.base.newEvent(channel, Event.WRITE | Event.PERSIST, (ev, what) -> onWritable());
        this.flush = bev.base.newDeferred(this::flush);
    }

    @Override
    public void wantRead(boolean on) {
        if (on == reading || closed || lingering) {
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
        if (on == writing || closed || lingering) {
            return;
        }
        writing = on;
        if (!on) {
            flush.cancel();
            watchWrite(false);
        } else if (bev.isConnecting()) {
            watchWrite(true);           // OP_CONNECT: nothing can be written before it completes
        } else {
            flush.schedule();           // write through, after the callbacks of this iteration
        }
    }

    private void watchWrite(boolean on) {
        if (on == watchingWrite) {
            return;
        }
        watchingWrite = on;
        if (on) {
            writable.add();
        } else {
            writable.del();
        }
    }

    private void onReadable() {
        if (lingering) {
            discardInput();
            return;
        }
        long room = bev.readRoom();
        if (room <= 0) {
            wantRead(false);          // at the high watermark: wait for the input to drain
            return;
        }
        EvBuffer in = bev.inputBuffer();
        long budget = Math.min(room, READ_BUDGET);
        long total = 0;
        boolean atEof = false;
        try {
            while (total < budget) {
                int ask = (int) Math.min(readGuess, budget - total);
                int n = in.readFrom(channel, ask);
                if (n < 0) {
                    atEof = true;
                    break;
                }
                total += n;
                adaptReadSize(n, ask);
                if (n < ask) {
                    break;              // the socket is drained: another read would only say so
                }
            }
        } catch (IOException e) {
            if (total > 0) {
                bev.dataRead(total);    // what arrived before the error is the user's
            }
            if (!closed) {
                bev.ioFailed(BufferEvent.READING, e);
            }
            return;
        }
        if (total > 0) {
            bev.dataRead(total);
            flushNowIfScheduled();
        }
        if (atEof && !closed) {
            bev.eofReached();
        }
    }

    /**
     * A reply written by the read callback leaves as soon as the callback returns, not with the
     * iteration's other flushes: its segments go back to the pool before the next connection reads,
     * so a loop serving a thousand ready connections holds one message's segments, not a thousand
     * (which would overflow the pool and churn direct memory). Still one write for the callback.
     */
    private void flushNowIfScheduled() {
        if (!closed && flush.isScheduled()) {
            flush.cancel();
            flush();
        }
    }

    private void adaptReadSize(int n, int ask) {
        if (n == ask && ask == readGuess) {
            readGuess = Math.min(readGuess * 2, MAX_READ);
            shortReads = 0;
        } else if (n < readGuess / 2 && readGuess > MIN_READ && ++shortReads >= 2) {
            readGuess /= 2;
            shortReads = 0;
        }
    }

    private void onWritable() {
        if (bev.isConnecting()) {
            finishConnect();
            return;
        }
        flush();
    }

    /** Writes what the output holds; watches WRITE only while the kernel leaves some of it with us. */
    private void flush() {
        if (closed || !bev.wantsToWrite()) {
            return;
        }
        long n;
        try {
            n = bev.outputBuffer().writeTo(channel);
        } catch (IOException e) {
            bev.ioFailed(BufferEvent.WRITING, e);
            return;
        }
        if (bev.outputBuffer().length() > 0) {
            watchWrite(true);
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
            // WRITE was watching OP_CONNECT; watching it again later recomputes the ops as OP_WRITE.
            writing = false;
            watchWrite(false);
            bev.connected();
        }
    }

    @Override
    public boolean linger() {
        if (closed) {
            return false;
        }
        try {
            channel.shutdownOutput();
        } catch (IOException e) {
            return false;               // the connection is gone: nothing left to protect
        }
        flush.cancel();
        watchWrite(false);
        writing = false;
        if (!reading) {
            reading = true;
            readable.add();
        }
        lingering = true;
        discard = ByteBuffer.allocate(MIN_READ);
        return true;
    }

    /** Lingering: reads and drops what the peer still sends, until its EOF ends the wait. */
    private void discardInput() {
        long total = 0;
        try {
            while (total < READ_BUDGET) {
                discard.clear();
                int n = channel.read(discard);
                if (n < 0) {
                    bev.lingerDone();
                    return;
                }
                total += n;
                if (n < discard.capacity()) {
                    return;             // drained for now
                }
            }
        } catch (IOException e) {
            bev.lingerDone();           // reset by the peer: nothing more can reach it anyway
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        flush.cancel();
        readable.free();
        writable.free();
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing: nothing left to report to
        }
    }
}
