package io.jevent.core.bufferevent;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.Charset;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

import io.jevent.core.Event;
import io.jevent.core.EventBase;
import io.jevent.core.buffer.EvBuffer;

/**
 * Buffered I/O on a socket or an in-process pair; libevent's {@code struct bufferevent}.
 *
 * <p>A buffer event owns an {@link #input()} and an {@link #output()} {@link EvBuffer}. While READ is
 * enabled it reads whatever arrives into the input and calls the read callback once the input holds
 * at least the read low watermark; while there is output and WRITE is enabled it writes the output
 * out, never blocking, and calls the write callback once the output has drained to the write low
 * watermark. Status changes (connected, end of file, error, timeout) go to the status callback.
 *
 * <h2>Watermarks and backpressure</h2>
 * <ul>
 * <li><b>Read high</b> (0 = none): reading stops while the input holds that much and resumes by itself
 *     as soon as the input is drained below it — no busy loop (libevent 2.1's issue #891) and no silent
 *     stall. One read never takes the input past the high watermark.</li>
 * <li><b>Read low</b>: the read callback waits until the input holds at least this much.</li>
 * <li><b>Write low</b>: the write callback runs when a write leaves at most this much in the output
 *     (default 0: when everything is written) — the moment to produce more.</li>
 * <li><b>Write high</b> (0 = none): not enforced on {@code write()} (a write never fails for being
 *     large), but reported by {@link #isOutputFull()} so a producer can stop, or a server can drop a
 *     consumer that does not read.</li>
 * </ul>
 *
 * <h2>Connecting</h2>
 * A socket buffer event made without a connected channel touches nothing until {@link #connect}
 * finishes: READ may be enabled and output written beforehand, and take effect on {@link #CONNECTED}.
 *
 * <h2>Threading</h2>
 * Loop thread only, like its base; every method but {@link #base()} and {@link #isClosed()} throws
 * {@link IllegalStateException} elsewhere. All state, both buffers and the transport belong to the
 * loop thread, so nothing is locked. Callbacks run on the loop thread and may call any method,
 * including {@link #close()}. No callback ever runs inside a call made by the user (a pair moves its
 * data from the loop, not inside {@code write()}), so a caller never re-enters its own callbacks.
 *
 * <h2>After close</h2>
 * {@link #close()} closes the channel at once, releases the buffers, and no callback runs again;
 * every method but {@code close()}, {@code isClosed()} and {@code base()} then throws
 * {@link IllegalStateException}. {@link #closeAfterFlush(Duration)} first writes out what is queued,
 * and on a socket then waits for the peer to close (see there); {@link #isClosed()} turns true when
 * the channel is closed.
 *
 * <h2>Closed with the base</h2>
 * A buffer event is one of its base's owned resources ({@link EventBase#addOwnedResource}) from
 * creation until it is closed. When the base's owner shuts down ({@link
 * EventBase#closeOwnedResources()}, called by an {@code EventLoopThread} at termination), a buffer
 * event still open is closed as by {@link #close()}, and then its status callback gets {@link #CLOSED}:
 * no socket outlives its loop, and the application hears of each one. One in a
 * {@link #closeAfterFlush} ends as at its deadline instead: its {@link ClosedCallback} hears it.
 */
public final class BufferEvent implements AutoCloseable {
    /** Status bit: the error, EOF or timeout happened while reading. */
    public static final int READING = 0x01;
    /** Status bit: the error or timeout happened while writing. */
    public static final int WRITING = 0x02;
    /** Status bit: the peer closed its side; reading has stopped. Reported once. */
    public static final int EOF = 0x10;
    /** Status bit: an I/O error; the cause is passed along. Reading and writing have stopped. */
    public static final int ERROR = 0x20;
    /** Status bit: no progress within the read or write timeout; that direction was disabled. */
    public static final int TIMEOUT = 0x40;
    /** Status bit: an outgoing connect finished. */
    public static final int CONNECTED = 0x80;
    /**
     * Status: the base closed this buffer event because its loop is shutting down ({@link
     * EventBase#closeOwnedResources()}, which an {@code EventLoopThread} calls at termination), not the
     * application. Reported alone, once, after the close: the moment to release per-connection state.
     */
    public static final int CLOSED = 0x100;
    /**
     * Status: the TLS handshake of a TLS buffer event ({@link #tls}) completed; reported alone, once,
     * after {@link #CONNECTED} for an outgoing connect. From now on {@link #sslEngine()}'s session
     * tells the negotiated protocol, cipher suite, peer certificates and ALPN protocol. Plaintext
     * written before it waited in the output and goes out now.
     */
    public static final int HANDSHAKE_DONE = 0x200;

    private static final int[] STATUS_BITS = {READING, WRITING, EOF, ERROR, TIMEOUT, CONNECTED, CLOSED,
            HANDSHAKE_DONE};
    private static final String[] STATUS_NAMES = {"READING", "WRITING", "EOF", "ERROR", "TIMEOUT", "CONNECTED",
            "CLOSED", "HANDSHAKE_DONE"};

    /**
     * Names the status bits set in {@code what}, e.g. {@code "READING|EOF"}, for messages and logs: the
     * {@code what} a {@link StatusCallback} receives. Bits that are no status bit are shown last, as one
     * hex number ({@code "EOF|0x4"}), so nothing set is hidden. For the {@link Event#READ}/{@link
     * Event#WRITE} bits of {@link #enable(int)}, use {@link Event#describe(int)}.
     *
     * <p>Any thread; no side effects.
     *
     * @param what a mask of {@link #READING}, {@link #WRITING}, {@link #EOF}, {@link #ERROR},
     *             {@link #TIMEOUT}, {@link #CONNECTED}, {@link #CLOSED} and {@link #HANDSHAKE_DONE}
     * @return the names joined by {@code |} in bit order; {@code "-"} when no bit is set
     */
    public static String describe(int what) {
        StringBuilder sb = new StringBuilder();
        int known = 0;
        for (int i = 0; i < STATUS_BITS.length; i++) {
            known |= STATUS_BITS[i];
            if ((what & STATUS_BITS[i]) != 0) {
                sb.append(sb.length() > 0 ? "|" : "").append(STATUS_NAMES[i]);
            }
        }
        int unknown = what & ~known;
        if (unknown != 0) {
            sb.append(sb.length() > 0 ? "|" : "").append("0x").append(Integer.toHexString(unknown));
        }
        return sb.length() == 0 ? "-" : sb.toString();
    }

    /** Most bytes one socket read takes, so one busy connection cannot hog an iteration. */
    static final int READ_CHUNK = 64 * 1024;

    final EventBase base;
    private final EvBuffer input = new EvBuffer();
    private final EvBuffer output = new EvBuffer();
    private Transport transport;
    private SocketChannel channel;
    /** The TLS engine of a TLS buffer event, else null. */
    private SSLEngine sslEngine;

    private DataCallback readCb;
    private DataCallback writeCb;
    private StatusCallback statusCb;

    private int enabled = Event.WRITE;
    private long readLow;
    private long readHigh;
    private long writeLow;
    private long writeHigh;
    private final IdleTimer readIdle;
    private final IdleTimer writeIdle;
    private Event flushDeadline;
    private ClosedCallback onFlushClosed;
    /** closeAfterFlush wrote every queued byte out (the lingering, if any, may still be going on). */
    private boolean flushComplete;
    /** Inside closeAfterFlush: a ClosedCallback must wait for the loop rather than run in the call. */
    private boolean inCloseAfterFlush;

    /**
     * Whether the transport can carry bytes: a pair always, a socket once connected. Until then no
     * READ or WRITE interest is registered: NIO throws NotYetConnectedException on an unconnected
     * socket, and libevent likewise adds no event for a socket without a connection.
     */
    private boolean linked;
    private boolean connecting;
    private boolean eof;
    /** Set with the first I/O error; reading and writing stop for good and writes are refused. */
    private Throwable failure;
    private boolean closing;
    private boolean closed;
    /** What the base closes at shutdown: a close that also tells the status callback. */
    private final AutoCloseable closeWithBase = this::closedByBase;

    private BufferEvent(EventBase base) {
        this.base = base;
        this.readIdle = new IdleTimer(base, () -> timedOut(READING));
        this.writeIdle = new IdleTimer(base, () -> timedOut(WRITING));
        // Backpressure is driven by the buffers themselves, so every way of draining them counts.
        input.addCallback((buf, oldLen, newLen) -> {
            if (readHigh > 0 && oldLen >= readHigh && newLen < readHigh) {
                updateRead();
            }
        });
        output.addCallback((buf, oldLen, newLen) -> {
            if (oldLen == 0 && newLen > 0) {
                updateWrite();
            }
        });
    }

    /**
     * Wraps a socket; libevent's {@code bufferevent_socket_new}. The channel is made non-blocking and
     * from now on belongs to the buffer event, which closes it. WRITE starts enabled and READ disabled,
     * as in libevent: call {@code enable(Event.READ)} to start reading.
     *
     * @param base    the loop the buffer event runs on; it owns the buffer event from now on and closes
     *                it with itself ({@link EventBase#closeOwnedResources()})
     * @param channel a connected socket, or {@code null} for a new unconnected one to {@link #connect}
     * @return the new buffer event, with no callbacks set
     * @throws UncheckedIOException  if a new socket cannot be opened
     * @throws IllegalStateException off the base's loop thread
     */
    public static BufferEvent socket(EventBase base, SocketChannel channel) {
        return overSocket(base, channel, null, null);
    }

    /**
     * Wraps a socket in TLS over {@code engine}, libevent's {@code bufferevent_openssl_socket_new}:
     * ciphertext travels on the socket, and the user sees plaintext in {@link #input()} and
     * {@link #output()}, with the watermarks, timeouts, {@link #closeAfterFlush}, {@link #connect} and
     * callbacks of {@link #socket}. Client or server mode is the engine's
     * ({@link SSLEngine#getUseClientMode()}), as configured by the caller along with its
     * parameters (protocols, cipher suites, ALPN, endpoint identification).
     *
     * <p>The handshake starts as soon as the socket is connected; {@link #HANDSHAKE_DONE} reports its
     * end. Plaintext written before then waits in the output. Reading may be enabled at any time;
     * the handshake itself reads and writes whatever READ and WRITE are set to. The engine's delegated
     * tasks run on {@link TlsOptions#delegatedTaskExecutor()}, never blocking the loop; the
     * handshake resumes on the loop when they are done.
     *
     * <p>Errors: a failed handshake is {@link #ERROR} with the engine's
     * {@link javax.net.ssl.SSLHandshakeException} (its message names the cause: an untrusted
     * certificate, a name mismatch, no common protocol), or one saying the handshake timed out. An
     * end of stream without the peer's {@code close_notify} is {@code READING|ERROR} with an
     * {@link javax.net.ssl.SSLException} about truncation; a {@code close_notify} is
     * {@code READING|EOF}. A TLS 1.2 renegotiation asked for by the peer is refused:
     * {@code READING|ERROR}. {@link #close()} and {@link #closeAfterFlush} send {@code close_notify}.
     *
     * @param base    the loop the buffer event runs on; it owns the buffer event from now on
     * @param channel a connected socket, or {@code null} for a new unconnected one to {@link #connect}
     * @param engine  a new engine, not yet used, in the mode wanted; it belongs to the buffer event
     * @param options the TLS settings; {@link TlsOptions#defaults()} for the defaults
     * @return the new buffer event, with no callbacks set; WRITE enabled, READ disabled
     * @throws UncheckedIOException  if a new socket cannot be opened
     * @throws IllegalStateException off the base's loop thread
     * @throws NullPointerException  if {@code engine} or {@code options} is null
     */
    public static BufferEvent tls(EventBase base, SocketChannel channel, SSLEngine engine, TlsOptions options) {
        Objects.requireNonNull(engine, "engine");
        Objects.requireNonNull(options, "options");
        return overSocket(base, channel, engine, options);
    }

    /**
     * A server-side TLS buffer event for an accepted socket: {@link #tls} with a server-mode engine
     * from {@code context}.
     *
     * @param base     the loop the buffer event runs on
     * @param accepted the accepted socket
     * @param context  holds the server's key and certificate
     * @param options  the TLS settings
     * @return the new buffer event, handshaking once the loop runs
     * @throws IllegalStateException off the base's loop thread
     * @throws NullPointerException  if an argument is null
     */
    public static BufferEvent tlsServer(EventBase base, SocketChannel accepted, SSLContext context,
                                        TlsOptions options) {
        Objects.requireNonNull(accepted, "accepted");
        SSLEngine engine = context.createSSLEngine();
        engine.setUseClientMode(false);
        return tls(base, accepted, engine, options);
    }

    /**
     * A client-side TLS buffer event: {@link #tls} with a client-mode engine from {@code context} for
     * {@code peerHost}. The peer's name is sent as SNI when it is a host name (not an IP literal),
     * and, unless {@link TlsOptions#hostnameVerification()} is off, the server's certificate must
     * name it (endpoint identification {@code "HTTPS"}), or the handshake fails. Sessions are cached
     * by {@code context} under {@code peerHost:peerPort}, so a later buffer event from the same
     * context to the same peer resumes the session.
     *
     * @param base           the loop the buffer event runs on
     * @param channelOrNull  a connected socket, or {@code null} for a new one to {@link #connect}
     * @param context        holds the trusted certificates (and a client key, if any)
     * @param peerHost       the server's host name (or address literal) as the user named it
     * @param peerPort       the server's port, for the session cache
     * @param options        the TLS settings
     * @return the new buffer event; call {@link #connect} unless the socket was connected
     * @throws UncheckedIOException  if a new socket cannot be opened
     * @throws IllegalStateException off the base's loop thread
     * @throws NullPointerException  if {@code context}, {@code peerHost} or {@code options} is null
     */
    public static BufferEvent tlsClient(EventBase base, SocketChannel channelOrNull, SSLContext context,
                                        String peerHost, int peerPort, TlsOptions options) {
        Objects.requireNonNull(peerHost, "peerHost");
        Objects.requireNonNull(options, "options");
        SSLEngine engine = context.createSSLEngine(peerHost, peerPort);
        engine.setUseClientMode(true);
        SSLParameters params = engine.getSSLParameters();
        if (options.hostnameVerification()) {
            params.setEndpointIdentificationAlgorithm("HTTPS");
        }
        if (!isAddressLiteral(peerHost)) {
            // The JDK sends SNI on its own only for names with a dot; "localhost" deserves it too.
            params.setServerNames(List.of(new SNIHostName(peerHost)));
        }
        engine.setSSLParameters(params);
        return tls(base, channelOrNull, engine, options);
    }

    /** An IPv6 literal has a colon, an IPv4 literal only digits and dots: neither is a host name for SNI. */
    private static boolean isAddressLiteral(String host) {
        return host.indexOf(':') >= 0 || host.chars().allMatch(c -> c == '.' || (c >= '0' && c <= '9'));
    }

    private static BufferEvent overSocket(EventBase base, SocketChannel channel, SSLEngine engine,
                                          TlsOptions options) {
        base.requireLoopThread();
        BufferEvent bev = new BufferEvent(base);
        try {
            bev.channel = channel != null ? channel : SocketChannel.open();
        } catch (IOException e) {
            bev.releaseTimers();
            throw new UncheckedIOException("cannot open a socket", e);
        }
        try {
            if (engine == null) {
                bev.transport = new SocketTransport(bev, bev.channel);
            } else {
                bev.sslEngine = engine;
                bev.transport = new TlsTransport(bev, bev.channel, engine, options);
            }
        } catch (RuntimeException e) {
            bev.releaseTimers();
            throw e;
        }
        bev.linked = bev.channel.isConnected();
        if (bev.channel.isConnectionPending()) {
            bev.connecting = true;      // the caller started the connect: we finish it
            bev.updateWrite();
        }
        base.addOwnedResource(bev.closeWithBase);
        if (bev.linked && engine != null) {
            ((TlsTransport) bev.transport).start();
        }
        return bev;
    }

    /**
     * Opens a socket and starts connecting it to {@code address}:
     * {@code socket(base, null)} then {@link #connect(InetSocketAddress)}. The base's thread only.
     *
     * @param base    the loop the buffer event runs on
     * @param address where to connect; a failure to connect, an unresolved host included, reaches the
     *                status callback as {@link #ERROR}, never this call
     * @return the new buffer event, connecting; set its callbacks before the loop runs again
     * @throws UncheckedIOException  if a new socket cannot be opened
     * @throws IllegalStateException off the base's loop thread
     */
    public static BufferEvent connect(EventBase base, InetSocketAddress address) {
        BufferEvent bev = socket(base, null);
        bev.connect(address);
        return bev;
    }

    /**
     * Creates two buffer events joined in-process, each one's output feeding the other's input, with
     * the same watermark, timeout and callback semantics as sockets; libevent's
     * {@code bufferevent_pair_new}. Data moves by relinking buffer segments, never by copying. Closing
     * one side is end-of-file to the other, after the data already moved.
     *
     * <p>The base's thread only. Both ends belong to {@code base} and are closed with it.
     *
     * @param base the loop both ends run on
     * @return the two joined ends; neither is enabled yet
     * @throws IllegalStateException off the base's loop thread
     */
    public static Pair pair(EventBase base) {
        base.requireLoopThread();
        BufferEvent a = new BufferEvent(base);
        BufferEvent b = new BufferEvent(base);
        PairTransport ta = new PairTransport(a);
        PairTransport tb = new PairTransport(b);
        ta.link(tb);
        a.transport = ta;
        b.transport = tb;
        a.linked = true;
        b.linked = true;
        base.addOwnedResource(a.closeWithBase);
        base.addOwnedResource(b.closeWithBase);
        return new Pair(a, b);
    }

    /**
     * The two ends made by {@link #pair(EventBase)}: what {@code first} writes, {@code second} reads,
     * and the other way round. The order carries no meaning beyond naming the ends.
     *
     * @param first  one end
     * @param second the other end
     */
    public record Pair(BufferEvent first, BufferEvent second) {
        /**
         * Checks that both ends are there.
         *
         * @param first  one end
         * @param second the other end
         * @throws NullPointerException if an end is null
         */
        public Pair {
            Objects.requireNonNull(first, "first");
            Objects.requireNonNull(second, "second");
        }
    }

    /**
     * Starts connecting the socket; libevent's {@code bufferevent_socket_connect}. The status callback
     * later gets {@link #CONNECTED}, or {@link #ERROR} with the cause (a
     * {@link java.net.ConnectException} when refused); an address that cannot be used at all is reported
     * the same way, from the loop, never thrown; for an unresolved address the cause is a
     * {@link java.net.UnknownHostException} whose message is the host name. The write timeout, if set,
     * bounds the connect: on expiry the status callback gets {@code WRITING|TIMEOUT} and the connect is
     * abandoned (WRITE is disabled, as after any write timeout). READ enabled and output written
     * before or during the connect take effect once connected.
     *
     * @param address the peer; an unresolved one is reported as {@link #ERROR}, as described above
     * @throws IllegalStateException off the loop thread, for a pair, after close, or if already
     *                               connected or connecting
     */
    public void connect(InetSocketAddress address) {
        checkOpen();
        Objects.requireNonNull(address, "address");
        if (channel == null) {
            throw new IllegalStateException("a pair cannot connect");
        }
        if (connecting || channel.isConnected()) {
            throw new IllegalStateException("already connected or connecting: " + channel);
        }
        try {
            channel.configureBlocking(false);
            channel.connect(address);
        } catch (UnresolvedAddressException e) {
            // The JDK's exception carries no message; the caller is told which host did not resolve.
            failLater(new UnknownHostException(address.getHostString()));
            return;
        } catch (IOException | RuntimeException e) {
            failLater(e);
            return;
        }
        connecting = true;
        updateRead();
        updateWrite();
    }

    /** A connect that could not start: reported like a failed connect, from the loop, so callers have one path. */
    private void failLater(Exception e) {
        failure = e;
        updateRead();
        updateWrite();
        base.once(Duration.ZERO, (ev, w) -> {
            if (!closed) {
                status(ERROR, e);
            }
        });
    }

    /**
     * Sets the callbacks; libevent's {@code bufferevent_setcb}. Any may be {@code null}. They replace
     * the previous ones and run on the loop thread.
     *
     * @param onRead   runs when the input holds at least the read low watermark
     * @param onWrite  runs when a write leaves at most the write low watermark queued
     * @param onStatus runs with the status bits ({@link #EOF}, {@link #ERROR}, {@link #TIMEOUT},
     *                 {@link #CONNECTED}, {@link #CLOSED}, {@link #HANDSHAKE_DONE}, with {@link #READING} or {@link #WRITING})
     * @return this buffer event
     * @throws IllegalStateException off the loop thread or after close
     */
    public BufferEvent setCallbacks(DataCallback onRead, DataCallback onWrite, StatusCallback onStatus) {
        checkOpen();
        this.readCb = onRead;
        this.writeCb = onWrite;
        this.statusCb = onStatus;
        return this;
    }

    /**
     * Enables {@code Event.READ} and/or {@code Event.WRITE}; libevent's {@code bufferevent_enable}.
     * Enabling a direction restarts its timeout.
     *
     * @param what {@link Event#READ}, {@link Event#WRITE} or both
     * @throws IllegalArgumentException for other bits
     * @throws IllegalStateException    off the loop thread or after close
     */
    public void enable(int what) {
        checkOpen();
        checkDirections(what);
        if ((what & Event.READ) != 0) {
            readIdle.stop();            // the update below starts it again from now
        }
        if ((what & Event.WRITE) != 0) {
            writeIdle.stop();
        }
        enabled |= what;
        updateRead();
        updateWrite();
    }

    /**
     * Disables {@code Event.READ} and/or {@code Event.WRITE}; libevent's {@code bufferevent_disable}.
     * Data keeps waiting in the kernel (or the partner's output) and in this output; that direction's
     * timeout stops counting.
     *
     * @param what {@link Event#READ}, {@link Event#WRITE} or both
     * @throws IllegalArgumentException for other bits
     * @throws IllegalStateException    off the loop thread or after close
     */
    public void disable(int what) {
        checkOpen();
        checkDirections(what);
        enabled &= ~what;
        updateRead();
        updateWrite();
    }

    /**
     * The enabled directions, {@code Event.READ|Event.WRITE} bits; libevent's
     * {@code bufferevent_get_enabled}. A timeout clears its direction's bit; EOF and ERROR do not (they
     * stop the I/O itself).
     *
     * @return a mask of {@link Event#READ} and {@link Event#WRITE}; 0 when neither is enabled
     * @throws IllegalStateException off the loop thread or after close
     */
    public int enabled() {
        checkOpen();
        return enabled;
    }

    /**
     * Sets the read watermarks; libevent's {@code bufferevent_setwatermark(EV_READ)}.
     *
     * @param low  the read callback waits for this many bytes
     * @param high reading pauses while the input holds this many; 0 for no limit
     * @throws IllegalArgumentException if negative, or {@code high} is non-zero and below {@code low}
     */
    public void setReadWatermarks(long low, long high) {
        checkOpen();
        checkWatermarks(low, high);
        readLow = low;
        readHigh = high;
        updateRead();
    }

    /**
     * Sets the write watermarks; libevent's {@code bufferevent_setwatermark(EV_WRITE)}.
     *
     * @param low  the write callback runs when a write leaves at most this many bytes queued
     * @param high {@link #isOutputFull()} is true from this many queued bytes; 0 for no limit
     * @throws IllegalArgumentException if negative, or {@code high} is non-zero and below {@code low}
     */
    public void setWriteWatermarks(long low, long high) {
        checkOpen();
        checkWatermarks(low, high);
        writeLow = low;
        writeHigh = high;
    }

    /**
     * Sets how long reading and writing may make no progress; libevent's
     * {@code bufferevent_set_timeouts}. A read timeout counts while reading is enabled and not paused
     * by the high watermark; a write timeout while there is output to write (or a connect runs). On
     * expiry the status callback gets {@code READING|TIMEOUT} or {@code WRITING|TIMEOUT} and that
     * direction is disabled; enabling it again restarts the clock. Progress costs no timer operation:
     * the timer re-arms itself at most once per period for what is left of it. Share one duration
     * across many connections with {@link EventBase#initCommonTimeout(Duration)} to make that re-arm
     * O(1) too.
     *
     * @param read  {@code null} for none
     * @param write {@code null} for none
     */
    public void setTimeouts(Duration read, Duration write) {
        checkOpen();
        readIdle.setPeriod(read);
        writeIdle.setPeriod(write);
        updateRead();
        updateWrite();
    }

    /**
     * The input buffer; libevent's {@code bufferevent_get_input}. Read or drain it in the read callback,
     * or anywhere on the loop thread: draining it below the read high watermark resumes reading.
     *
     * @return the input; the same object for the life of the buffer event
     * @throws IllegalStateException off the loop thread or after close
     */
    public EvBuffer input() {
        checkOpen();
        return input;
    }

    /**
     * The output buffer; libevent's {@code bufferevent_get_output}. Anything added is written out as
     * {@link #write(byte[])} would; unlike {@code write}, adding here is not checked against
     * {@link #closeAfterFlush} or a failure.
     *
     * @return the output; the same object for the life of the buffer event
     * @throws IllegalStateException off the loop thread or after close
     */
    public EvBuffer output() {
        checkOpen();
        return output;
    }

    /**
     * Queues bytes for writing; libevent's {@code bufferevent_write}. Never blocks and never writes
     * inside the call. On a socket, what is queued goes out in one write as soon as this buffer
     * event's read callback returns, if that is where it was written, and otherwise after the
     * callbacks of the current loop iteration, before the loop polls again; whatever the kernel does
     * not take then is written as the socket becomes writable. A pair moves it from the loop likewise.
     *
     * @param data the bytes, copied before the call returns
     * @return this buffer event
     * @throws IllegalStateException off the loop thread, after close or {@link #closeAfterFlush}, or
     *                               after an {@link #ERROR} (the bytes could never be sent; the
     *                               exception's cause is the I/O error) — unlike libevent, which
     *                               queues them silently
     */
    public BufferEvent write(byte[] data) {
        checkWritable();
        output.add(data);
        return this;
    }

    /**
     * Queues the remaining bytes of {@code data} for writing, as {@link #write(byte[])} does.
     *
     * @param data the bytes from its position to its limit, copied; its position ends at its limit
     * @return this buffer event
     * @throws IllegalStateException as {@link #write(byte[])}
     */
    public BufferEvent write(ByteBuffer data) {
        checkWritable();
        output.add(data);
        return this;
    }

    /**
     * Queues {@code text} encoded with {@code charset} for writing, as {@link #write(byte[])} does.
     *
     * @param text    the characters to send
     * @param charset how to encode them, as {@link String#getBytes(Charset)} does
     * @return this buffer event
     * @throws IllegalStateException as {@link #write(byte[])}
     */
    public BufferEvent write(CharSequence text, Charset charset) {
        checkWritable();
        output.add(text, charset);
        return this;
    }

    /**
     * Moves all of {@code data} into the output without copying, leaving it empty; libevent's
     * {@code bufferevent_write_buffer}. As {@link #write(byte[])}; passing {@link #input()} echoes.
     *
     * @param data the buffer to move from; empty afterwards
     * @return this buffer event
     * @throws IllegalStateException as {@link #write(byte[])}
     */
    public BufferEvent write(EvBuffer data) {
        checkWritable();
        output.addBuffer(data);
        return this;
    }

    /**
     * Takes up to {@code dst.length} bytes from the input; libevent's {@code bufferevent_read}.
     *
     * @param dst where the bytes go, from index 0
     * @return the number of bytes copied, 0 if the input is empty
     * @throws IllegalStateException off the loop thread or after close
     */
    public int read(byte[] dst) {
        checkOpen();
        return input.remove(dst);
    }

    /**
     * Whether the output holds at least the write high watermark (never, without one): the signal for a
     * producer to stop and wait for the write callback. libevent leaves its write high watermark unused
     * for sockets; here it is this explicit test, and {@code write()} never refuses data.
     *
     * @return {@code true} while the output holds at least the write high watermark
     * @throws IllegalStateException off the loop thread or after close
     */
    public boolean isOutputFull() {
        checkOpen();
        return writeHigh > 0 && output.length() >= writeHigh;
    }

    /**
     * The socket, or {@code null} for a pair; libevent's {@code bufferevent_getfd}. For socket options
     * only: reading, writing or closing it directly bypasses the buffer event.
     *
     * @return the socket channel, or {@code null} for one end of a pair
     * @throws IllegalStateException off the loop thread or after close
     */
    public SocketChannel channel() {
        checkOpen();
        return channel;
    }

    /**
     * The TLS engine of a buffer event made by {@link #tls}, {@link #tlsServer} or {@link #tlsClient};
     * {@code null} for a plain socket or a pair. Read its session after {@link #HANDSHAKE_DONE}:
     * protocol, cipher suite, peer certificates, {@link SSLEngine#getApplicationProtocol()}. For
     * inspection only: wrapping, unwrapping or closing it directly breaks the connection.
     *
     * @return the engine, or {@code null}
     * @throws IllegalStateException off the loop thread or after close
     */
    public SSLEngine sslEngine() {
        checkOpen();
        return sslEngine;
    }

    /**
     * The base it runs on. Thread-safe.
     *
     * @return the base given at creation; never changes
     */
    public EventBase base() {
        return base;
    }

    /**
     * Whether the buffer event is closed: {@link #close()} ran, or a {@link #closeAfterFlush} ended
     * (after the flush and, on a socket, the lingering close, or at its deadline). The channel is
     * closed exactly when this is true. Never throws.
     *
     * @return {@code true} once closed; it stays true
     */
    public boolean isClosed() {
        return closed;
    }

    /**
     * Closes now: the socket (or the pair link, which the partner sees as EOF, from the loop, after
     * the data that already moved), the buffers, the timers; queued output is dropped. No callback of
     * this buffer event runs afterwards. Idempotent; safe from inside any of its callbacks. After the
     * base was closed it still closes the socket (from any thread: nothing else runs then).
     *
     * @throws IllegalStateException off the loop thread of an open base
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        if (!base.isClosed()) {
            base.requireLoopThread();
            base.removeOwnedResource(closeWithBase);
        }
        closed = true;
        transport.close();
        releaseTimers();
        input.close();
        output.close();
    }

    /**
     * Stops reading, writes out what is queued, then closes — the piece most missed in libevent.
     * {@code closeAfterFlush(deadline, null)}.
     *
     * @param deadline how long the flush and the lingering may take together; at the deadline the
     *                 buffer event closes anyway, as {@link #closeAfterFlush(Duration, ClosedCallback)}
     *                 describes
     * @throws IllegalStateException off the loop thread or after close
     * @throws NullPointerException  if {@code deadline} is null
     */
    public void closeAfterFlush(Duration deadline) {
        closeAfterFlush(deadline, null);
    }

    /**
     * Stops reading, writes out what is queued, then closes — the piece most missed in libevent.
     *
     * <p>On a socket the close then lingers, as nginx and Apache close: once everything is written the
     * output is shut down (the peer reads the data, then EOF), and input is read and discarded until
     * the peer's EOF; only then is the channel closed. Closing at once could lose the data still in the
     * kernel's send queue: Linux answers the close of a socket with unread input by a reset, which
     * also discards that queue. A peer that does not close is waited for until the deadline. If the
     * peer's EOF was already seen, or on a pair, it closes as soon as the output is written.
     *
     * <p>If {@code deadline} passes first, writing fails, or writing makes no progress for the write
     * timeout, it closes anyway and the rest is dropped. With nothing queued it goes straight to the
     * lingering (which an unconnected socket or a pair skips: it closes at once). From this call on,
     * further writes are refused, reading stays off ({@code enable(READ)} does not bring it back) and
     * no read, write or status callback of this buffer event runs again; {@code onClosed}, if given,
     * runs once the buffer event is closed, from the loop (never inside this call), unless
     * {@link #close()} was called first. {@link #isClosed()} stays false until then, and
     * {@link #close()} aborts the flush or the lingering. A second call does nothing.
     *
     * @param deadline how long the flush and the lingering may take together
     * @param onClosed told when the buffer event is closed, and whether everything was written; or
     *                 {@code null}
     * @throws IllegalStateException off the loop thread or after close
     */
    public void closeAfterFlush(Duration deadline, ClosedCallback onClosed) {
        checkOpen();
        Objects.requireNonNull(deadline, "deadline");
        if (closing) {
            return;
        }
        closing = true;
        onFlushClosed = onClosed;
        inCloseAfterFlush = true;
        try {
            enabled &= ~Event.READ;
            updateRead();
            if (failure != null || (!linked && output.length() == 0)) {
                finishClosing();        // nothing can be sent, or nothing was and nothing is queued
                return;
            }
            flushDeadline = base.newTimer((ev, what) -> finishClosing());
            flushDeadline.add(deadline);
            if (output.length() == 0) {
                outputFlushed();
            } else {
                updateWrite();
            }
        } finally {
            inCloseAfterFlush = false;
        }
    }

    @Override
    public String toString() {
        if (closed) {
            return "BufferEvent[closed]";
        }
        return "BufferEvent[" + (channel != null ? channel : "pair") + " in=" + input.length()
                + " out=" + output.length() + " enabled=" + Event.describe(enabled) + "]";
    }

    // ---------------------------------------------------------------- called by transports

    boolean isConnecting() {
        return connecting;
    }

    /** How many bytes the next read may add before reaching the high watermark. */
    long readRoom() {
        return readHigh == 0 ? Long.MAX_VALUE : readHigh - input.length();
    }

    /** Whether this side currently takes data in (linked, enabled, not paused, not at EOF or failed). */
    boolean wantsToRead() {
        return linked && !closed && !closing && !eof && failure == null && (enabled & Event.READ) != 0
                && (readHigh == 0 || input.length() < readHigh);
    }

    /** Whether this side currently sends its output out. */
    boolean wantsToWrite() {
        return linked && !closed && failure == null && writeEnabled() && output.length() > 0;
    }

    /** Whether a connect in progress is watched: WRITE enabled (a write timeout disables it) or closing. */
    private boolean wantsToConnect() {
        return connecting && !closed && failure == null && writeEnabled();
    }

    /** closeAfterFlush() writes even with WRITE disabled: the caller asked for the flush. */
    private boolean writeEnabled() {
        return (enabled & Event.WRITE) != 0 || closing;
    }

    EvBuffer inputBuffer() {
        return input;
    }

    EvBuffer outputBuffer() {
        return output;
    }

    void dataRead(long n) {
        readIdle.progress();
        if (input.length() >= readLow && readCb != null) {
            readCb.onData(this);
        }
        if (!closed) {
            updateRead();
        }
    }

    void dataWritten(long n) {
        if (n > 0) {
            writeIdle.progress();
        }
        if (output.length() == 0) {
            updateWrite();
            if (closing) {
                outputFlushed();
                return;
            }
        }
        // While closing the caller has said its last word: no write callback invites more.
        if (n > 0 && !closing && output.length() <= writeLow && writeCb != null) {
            writeCb.onData(this);
        }
    }

    void eofReached() {
        if (eof || closed) {
            return;
        }
        eof = true;
        updateRead();
        status(READING | EOF, null);
    }

    void ioFailed(int direction, IOException cause) {
        if (failure != null || closed) {
            return;
        }
        failure = cause;
        connecting = false;
        updateRead();
        updateWrite();
        if (closing) {
            finishClosing();
            return;
        }
        status(direction | ERROR, cause);
    }

    /** The transport's lingering close is over: the peer closed, or the connection failed. */
    void lingerDone() {
        finishClosing();
    }

    /** The TLS handshake is done: tell the status callback. */
    void handshakeDone() {
        status(HANDSHAKE_DONE, null);
    }

    void connected() {
        connecting = false;
        linked = true;
        writeIdle.stop();
        updateRead();
        updateWrite();
        status(CONNECTED, null);
    }

    // ---------------------------------------------------------------- internals

    /** closeAfterFlush has written everything: close, lingering first if the transport needs it. */
    private void outputFlushed() {
        flushComplete = true;
        if (eof || !transport.linger()) {
            finishClosing();            // after the peer's EOF there is no unread input to fear
        }
    }

    /** Ends a closeAfterFlush: closes, then tells its ClosedCallback, from the loop. */
    private void finishClosing() {
        if (closed) {
            return;
        }
        close();
        ClosedCallback cb = onFlushClosed;
        onFlushClosed = null;
        if (cb == null) {
            return;
        }
        boolean flushed = flushComplete;
        if (inCloseAfterFlush) {
            base.once(Duration.ZERO, (ev, what) -> cb.onClosed(this, flushed));
        } else {
            cb.onClosed(this, flushed);
        }
    }

    private void updateRead() {
        if (closed) {
            return;
        }
        boolean want = wantsToRead();
        transport.wantRead(want);
        if (want) {
            readIdle.start();
        } else {
            readIdle.stop();
        }
    }

    private void updateWrite() {
        if (closed) {
            return;
        }
        boolean want = wantsToWrite() || wantsToConnect();
        transport.wantWrite(want);
        if (want) {
            writeIdle.start();
        } else {
            writeIdle.stop();
        }
    }

    private void timedOut(int direction) {
        if (closing && direction == WRITING) {
            finishClosing();                    // a flush that makes no progress ends like a missed deadline
            return;
        }
        if (direction == READING) {
            enabled &= ~Event.READ;
            updateRead();
        } else {
            enabled &= ~Event.WRITE;
            updateWrite();
        }
        status(direction | TIMEOUT, null);
    }

    /**
     * The base's shutdown closes us: as {@link #close()}, then the status callback hears it. A
     * {@link #closeAfterFlush} in progress ends as at its deadline: its ClosedCallback says so.
     */
    private void closedByBase() {
        if (closed) {
            return;
        }
        if (closing) {
            finishClosing();
            return;
        }
        StatusCallback cb = statusCb;
        close();
        if (cb != null) {
            cb.onStatus(this, CLOSED, null);
        }
    }

    private void status(int what, Throwable cause) {
        if (statusCb != null && !closed && !closing) {
            statusCb.onStatus(this, what, cause);
        }
    }

    private void releaseTimers() {
        readIdle.free();
        writeIdle.free();
        if (flushDeadline != null) {
            flushDeadline.free();
        }
    }

    private void checkOpen() {
        base.requireLoopThread();
        if (closed) {
            throw new IllegalStateException("BufferEvent is closed");
        }
    }

    private void checkWritable() {
        checkOpen();
        if (closing) {
            throw new IllegalStateException("BufferEvent is closing after flush; no more writes");
        }
        if (failure != null) {
            throw new IllegalStateException("BufferEvent failed, nothing more can be sent: " + failure, failure);
        }
    }

    private static void checkDirections(int what) {
        if ((what & ~(Event.READ | Event.WRITE)) != 0) {
            throw new IllegalArgumentException("only Event.READ and Event.WRITE: " + Event.describe(what));
        }
    }

    private static void checkWatermarks(long low, long high) {
        if (low < 0 || high < 0 || (high > 0 && high < low)) {
            throw new IllegalArgumentException("bad watermarks low=" + low + " high=" + high);
        }
    }
}
