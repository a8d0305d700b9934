package io.jevent.core.bufferevent;

import java.io.IOException;

import io.jevent.core.Event;

/**
 * One side of an in-process pair: its buffer event's output feeds the partner's input. A transfer is
 * scheduled (an activated event, so it runs from the loop, never inside the caller's write) whenever
 * this side has output to send or the partner makes room; activations merge, so many writes in one
 * iteration cost one transfer. Data moves by relinking segments. Loop thread only.
 */
final class PairTransport implements Transport {
    private final BufferEvent bev;
    private final Event transfer;
    private PairTransport partner;
    private boolean closed;

    PairTransport(BufferEvent bev) {
        this.bev = bev;
        this.transfer = bev.base.newTimer((ev, what) -> transfer());
    }

    void link(PairTransport other) {
        this.partner = other;
        other.partner = this;
    }

    @Override
    public void wantRead(boolean on) {
        if (on && partner != null) {
            partner.schedule();
        }
    }

    @Override
    public void wantWrite(boolean on) {
        if (on) {
            schedule();
        }
    }

    private void schedule() {
        if (!closed) {
            transfer.activate(Event.WRITE);
        }
    }

    private void transfer() {
        if (closed || !bev.wantsToWrite()) {
            return;
        }
        if (partner == null) {
            bev.ioFailed(BufferEvent.WRITING, new IOException("the other side of the pair is closed"));
            return;
        }
        BufferEvent dst = partner.bev;
        if (!dst.wantsToRead()) {
            return;                   // the partner makes room later and schedules us again
        }
        long n = Math.min(bev.outputBuffer().length(), dst.readRoom());
        bev.outputBuffer().removeBuffer(dst.inputBuffer(), n);
        dst.dataRead(n);
        if (!bev.isClosed()) {
            bev.dataWritten(n);
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        transfer.free();
        PairTransport other = partner;
        partner = null;
        if (other != null) {
            other.partner = null;
            other.bev.eofReached();
        }
    }
}
