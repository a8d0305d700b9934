package io.jevent.core.bufferevent;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;

import io.jevent.core.Deferred;
import io.jevent.core.Event;
import io.jevent.core.buffer.EvBuffer;
import io.jevent.core.spi.LoopObserver;
import io.jevent.core.spi.LoopObservers;

/**
 * Moves a {@link BufferEvent}'s bytes through an {@link SSLEngine} and a {@link SocketChannel}:
 * libevent's filter model, with ciphertext on the socket and plaintext in the buffer event's input and
 * output.
 *
 * <h2>One pump</h2>
 * Every event (READ readiness, WRITE readiness, the write-through flush, a delegated task finished,
 * reading re-enabled with decrypted bytes waiting) runs {@link #drive}, which loops until nothing more
 * can move: write pending ciphertext; then do what the engine's handshake status asks (run tasks,
 * wrap, unwrap); once the handshake is done, wrap the output and unwrap the input. After the loop it
 * tells the buffer event once what was read and written, then watches READ only while it needs bytes
 * from the peer and WRITE only while the kernel holds back ciphertext, as {@link SocketTransport}.
 *
 * <h2>Buffers</h2>
 * Three direct buffers: {@code netIn} (one packet), {@code netOut} (two packets, so several handshake
 * records leave in one write), {@code appIn} (decrypted bytes not yet in the input: the high watermark
 * is honoured exactly, the rest waits here). They are borrowed from the thread's {@link TlsScratch} for
 * the length of a pump and given back when empty; a connection holds one between pumps only while
 * something is left in it (a partial record, ciphertext the kernel did not take, plaintext above the
 * high watermark), so idle connections hold none. The output is wrapped straight from its segments
 * ({@link EvBuffer#peek}), without a copy.
 *
 * <h2>Delegated tasks</h2>
 * They run on the options' executor. Meanwhile this connection neither reads nor writes; the task's
 * thread sets {@link #taskFinished} and wakes the base, and a loop observer (registered only while a
 * task runs) activates {@link #taskDone} on the loop, which resumes. An executor that runs the task
 * in the caller finishes before {@code execute} returns, and the pump goes on at once.
 *
 * <p>Loop thread only, except {@link #taskFinished} and {@link #taskError}, written by the task's
 * thread before it wakes the base and read by the loop after.
 */
final class TlsTransport implements Transport {
    private static final ByteBuffer[] NOTHING = {ByteBuffer.allocate(0)};
    private static final int WRAP_VIEWS = 4;
    /** Most plaintext one wrap is offered: one TLS record's worth. */
    private static final int MAX_PLAIN_PER_WRAP = 16 * 1024;

    private final BufferEvent bev;
    private final SocketChannel channel;
    private final SSLEngine engine;
    private final Executor executor;
    private final Duration handshakeTimeout;
    private final Event readable;
    private final Event writable;
    private final Deferred flush;
    private final Deferred resume;
    private final Event taskDone;
    private final LoopObserver taskWatch;
    private Event handshakeTimer;
    private final ByteBuffer[] views = new ByteBuffer[WRAP_VIEWS];
    /** Null between pumps unless something is left in it; likewise {@link #netOut} and {@link #appIn}. */
    private ByteBuffer netIn;
    private ByteBuffer netOut;
    private ByteBuffer appIn;
    /** The capacities to borrow: from the session, grown when the engine asked for more. */
    private int netInSize;
    private int netOutSize;
    private int appInSize;
    /** Between {@link #borrow} and {@link #giveBack} in {@link #drive}: the buffers are in use. */
    private boolean pumping;
    /**
     * {@link #appIn} as the array unwrap takes, set before each unwrap (appIn is borrowed per pump):
     * the one-buffer unwrap would allocate an array per call.
     */
    private final ByteBuffer[] appInArray = new ByteBuffer[1];

    private boolean started;
    private boolean handshakeDone;
    private boolean taskRunning;
    private volatile boolean taskFinished;
    private volatile Throwable taskError;
    private boolean userReading;
    private boolean watchingRead;
    private boolean watchingWrite;
    /** The socket returned end of stream. */
    private boolean netEof;
    /** The end of stream or the close_notify was reported (or turned into an error). */
    private boolean inboundReported;
    /** closeOutbound was called: our close_notify is on its way. */
    private boolean closingOutbound;
    private boolean outputShut;
    private boolean lingering;
    private boolean failed;
    private boolean closed;
    /** beginHandshake failed; reported by the next pump, from the loop. */
    private SSLException pendingStartFailure;

    // Per drive: what may be read and what was moved.
    private boolean socketMayHaveData;
    private long netRead;
    private long plainRead;
    private long plainWritten;

    TlsTransport(BufferEvent bev, SocketChannel channel, SSLEngine engine, TlsOptions options) {
        this.bev = bev;
        this.channel = channel;
        this.engine = engine;
        this.executor = options.delegatedTaskExecutor() != null ? options.delegatedTaskExecutor()
                : DefaultTaskExecutor.INSTANCE;
        this.handshakeTimeout = options.handshakeTimeout();
        int packet = engine.getSession().getPacketBufferSize();
        this.netInSize = packet;
        this.netOutSize = 2 * packet;
        this.appInSize = engine.getSession().getApplicationBufferSize();
        this.readable = bev.base.newEvent(channel, Event.READ | Event.PERSIST, (ev, what) -> drive(true));
        this.writable = bev.base.newEvent(channel, Event.WRITE | Event.PERSIST, (ev, what) -> onWritable());
        this.flush = bev.base.newDeferred(() -> drive(false));
        this.resume = bev.base.newDeferred(() -> drive(false));
        this.taskDone = bev.base.newTimer((ev, what) -> onTaskDone());
        this.taskWatch = new LoopObserver() {
            @Override
            public boolean beforePoll() {
                return taskFinished;
            }

            @Override
            public void afterPoll() {
                if (taskFinished && !closed) {
                    taskDone.activate(Event.TIMEOUT);
                }
            }
        };
    }

    /** The socket is connected: the handshake begins, from the loop. */
    void start() {
        if (started || closed) {
            return;
        }
        started = true;
        handshakeTimer = bev.base.newTimer((ev, what) -> fail(BufferEvent.READING,
                new SSLHandshakeException("TLS handshake not finished within " + handshakeTimeout)));
        handshakeTimer.add(handshakeTimeout);
        try {
            engine.beginHandshake();
        } catch (SSLException e) {
            resume.schedule();          // reported from the loop, never inside the caller's call
            pendingStartFailure = e;
            return;
        }
        resume.schedule();
    }

    @Override
    public void wantRead(boolean on) {
        if (closed || failed) {
            return;
        }
        userReading = on;
        if (on && (plainWaiting() || held(netIn))) {
            resume.schedule();          // decrypted or undecrypted bytes wait here; the socket may never fire
        }
        updateInterest();
    }

    @Override
    public void wantWrite(boolean on) {
        if (closed || failed || lingering) {
            return;
        }
        if (bev.isConnecting()) {
            watchWrite(on);             // OP_CONNECT
        } else if (on) {
            flush.schedule();           // write through, after the callbacks of this iteration
        }
    }

    private void onWritable() {
        if (bev.isConnecting()) {
            finishConnect();
            return;
        }
        drive(false);
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
            watchWrite(false);
            bev.connected();
            if (!closed) {
                start();
            }
        }
    }

    // ---------------------------------------------------------------- the pump

    private void drive(boolean canRead) {
        if (closed || failed || taskRunning || !started) {
            return;
        }
        socketMayHaveData = canRead;
        netRead = 0;
        plainRead = 0;
        plainWritten = 0;
        int direction = BufferEvent.READING;
        borrow();
        pumping = true;
        try {
            if (pendingStartFailure != null) {
                SSLException e = pendingStartFailure;
                pendingStartFailure = null;
                throw e;
            }
            boolean progress = true;
            while (progress && !closed && !failed && !taskRunning) {
                progress = false;
                if (netOut.position() > 0) {
                    direction = BufferEvent.WRITING;
                    progress = writeNet();
                }
                HandshakeStatus hs = engine.getHandshakeStatus();
                if (handshakeDone && hs != HandshakeStatus.NOT_HANDSHAKING && isRenegotiation()) {
                    throw new SSLException("TLS renegotiation refused: the peer asked for a new handshake on "
                            + engine.getSession().getProtocol() + ", which this connection does not allow");
                }
                switch (hs) {
                    case NEED_TASK -> progress = startTasks();
                    case NEED_WRAP -> {
                        direction = BufferEvent.WRITING;
                        progress |= wrap(NOTHING, 0, 1);
                    }
                    case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> {
                        direction = BufferEvent.READING;
                        progress |= unwrap();
                    }
                    default -> {
                        if (!handshakeDone) {
                            handshakeFinished();
                            progress = true;
                        } else {
                            direction = BufferEvent.WRITING;
                            progress |= wrapOutput();
                            direction = BufferEvent.READING;
                            if (lingering || (userReading && !engine.isInboundDone())) {
                                progress |= unwrap();
                            }
                        }
                    }
                }
                if (lingering) {
                    progress |= lingerStep();
                }
            }
        } catch (IOException e) {
            fail(direction, e);
            pumping = false;
            giveBack();
            return;
        }
        pumping = false;
        giveBack();
        report();
    }

    /** Takes from the thread's scratch the buffers this connection does not hold. */
    private void borrow() {
        if (netIn != null && netOut != null && appIn != null) {
            return;
        }
        TlsScratch s = TlsScratch.get();
        if (netIn == null) {
            netIn = s.takeNetIn(netInSize);
        }
        if (netOut == null) {
            netOut = s.takeNetOut(netOutSize);
        }
        if (appIn == null) {
            appIn = s.takeAppIn(appInSize);
        }
    }

    /** Gives back the empty buffers (all of them once the connection failed or closed); never while pumping. */
    private void giveBack() {
        if (pumping) {
            return;
        }
        TlsScratch s = TlsScratch.get();
        boolean all = closed || failed;
        if (netIn != null && (all || netIn.position() == 0)) {
            netIn = s.giveNetIn(netIn);
        }
        if (netOut != null && (all || netOut.position() == 0)) {
            netOut = s.giveNetOut(netOut);
        }
        if (appIn != null && (all || appIn.position() == 0)) {
            appIn = s.giveAppIn(appIn);
        }
    }

    private static boolean held(ByteBuffer b) {
        return b != null && b.position() > 0;
    }

    /** Decrypted bytes wait for room in the input. */
    private boolean plainWaiting() {
        return held(appIn);
    }

    /** After the pump: tells the buffer event what moved and what ended, then watches what is needed. */
    private void report() {
        if (closed) {
            return;
        }
        long read = plainRead;
        long written = plainWritten;
        plainRead = 0;
        plainWritten = 0;
        if (read > 0) {
            bev.dataRead(read);
        }
        if (!closed && !lingering && written > 0) {
            bev.dataWritten(written);
        }
        if (read > 0 && !closed && flush.isScheduled()) {
            flush.cancel();             // a reply written by the read callback leaves now: see SocketTransport
            drive(false);
            return;
        }
        // Not while a delegated task runs: the task's thread changes the engine meanwhile (a failed
        // certificate check closes it, so isInboundDone() turns true), and what ended the handshake is
        // the task's failure, which onTaskDone reports; the engine's state is read again after it.
        if (!closed && !failed && !lingering && !inboundReported && !taskRunning) {
            if (engine.isInboundDone() && !plainWaiting()) {
                inboundReported = true;
                bev.eofReached();       // the peer's close_notify: a clean end
            } else if (netEof && !plainWaiting()) {
                inboundReported = true;
                fail(BufferEvent.READING, truncation());
                return;
            }
        }
        updateInterest();
    }

    private IOException truncation() {
        if (!handshakeDone) {
            return new SSLHandshakeException("the peer closed the connection during the TLS handshake");
        }
        SSLException cause = null;
        try {
            engine.closeInbound();
        } catch (SSLException e) {
            cause = e;
        }
        return new SSLException("the peer closed the connection without a TLS close_notify: the data may be "
                + "truncated (possible truncation attack)", cause);
    }

    /** TLS 1.3 has no renegotiation: its post-handshake messages (key update, tickets) are the engine's own. */
    private boolean isRenegotiation() {
        return !closingOutbound && !engine.isInboundDone() && !engine.isOutboundDone()
                && !"TLSv1.3".equals(engine.getSession().getProtocol());
    }

    private void handshakeFinished() {
        handshakeDone = true;
        handshakeTimer.free();
        growBuffers();
        bev.handshakeDone();
    }

    /** The negotiated session may use larger records than the engine announced before (large fragments). */
    private void growBuffers() {
        int packet = engine.getSession().getPacketBufferSize();
        netInSize = Math.max(netInSize, packet);
        netOutSize = Math.max(netOutSize, 2 * packet);
        appInSize = Math.max(appInSize, engine.getSession().getApplicationBufferSize());
        if (netIn.capacity() < netInSize) {
            netIn = grow(netIn, netInSize);
        }
        if (netOut.capacity() < netOutSize) {
            netOut = grow(netOut, netOutSize);
        }
        if (appIn.capacity() < appInSize) {
            appIn = grow(appIn, appInSize);
        }
    }

    private static ByteBuffer grow(ByteBuffer b, int capacity) {
        ByteBuffer bigger = ByteBuffer.allocateDirect(capacity);
        b.flip();
        bigger.put(b);
        return bigger;
    }

    /** Writes pending ciphertext; true if the kernel took some. Watches WRITE while it leaves some. */
    private boolean writeNet() throws IOException {
        netOut.flip();
        int n;
        try {
            n = channel.write(netOut);
        } finally {
            netOut.compact();
        }
        return n > 0;
    }

    /** Plaintext from the output into records, once the handshake is done and WRITE allows it. */
    private boolean wrapOutput() throws IOException {
        if (lingering || closingOutbound || !bev.wantsToWrite()) {
            return false;
        }
        EvBuffer out = bev.outputBuffer();
        int n = Math.min(out.peek(Math.min(out.length(), MAX_PLAIN_PER_WRAP), views), views.length);
        try {
            return wrap(views, 0, n);
        } finally {
            Arrays.fill(views, null);   // the views belong to segments that go back to the pool
        }
    }

    /** One wrap into {@code netOut}; false if there is no room until the kernel takes what is there. */
    private boolean wrap(ByteBuffer[] src, int off, int len) throws IOException {
        SSLEngineResult r = engine.wrap(src, off, len, netOut);
        return switch (r.getStatus()) {
            case OK -> {
                if (r.bytesConsumed() > 0) {
                    bev.outputBuffer().drain(r.bytesConsumed());
                    plainWritten += r.bytesConsumed();
                }
                if (r.getHandshakeStatus() == HandshakeStatus.FINISHED && netOut.position() > 0) {
                    writeNet();         // the last flight leaves before HANDSHAKE_DONE is reported
                }
                yield r.bytesProduced() > 0 || r.bytesConsumed() > 0;
            }
            case BUFFER_OVERFLOW -> {
                if (netOut.position() == 0) {
                    netOutSize = Math.max(netOutSize * 2, engine.getSession().getPacketBufferSize() * 2);
                    netOut = ByteBuffer.allocateDirect(netOutSize);
                    yield true;
                }
                yield false;            // full: the kernel must take some first
            }
            case CLOSED -> {
                if (src != NOTHING && len > 0 && src[off].hasRemaining()) {
                    throw new SSLException("the TLS connection is closed for writing (close_notify "
                            + (engine.isInboundDone() ? "received from the peer" : "sent") + ")");
                }
                yield r.bytesProduced() > 0;
            }
            default -> throw new SSLException("unexpected wrap result " + r);
        };
    }

    /** One unwrap from {@code netIn}, reading from the socket when it needs more. */
    private boolean unwrap() throws IOException {
        if (appIn.position() > 0 && deliver() == 0 && !lingering) {
            return false;               // the input is at its high watermark: stop decrypting
        }
        if (netIn.position() == 0 && !readNet()) {
            return false;
        }
        HandshakeStatus before = engine.getHandshakeStatus();
        netIn.flip();
        SSLEngineResult r;
        try {
            appInArray[0] = appIn;
            r = engine.unwrap(netIn, appInArray, 0, 1);
        } finally {
            netIn.compact();
        }
        return switch (r.getStatus()) {
            case OK, CLOSED -> {
                if (r.bytesProduced() > 0) {
                    deliver();
                }
                yield r.bytesConsumed() > 0 || r.bytesProduced() > 0 || r.getHandshakeStatus() != before;
            }
            case BUFFER_UNDERFLOW -> {
                if (netIn.position() == netIn.capacity()) {
                    netInSize = Math.max(engine.getSession().getPacketBufferSize(), netIn.capacity() * 2);
                    netIn = grow(netIn, netInSize);
                }
                yield readNet();
            }
            case BUFFER_OVERFLOW -> {
                if (appIn.position() == 0) {
                    appInSize = Math.max(engine.getSession().getApplicationBufferSize(), appIn.capacity() * 2);
                    appIn = ByteBuffer.allocateDirect(appInSize);
                    yield true;
                }
                yield deliver() > 0;
            }
            default -> throw new SSLException("unexpected unwrap result " + r);
        };
    }

    /** Reads ciphertext if the socket may have some and the budget allows; true if it got some. */
    private boolean readNet() throws IOException {
        if (!socketMayHaveData || netEof || netRead >= SocketTransport.READ_BUDGET || !netIn.hasRemaining()) {
            return false;
        }
        int n = channel.read(netIn);
        if (n < 0) {
            netEof = true;
            socketMayHaveData = false;
            return false;
        }
        if (netIn.hasRemaining()) {
            socketMayHaveData = false;  // a short read: the socket is drained
        }
        netRead += n;
        return n > 0;
    }

    /** Moves decrypted bytes into the input up to the high watermark (discarded while lingering). */
    private int deliver() {
        if (lingering) {
            int n = appIn.position();
            appIn.clear();
            return n;
        }
        long room = bev.readRoom();
        if (room <= 0 || appIn.position() == 0) {
            return 0;
        }
        appIn.flip();
        int n = (int) Math.min(appIn.remaining(), room);
        int limit = appIn.limit();
        appIn.limit(appIn.position() + n);
        bev.inputBuffer().add(appIn);
        appIn.limit(limit);
        appIn.compact();
        plainRead += n;
        return n;
    }

    // ---------------------------------------------------------------- delegated tasks

    /** Hands the engine's tasks to the executor; true if they already ran (an executor that runs them in place). */
    private boolean startTasks() {
        List<Runnable> tasks = new ArrayList<>(2);
        for (Runnable t = engine.getDelegatedTask(); t != null; t = engine.getDelegatedTask()) {
            tasks.add(t);
        }
        taskRunning = true;
        taskFinished = false;
        taskError = null;
        updateInterest();
        try {
            executor.execute(() -> {
                try {
                    for (Runnable t : tasks) {
                        t.run();
                    }
                } catch (RuntimeException | Error e) {
                    taskError = e;
                } finally {
                    taskFinished = true;
                    bev.base.wakeup();
                }
            });
        } catch (RejectedExecutionException e) {
            taskRunning = false;
            fail(BufferEvent.READING, new SSLException("the TLS delegated task executor refused a task", e));
            return false;
        }
        if (taskFinished) {
            taskRunning = false;        // ran already (in this thread, or that quickly): go on at once
            return checkTaskError();
        }
        LoopObservers.add(bev.base, taskWatch);
        taskDone.add(Duration.ofDays(1)); // keeps the loop from returning for lack of events meanwhile
        return false;
    }

    private void onTaskDone() {
        if (closed || !taskFinished) {
            return;
        }
        taskDone.del();
        LoopObservers.remove(bev.base, taskWatch);
        taskRunning = false;
        if (checkTaskError()) {
            drive(false);
        }
    }

    private boolean checkTaskError() {
        Throwable e = taskError;
        if (e != null) {
            fail(BufferEvent.READING, new SSLException("a TLS delegated task failed: " + e, e));
            return false;
        }
        return true;
    }

    // ---------------------------------------------------------------- interest

    private void updateInterest() {
        if (closed) {
            return;
        }
        boolean read = false;
        if (started && !failed && !taskRunning && !netEof) {
            HandshakeStatus hs = engine.getHandshakeStatus();
            if (lingering) {
                read = !engine.isInboundDone();
            } else if (!handshakeDone) {
                read = hs == HandshakeStatus.NEED_UNWRAP || hs == HandshakeStatus.NEED_UNWRAP_AGAIN;
            } else {
                read = userReading && !plainWaiting() && !engine.isInboundDone();
            }
        }
        if (read != watchingRead) {
            watchingRead = read;
            if (read) {
                readable.add();
            } else {
                readable.del();
            }
        }
        if (!bev.isConnecting()) {
            watchWrite(!failed && held(netOut));
        }
    }

    private void watchWrite(boolean on) {
        if (on == watchingWrite || closed) {
            return;
        }
        watchingWrite = on;
        if (on) {
            writable.add();
        } else {
            writable.del();
        }
    }

    // ---------------------------------------------------------------- closing

    private void fail(int direction, IOException e) {
        if (failed || closed) {
            return;
        }
        failed = true;
        sendAlertBestEffort();
        if (handshakeTimer != null) {
            handshakeTimer.free();
        }
        updateInterest();
        watchWrite(false);
        if (lingering) {
            bev.lingerDone();
        } else {
            bev.ioFailed(direction, e);
        }
    }

    /** After a fatal error the engine holds an alert naming it; one write tells the peer why, if the kernel takes it. */
    private void sendAlertBestEffort() {
        borrow();
        try {
            if (engine.getHandshakeStatus() == HandshakeStatus.NEED_WRAP && netOut.position() == 0) {
                engine.wrap(NOTHING, netOut);
            }
            netOut.flip();
            channel.write(netOut);
            netOut.clear();
        } catch (IOException | RuntimeException ignored) {
            // the connection is failing anyway
        }
        giveBack();                     // all of them, as the connection has failed (unless pumping)
    }

    @Override
    public boolean linger() {
        if (closed || failed || !started) {
            return false;
        }
        lingering = true;
        flush.cancel();
        engine.closeOutbound();
        closingOutbound = true;
        resume.schedule();
        return true;
    }

    /** Lingering: once our close_notify is out, shut the output; done at the peer's close_notify or EOF. */
    private boolean lingerStep() throws IOException {
        if (netOut.position() > 0 || !engine.isOutboundDone()) {
            return false;
        }
        if (!outputShut) {
            outputShut = true;
            try {
                channel.shutdownOutput();
            } catch (IOException e) {
                bev.lingerDone();
                return false;
            }
        }
        if (engine.isInboundDone() || netEof) {
            bev.lingerDone();
            return false;
        }
        return false;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        if (started && !failed && !lingering && channel.isConnected()) {
            sendCloseNotifyBestEffort();
        }
        closed = true;
        flush.cancel();
        resume.cancel();
        readable.free();
        writable.free();
        taskDone.free();
        if (handshakeTimer != null) {
            handshakeTimer.free();
        }
        if (taskRunning && !bev.base.isClosed()) {
            LoopObservers.remove(bev.base, taskWatch);
        }
        giveBack();
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing: nothing left to report to
        }
    }

    /** An abrupt close still says close_notify, if the kernel takes it at once: the peer sees a clean end. */
    private void sendCloseNotifyBestEffort() {
        borrow();
        try {
            if (netOut.position() > 0) {
                writeNet();
            }
            if (netOut.position() == 0) {
                engine.closeOutbound();
                engine.wrap(NOTHING, netOut);
                netOut.flip();
                channel.write(netOut);
                netOut.clear();
            }
        } catch (IOException | RuntimeException ignored) {
            // closing anyway
        }
    }
}
