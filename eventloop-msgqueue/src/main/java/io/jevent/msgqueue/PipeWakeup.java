package io.jevent.msgqueue;

import io.jevent.core.Event;
import io.jevent.core.EventBase;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.Pipe;

/**
 * {@link WakeupStrategy#PIPE}: the socketpair of the original
 * design, as a {@link Pipe} whose source end is a READ|PERSIST event on the base.
 */
final class PipeWakeup implements WakeupStrategy {

    @Override
    public Doorbell install(EventBase base, Runnable drain) throws IOException {
        return new PipeDoorbell(base, drain);
    }

    @Override
    public String toString() {
        return "PIPE";
    }

    /**
     * Thread ownership: {@code sink} is written by any producer thread (the JDK serialises concurrent
     * writes); {@code source}, {@code event} and {@code closed} belong to the loop thread, except that
     * {@code closed} is volatile so a producer whose write fails can tell a deliberate close from a
     * broken pipe.
     */
    private static final class PipeDoorbell implements Doorbell {
        private static final byte[] ONE_BYTE = {1};

        private final EventBase base;
        private final Pipe pipe;
        private final Event event;
        private final ByteBuffer readBuffer = ByteBuffer.allocateDirect(256); // loop thread only
        private volatile boolean closed;

        PipeDoorbell(EventBase base, Runnable drain) throws IOException {
            this.base = base;
            this.pipe = Pipe.open();
            try {
                pipe.source().configureBlocking(false);
                // Non-blocking sink: a producer must never block on the doorbell. A full pipe means the
                // loop has unread bytes, so it is going to wake anyway.
                pipe.sink().configureBlocking(false);
                this.event = base.newEvent(pipe.source(), Event.READ | Event.PERSIST, (ev, what) -> {
                    swallowBytes();
                    drain.run();
                });
                event.add();
            } catch (IOException | RuntimeException e) {
                closeQuietly();
                throw e;
            }
        }

        @Override
        public Event event() {
            return event;
        }

        @Override
        public void ring() {
            try {
                // A fresh 8-byte wrapper per ring: rings from different threads may overlap, and this is
                // the signal path, which costs a write(2) anyway.
                pipe.sink().write(ByteBuffer.wrap(ONE_BYTE));
            } catch (ClosedChannelException e) {
                // Either close() ran (nothing left to wake), or an interrupt of a producer thread closed
                // the sink under us (ClosedByInterruptException): then the pipe is dead and the
                // selector is the only way left to wake the loop, which still looks at the queue.
                if (!closed) {
                    base.wakeup();
                }
            } catch (IOException e) {
                if (!closed) {
                    base.wakeup();
                }
            }
        }

        /** Loop thread: empties the pipe so a level-triggered READ does not fire again for old rings. */
        private void swallowBytes() {
            try {
                int n;
                do {
                    readBuffer.clear();
                    n = pipe.source().read(readBuffer);
                } while (n > 0);
            } catch (IOException e) {
                // A dead source cannot be read; the loop still drains through its observer.
            }
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            event.del();
            event.free();
            closeQuietly();
        }

        private void closeQuietly() {
            try {
                pipe.source().close();
            } catch (IOException ignored) {
                // Closing a pipe end cannot usefully fail; the fd is released either way.
            }
            try {
                pipe.sink().close();
            } catch (IOException ignored) {
                // as above
            }
        }
    }
}
