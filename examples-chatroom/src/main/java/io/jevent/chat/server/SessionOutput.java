package io.jevent.chat.server;

import java.nio.charset.StandardCharsets;

import io.jevent.core.buffer.EvBuffer;
import io.jevent.core.bufferevent.BufferEvent;

/**
 * The write side of one connection: replies and events, backpressure and slow-consumer detection.
 * The final flush is the buffer event's {@link BufferEvent#closeAfterFlush}.
 *
 * <h2>Order</h2>
 * Each reply block and each event is one {@code add} to the output buffer, so an event can fall
 * between two reply blocks but never inside one.
 *
 * <h2>Backpressure</h2>
 * While the output holds the write high watermark or more, {@link #stallInput} says so and the
 * session starts no new command: a client that sends without reading stalls instead of growing the
 * heap. Once the output drains to the low watermark (a quarter of the high one), {@link #drained}
 * tells the session to go on. Reply blocks are always written, since only one command is in flight.
 *
 * <h2>Slow consumers</h2>
 * An event arriving while the output holds the high watermark beyond the reply blocks queued since
 * it last drained (a big HISTORY is not slowness) proves the client is not reading
 * ({@link #isSlowConsumer}); the session then {@link #dropUnsent drops} what is queued and closes.
 *
 * <p>Threading: owned by the session's loop thread, like the {@link BufferEvent} it writes to.
 */
final class SessionOutput {
    private static final byte[] NEWLINE = {'\n'};

    private final ChatLoop loop;
    private final EvBuffer out;
    private final long highWatermark;
    /** Bytes of reply blocks queued since the output last drained. */
    private long replyAllowance;
    /** The session stopped taking commands because the output was full. */
    private boolean inputWaiting;
    /** Bytes ever queued: with the buffer's length, says how much of the stream has left it. */
    private long queuedTotal;

    SessionOutput(ChatLoop loop, BufferEvent bev, int highWatermark) {
        this.loop = loop;
        this.out = bev.output();
        this.highWatermark = highWatermark;
        bev.setWriteWatermarks(highWatermark / 4, highWatermark);
    }

    /** A reply block: always written (the stall rule bounds how many pile up). */
    void reply(String block) {
        long before = out.length();
        write(block);
        replyAllowance += out.length() - before;
    }

    /** An event line or the last {@code BYE}: written as it is. */
    void write(String text) {
        long before = out.length();
        out.add(text, StandardCharsets.UTF_8);
        queuedTotal += out.length() - before;
        loop.outputQueued(out.length());
    }

    /** Where the stream ends after what has been queued so far: the offset of the next byte. */
    long queuedTotal() {
        return queuedTotal;
    }

    /**
     * How much of the stream has left the output buffer for the socket (the kernel has it; the
     * client may not). Meaningless after {@link #dropUnsent}, which only a closing session calls.
     */
    long sentBytes() {
        return queuedTotal - out.length();
    }

    /**
     * Whether the output is too full to start another command; if so, remembers that the input is
     * waiting, so that {@link #drained} resumes it.
     */
    boolean stallInput() {
        if (out.length() >= highWatermark) {
            inputWaiting = true;
            return true;
        }
        return false;
    }

    /**
     * The output drained to the low watermark: reply blocks no longer count as asked-for output.
     *
     * @return whether the input was waiting for this and should be processed again
     */
    boolean drained() {
        replyAllowance = 0;
        boolean resume = inputWaiting;
        inputWaiting = false;
        return resume;
    }

    /** Whether an event arriving now proves the client is not reading. */
    boolean isSlowConsumer() {
        return out.length() >= highWatermark + replyAllowance;
    }

    /**
     * Drops what is queued but keeps the line already partly sent, so the client sees whole lines
     * (and then whatever is written next). The relinking moves segments and copies nothing.
     */
    void dropUnsent() {
        long end = out.search(NEWLINE, 0);
        EvBuffer keep = new EvBuffer();
        out.removeBuffer(keep, end + 1);
        out.clear();
        out.addBuffer(keep);
        keep.close();
    }

    long length() {
        return out.length();
    }

}
