package io.jevent.chat.server;

import java.nio.charset.StandardCharsets;

import io.jevent.core.Event;
import io.jevent.core.buffer.ChangeCallback;
import io.jevent.core.buffer.EvBuffer;
import io.jevent.core.buffer.SharedBytes;
import io.jevent.core.bufferevent.BufferEvent;

/**
 * The write side of one connection: replies and events, backpressure and slow-consumer detection.
 * The final flush is the buffer event's {@link BufferEvent#closeAfterFlush}.
 *
 * <h2>Order</h2>
 * Each reply block and each event is one {@code add} to the output buffer, so an event can fall
 * between two reply blocks but never inside one.
 *
 * <h2>Backpressure (pipelining)</h2>
 * While the output holds the reply backlog ({@link ServerConfig#replyBacklog()}, small) or more,
 * {@link #stallInput} says so, the session starts no new command, and reading from the connection
 * stops (as the library's echo example does at its output watermark): a client that pipelines
 * without reading fills its own socket buffers instead of the server's memory. Once the output
 * drains to the low watermark (a quarter of the backlog), {@link #drained} enables reading again
 * and tells the session to go on. Reply blocks are always written whole; since a session has at most
 * {@link Session#MAX_PIPELINED} commands unanswered, replies stay below the backlog plus that many
 * blocks.
 *
 * <h2>Output budget</h2>
 * Every byte queued (replies and events alike) is first reserved from the loop's share of the
 * server-wide budget ({@link OutputBudget}); a change callback on the buffer reports every byte
 * written out or dropped, so the loop's count is exact. If the bytes do not fit, connections with
 * the most unsent output are dropped, possibly this one: then nothing is queued.
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
    private final Session session;
    private final BufferEvent bev;
    private final EvBuffer out;
    private final long highWatermark;
    private final long replyBacklog;
    private final ChangeCallback accounting;
    /** The output's length as last reported to the budget. */
    private long accounted;
    /** Bytes of reply blocks queued since the output last drained. */
    private long replyAllowance;
    /** The session stopped taking commands because the output was full. */
    private boolean inputWaiting;
    /** Bytes ever queued: with the buffer's length, says how much of the stream has left it. */
    private long queuedTotal;

    SessionOutput(ChatLoop loop, Session session, BufferEvent bev, ServerConfig config) {
        this.loop = loop;
        this.session = session;
        this.bev = bev;
        this.out = bev.output();
        this.highWatermark = config.writeHighWatermark();
        this.replyBacklog = config.replyBacklog();
        bev.setWriteWatermarks(replyBacklog / 4, highWatermark);
        OutputBudget budget = loop.budget();
        this.accounting = (b, before, after) -> {
            budget.changed(after - accounted);
            accounted = after;
        };
        out.addCallback(accounting);
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
     * A reply block: written whole (the stall rule bounds how many pile up), budget permitting.
     *
     * @return false if the budget dropped this session instead (it is closing; nothing was queued)
     */
    boolean reply(String block) {
        long before = out.length();
        if (!write(block)) {
            return false;
        }
        replyAllowance += out.length() - before;
        return true;
    }

    /**
     * An event line, budget permitting.
     *
     * @return false if the budget dropped this session instead (it is closing; nothing was queued)
     */
    boolean write(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        if (!loop.budget().reserve(session, bytes.length, loop.sessions())) {
            return false;
        }
        out.add(bytes);
        queuedTotal += bytes.length;
        loop.outputQueued(out.length());
        return true;
    }

    /**
     * An event line shared with other sessions' outputs: referenced, not copied, but reserved and
     * counted at its full length like any other bytes, since this connection holds it until sent.
     *
     * @return false if the budget dropped this session instead (it is closing; nothing was queued)
     */
    boolean write(SharedBytes line) {
        int len = line.length();
        if (!loop.budget().reserve(session, len, loop.sessions())) {
            return false;
        }
        out.addShared(line);
        queuedTotal += len;
        loop.outputQueued(out.length());
        return true;
    }

    /**
     * The last line ({@code BYE ...}) of a closing connection: outside the budget, since it is one
     * short line and what it ends frees far more.
     */
    void writeLast(String line) {
        long before = out.length();
        out.add(line, StandardCharsets.UTF_8);
        queuedTotal += out.length() - before;
    }

    /**
     * Whether the output is too full to start another command; if so, stops reading and remembers
     * that the input is waiting, so that {@link #drained} resumes it.
     */
    boolean stallInput() {
        if (out.length() >= replyBacklog) {
            if (!inputWaiting) {
                inputWaiting = true;
                bev.disable(Event.READ);
                loop.inputsPaused(1);
            }
            return true;
        }
        return false;
    }

    /** Whether reading is paused until the output drains (for stats). */
    boolean isInputPaused() {
        return inputWaiting;
    }

    /**
     * The output drained to the low watermark: reply blocks no longer count as asked-for output, and
     * a paused connection is read from again.
     *
     * @return whether the input was waiting for this and should be processed again
     */
    boolean drained() {
        replyAllowance = 0;
        boolean resume = inputWaiting;
        if (resume) {
            inputWaiting = false;
            loop.inputsPaused(-1);
            bev.enable(Event.READ);
        }
        return resume;
    }

    /**
     * The connection is closing (its final flush reads and discards by itself): it no longer waits
     * to be read from.
     */
    void stopWaiting() {
        if (inputWaiting) {
            inputWaiting = false;
            loop.inputsPaused(-1);
        }
    }

    /**
     * The connection is closed or closing for good: what it still had queued leaves the budget now.
     * Counted from what was last reported, not from the buffer: a buffer event that closes (at the
     * end of a flush that timed out, say) releases its buffer without reporting the change.
     */
    void release() {
        out.removeCallback(accounting);
        loop.budget().changed(-accounted);
        accounted = 0;
        stopWaiting();
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
