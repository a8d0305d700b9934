package io.jevent.core.bufferevent;

import java.io.IOException;

import io.jevent.core.Event;

/**
 * One side of an in-process pair: its buffer event's output feeds the partner's input.
 *
 * <p>Each side has one "pump" event, only ever activated (never added), so all movement happens from
 * the loop and never inside the caller's {@code write()}, {@code enable()} or {@code close()}:
 * activations merge, so many writes in one iteration cost one transfer. The pump is activated when
 * this side has output to send, when the partner makes room or starts reading, and when the partner
 * closed. Data moves by relinking buffer segments.
 *
 * <p>Closing one side tells the other from the loop: it sees {@code READING|EOF} once it reads (after
 * the bytes that already moved, exactly like a socket whose peer closed), and a later attempt to send
 * is {@code WRITING|ERROR}, as a write to a closed socket would be. Loop thread only.
 */
final class PairTransport implements Transport {
    private final BufferEvent bev;
    private final Event pump;
    private PairTransport partner;
    private boolean partnerClosed;
    private boolean closed;

    PairTransport(BufferEvent bev) {
        this.bev = bev;
        this.pump = bev.base.newTimer((ev, what) -> pump());
    }

    void link(PairTransport other) {
        this.partner = other;
        other.partner = this;
    }

    @Override
    public void wantRead(boolean on) {
        if (!on) {
            return;
        }
        if (partner != null) {
            partner.schedule();         // it may have output waiting for our room
        } else if (partnerClosed) {
            schedule();                 // the EOF is ours to deliver
        }
    }

    @Override
    public void wantWrite(boolean on) {
        if (on) {
            schedule();
        }
    }

    private void schedule() {
        if (!closed && !bev.base.isClosed()) {
            pump.activate(Event.WRITE);
        }
    }

    private void pump() {
        if (closed) {
            return;
        }
        if (partner == null) {
            if (partnerClosed && bev.wantsToRead()) {
                bev.eofReached();
            }
            if (!bev.isClosed() && bev.wantsToWrite()) {
                bev.ioFailed(BufferEvent.WRITING, new IOException("the other side of the pair is closed"));
            }
            return;
        }
        if (!bev.wantsToWrite()) {
            return;
        }
        BufferEvent dst = partner.bev;
        if (!dst.wantsToRead()) {
            return;                     // the partner schedules us again when it makes room
        }
        long n = Math.min(bev.outputBuffer().length(), dst.readRoom());
        bev.outputBuffer().removeBuffer(dst.inputBuffer(), n);
        try {
            dst.dataRead(n);
        } finally {
            // Even if the partner's read callback threw: the bytes did move, and a producer that
            // refills from its write callback must hear about it or it stalls.
            if (!bev.isClosed()) {
                bev.dataWritten(n);
            }
        }
    }

    /** Nothing to wait for: the partner's input holds what moved, and closing the pair destroys nothing. */
    @Override
    public boolean linger() {
        return false;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        pump.free();
        PairTransport other = partner;
        partner = null;
        if (other != null) {
            other.partner = null;
            other.partnerClosed = true;
            other.schedule();
        }
    }
}
