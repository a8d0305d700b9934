package io.jevent.examples.echo;

import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;

import io.jevent.core.Event;
import io.jevent.core.EventBase;
import io.jevent.core.bufferevent.BufferEvent;

/**
 * Echoes one TCP connection on one loop: every byte the client sends goes back, in order. The same
 * handler serves a connection of the single-loop {@link EchoServer} and of the {@link GroupEchoServer};
 * it only needs the base the connection lives on.
 *
 * <p>Backpressure: the connection stops reading while its output holds {@link #OUTPUT_HIGH} bytes (the
 * client is not reading its echo) and resumes from the write callback once the output has drained to
 * {@link #OUTPUT_LOW}. So a client that sends without reading costs the server at most about
 * {@code OUTPUT_HIGH} plus one read of memory. A connection whose output makes no progress for
 * {@link #STALL_TIMEOUT} is dropped. On EOF (the client shut down its output) the handler sends what is
 * still queued, then closes.
 *
 * <p>The per-message path does no lookup: the handler is the connection's state (its buffer event and
 * whether it is finishing), and the buffer event's callbacks are method references bound to it once,
 * when the connection is accepted.
 *
 * <p>{@code TCP_NODELAY} is set on every connection: an echo is a request/response exchange, and with
 * Nagle's algorithm on, an echo written in two pieces waits for the client's (delayed) ACK before the
 * second piece goes out. Netty sets it by default; the benchmarks set it on both servers explicitly.
 *
 * <p>Threading: a handler belongs to the loop thread of its base, like its buffer event; every method
 * and the {@code onClosed} callback run there.
 */
public final class EchoHandler {
    /** Output size at which a connection stops reading. */
    public static final long OUTPUT_HIGH = 256 * 1024;
    /** Output size at which it reads again. */
    public static final long OUTPUT_LOW = 64 * 1024;
    /** How long queued output may make no progress before the connection is dropped. */
    public static final Duration STALL_TIMEOUT = Duration.ofSeconds(30);

    private final BufferEvent bev;
    private final Consumer<EchoHandler> onClosed;
    /** The client half-closed: write out the rest of its echo, then close. */
    private boolean finishing;

    private EchoHandler(BufferEvent bev, Consumer<EchoHandler> onClosed) {
        this.bev = bev;
        this.onClosed = onClosed;
    }

    /**
     * Starts echoing {@code channel} on {@code base}; from now on the handler owns the channel.
     *
     * @param base     the loop the connection lives on
     * @param channel  an accepted connection
     * @param onClosed runs once, on the loop thread, when the connection has been closed (by either side
     *                 or by {@link #close()})
     * @return the connection's handler
     * @throws IllegalStateException off the base's loop thread
     */
    public static EchoHandler serve(EventBase base, SocketChannel channel, Consumer<EchoHandler> onClosed) {
        return serve(base, channel, EchoTransport.plain(), onClosed);
    }

    /**
     * Starts echoing {@code channel} on {@code base} over {@code transport} (plain TCP or TLS); from now
     * on the handler owns the channel. Over TLS the echo starts once the handshake is done, and the
     * handshake's end is not a reason to close.
     *
     * @param base      the loop the connection lives on
     * @param channel   an accepted connection
     * @param transport makes the connection's buffer event
     * @param onClosed  runs once, on the loop thread, when the connection has been closed
     * @return the connection's handler
     * @throws IllegalStateException off the base's loop thread
     */
    public static EchoHandler serve(EventBase base, SocketChannel channel, EchoTransport transport,
                                    Consumer<EchoHandler> onClosed) {
        Objects.requireNonNull(onClosed, "onClosed");
        Objects.requireNonNull(transport, "transport");
        setNoDelay(channel);
        EchoHandler handler = new EchoHandler(transport.open(base, channel), onClosed);
        handler.bev.setWriteWatermarks(OUTPUT_LOW, OUTPUT_HIGH);
        handler.bev.setTimeouts(null, STALL_TIMEOUT);
        handler.bev.setCallbacks(handler::echo, handler::drained, handler::status);
        handler.bev.enable(Event.READ);
        return handler;
    }

    /** Closes the connection now, dropping any echo not yet written. Idempotent. Loop thread. */
    public void close() {
        if (bev.isClosed()) {
            return;
        }
        bev.close();
        onClosed.accept(this);
    }

    /** Whether the connection is closed. Loop thread. */
    public boolean isClosed() {
        return bev.isClosed();
    }

    private void echo(BufferEvent b) {
        b.write(b.input());                     // moves the segments, no copy
        if (b.isOutputFull()) {
            b.disable(Event.READ);
        }
    }

    /** Write callback: the output is down to OUTPUT_LOW (it runs again at each write until empty). */
    private void drained(BufferEvent b) {
        if (finishing) {
            if (b.output().isEmpty()) {
                close();
            }
        } else if ((b.enabled() & Event.READ) == 0) {
            b.enable(Event.READ);
        }
    }

    private void status(BufferEvent b, int what, Throwable cause) {
        if (what == BufferEvent.HANDSHAKE_DONE) {
            return;                 // TLS is up: nothing to do, the echo goes on
        }
        if ((what & BufferEvent.EOF) != 0 && !b.output().isEmpty()) {
            finishing = true;       // the client half-closed: send the rest of its echo, then close
        } else {
            close();                // EOF with nothing left to send, ERROR, or a stalled write (TIMEOUT)
        }
    }

    private static void setNoDelay(SocketChannel channel) {
        try {
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        } catch (IOException e) {
            // Only a connection that is already broken refuses it; its first read reports the error
            // to status(), which closes it.
        }
    }
}
