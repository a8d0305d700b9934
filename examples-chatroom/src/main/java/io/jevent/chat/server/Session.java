package io.jevent.chat.server;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.util.function.Consumer;

import javax.net.ssl.SSLContext;

import io.jevent.chat.protocol.Command;
import io.jevent.chat.protocol.CommandParser;
import io.jevent.chat.protocol.Events;
import io.jevent.chat.protocol.ParseResult;
import io.jevent.chat.protocol.ProtocolError;
import io.jevent.chat.protocol.Replies;
import io.jevent.chat.protocol.Verb;
import io.jevent.chat.store.Result;
import io.jevent.chat.store.StoreException;
import io.jevent.chat.store.StoredMessage;
import io.jevent.core.Event;
import io.jevent.core.buffer.SharedBytes;
import io.jevent.core.bufferevent.BufferEvent;
import io.jevent.core.bufferevent.TlsOptions;

/**
 * One client connection: its state machine (logged out → joining → online; finishing → closed),
 * and the wiring of its parts: {@link RequestReader} (bytes to requests), {@link SessionOutput}
 * (replies, events, backpressure, slow consumers), {@link LoginFlow}, {@link PasswordChange} and
 * {@link StoreCommands} (the commands that wait for other threads).
 *
 * <h2>Order of replies</h2>
 * A session runs one command at a time. While a command waits for the store or a worker
 * ({@code inFlight}), later lines stay in the input buffer (which the read high watermark bounds),
 * and its reply — one block — is written by {@link #complete} before the next line is looked at. So
 * replies come in command order, and events fall between blocks.
 *
 * <h2>Dead peers</h2>
 * While online, every read re-arms the keepalive timer ({@link Keepalive}): when it fires the client
 * is sent {@code PING}; if nothing arrives before it fires again, after the timeout, the session is
 * closed with {@code BYE ping timeout}. A newer login of the same user closes it with
 * {@code BYE logged in elsewhere} ({@link #loggedInElsewhere}, told by the {@link Coordinator}).
 *
 * <h2>Threading</h2>
 * Everything here, and all state of the parts above, belongs to its loop's thread. Results from the
 * store and the hashing workers arrive through {@link ChatLoop#post}; since the connection may have
 * closed meanwhile, each continuation checks {@link #isClosed} first (and gives back what it took,
 * such as an online claim).
 */
final class Session {
    private static final System.Logger LOG = System.getLogger(Session.class.getName());
    private static final String BYE_SHUTDOWN = Events.bye("server shutting down");
    private static final long[] NO_MESSAGES = {};

    private enum State { LOGGED_OUT, JOINING, ONLINE }

    private final ChatLoop loop;
    private final ServerContext ctx;
    private final long id;
    private final BufferEvent bev;
    private final String peer;
    private final Event idleTimer;
    /** Armed while online: fires after a quiet interval (probe), then after the probe's timeout (drop). */
    private final Event keepaliveTimer;
    private final RequestReader requests;
    private final SessionOutput output;
    private final LoginFlow login;
    private final StoreCommands commands;
    private final PasswordChange passwordChange;
    private final Deliveries deliveries = new Deliveries();

    private State state = State.LOGGED_OUT;
    private OnlineUser me;
    private boolean inFlight;
    private boolean peerClosed;
    private boolean finishing;
    private boolean closed;
    /** A PING probe was sent and nothing has arrived since. */
    private boolean probeOutstanding;
    private String closeReason = "closed";

    /** Over plain text, or inside TLS with {@code tls} (a server-mode engine from it) unless it is null. */
    Session(ChatLoop loop, long id, SocketChannel channel, SSLContext tls) {
        this.loop = loop;
        this.ctx = loop.ctx;
        this.id = id;
        String host = "?";
        String hostPort = "?";
        try {
            InetSocketAddress remote = (InetSocketAddress) channel.getRemoteAddress();
            host = remote.getAddress().getHostAddress();
            hostPort = host + ":" + remote.getPort();
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "cannot read the peer address", e);
        }
        this.peer = hostPort;
        SocketSetup.configure(channel);
        // Over TLS the buffers hold plaintext as over TCP, so everything below is the same.
        this.bev = tls == null ? BufferEvent.socket(loop.thread.base(), channel)
                : BufferEvent.tlsServer(loop.thread.base(), channel, tls, TlsOptions.defaults());
        ServerConfig config = ctx.config;
        bev.setReadWatermarks(0, config.readHighWatermark());
        this.requests = new RequestReader(bev.input(), loop.decoder());
        this.output = new SessionOutput(loop, this, bev, config);
        this.login = new LoginFlow(this, loop, host);
        this.commands = new StoreCommands(this, loop, host);
        this.passwordChange = new PasswordChange(this, loop, login, host);
        bev.setCallbacks(b -> {
            heard();
            processInput();
        }, b -> outputDrained(), this::status);
        this.idleTimer = loop.thread.base().newTimer((ev, what) -> idleTimedOut());
        this.keepaliveTimer = loop.thread.base().newTimer((ev, what) -> keepaliveDue());
    }

    /** Greets the client and starts reading. */
    void start() {
        LOG.log(System.Logger.Level.INFO, "open #" + id + " " + peer + " on " + loop.thread.name());
        if (!output.write(Replies.GREETING)) {
            return;   // the output budget is exhausted and this was the connection to drop
        }
        bev.enable(Event.READ);
        idleTimer.add(ctx.config.idleTimeout());
    }

    /** The connection's server-wide id. */
    long id() {
        return id;
    }

    /** The logged-in (or logging-in) user's id, or 0. */
    long userId() {
        return me == null ? 0 : me.userId();
    }

    /** Whether a live private message to {@code userId} should be written now (see ChatLoop). */
    boolean takesLiveMessagesFor(long userId) {
        return state == State.ONLINE && me.userId() == userId && !finishing && !closed;
    }

    // ---------------------------------------------------------------- input

    private void processInput() {
        while (!inFlight && !finishing && !closed && !loop.isShuttingDown()) {
            if (output.stallInput()) {
                return;   // outputDrained() resumes
            }
            ParseResult request = requests.next(state == State.ONLINE);
            if (request == null) {
                break;
            }
            if (request instanceof ProtocolError error) {
                output.reply(error.line());
            } else {
                handle((Command) request);
            }
        }
        if (peerClosed && !inFlight && !finishing && !closed) {
            closeReason = "client closed";
            finish(null);   // every complete line is answered; flush the replies, then close
        }
    }

    private void handle(Command command) {
        if (command.verb() == ctx.killLoopOn) {
            throw new OutOfMemoryError("injected by -D" + ServerContext.KILL_LOOP_PROPERTY + "=" + command.verb());
        }
        switch (command.verb()) {
            case HELP -> output.reply(Replies.HELP);
            case PING -> output.reply(Replies.PONG);
            case WHO -> output.reply(loop.whoBlock());
            case QUIT -> {
                output.reply(Replies.BYE);
                closeReason = "quit";
                finish(null);
            }
            case SEEN -> {
                deliveries.seen(command.messageId());
                loop.deliveriesChanged(this);
                output.reply(Replies.OK);
            }
            case LOGOUT -> {
                long userId = me.userId();
                byte[] token = login.takeTokenHash();
                goOffline();
                idleTimer.add(ctx.config.idleTimeout());
                if (token == null) {
                    output.reply(Replies.BYE);
                } else {
                    // OK bye only once the token is gone, so a RESUME after it is refused.
                    inFlight = true;
                    ctx.store.revokeResumeToken(userId, token, onLoop(r -> {
                        if (!r.isOk()) {
                            LOG.log(System.Logger.Level.WARNING, "revoking a resume token of user " + userId
                                    + " failed: " + r.error().getMessage());
                        }
                        complete(Replies.BYE);
                    }));
                }
            }
            // These wait for other threads; complete() ends the wait.
            case REGISTER -> {
                inFlight = true;
                commands.register(command);
            }
            case LOGIN, RESUME -> {
                inFlight = true;
                login.start(command);
            }
            case PASSWORD -> {
                inFlight = true;
                passwordChange.start(command, me);
            }
            case MSG, SAY -> {
                // Charged before the store sees it: a refused message costs no commit and reaches nobody.
                if (!ctx.sendLimiter.tryAcquire(me.userId(), CommandParser.utf8Length(command.text()))) {
                    output.reply(ProtocolError.SLOW_DOWN.line());
                    return;
                }
                inFlight = true;
                if (command.verb() == Verb.MSG) {
                    commands.sendPrivate(command);
                } else {
                    commands.sendGroup(command);
                }
            }
            case HISTORY -> {
                inFlight = true;
                commands.history(command);
            }
            default -> output.reply(ProtocolError.UNKNOWN_COMMAND.line());
        }
    }

    // ---------------------------------------------------------------- for the commands (loop thread)

    /** The reply to the command in flight: write it, then go on with the input. */
    void complete(String block) {
        complete(block, NO_MESSAGES);
    }

    /**
     * As {@link #complete(String)}, for a reply block that carries the private messages
     * {@code messageIds} as FROM lines (LOGIN's pending messages): they are delivered once received.
     */
    void complete(String block, long[] messageIds) {
        if (closed) {
            return;
        }
        inFlight = false;
        if (!finishing) {
            output.reply(block);
            for (long id : messageIds) {
                deliveries.written(id, output.queuedTotal());
            }
            if (messageIds.length > 0) {
                loop.deliveriesChanged(this);
            }
        }
        if (loop.isShuttingDown()) {
            shutdown();
        } else {
            processInput();
        }
    }

    /** A store callback that continues on this loop, whichever thread completes it. */
    <T> Consumer<Result<T>> onLoop(Consumer<Result<T>> continuation) {
        return result -> loop.post(() -> continuation.accept(result));
    }

    /** The reply line for a failed store request; logs database failures. */
    String failure(String verb, StoreException error) {
        if (error.kind() == StoreException.Kind.DATABASE) {
            LOG.log(System.Logger.Level.WARNING, verb + " of #" + id + " failed: " + error.getMessage());
        }
        return StoreReplies.of(error);
    }

    boolean isClosed() {
        return closed;
    }

    /** Closed, or closing: flushing its last output. */
    boolean isClosing() {
        return closed || finishing;
    }

    /** LOGIN has claimed {@code claim}: take live messages only once the pending ones are sent. */
    void joining(OnlineUser claim) {
        me = claim;
        state = State.JOINING;
        loop.loggingIn(claim, this);
        idleTimer.del();
    }

    /** Whether this session is still logging in (or logged in) under this very claim. */
    // Identity on purpose (ReferenceEquality): the question is about this very attempt, and two
    // login attempts by one session for one user are equal records.
    @SuppressWarnings("ReferenceEquality")
    boolean isJoiningAs(OnlineUser claim) {
        return me == claim;
    }

    /** LOGIN's reply is about to be written: events and live messages may flow. */
    void online() {
        state = State.ONLINE;
        probeOutstanding = false;
        if (ctx.config.keepalive().enabled()) {
            keepaliveTimer.add(ctx.config.keepalive().interval());
        }
    }

    /**
     * Loop 0 moved this session's user to a newer login (the right password on another connection,
     * perhaps because this one's network died silently): say why, and close after the flush. The
     * reply to a command in flight is not sent; a message it was committing is committed anyway.
     */
    void loggedInElsewhere() {
        if (closed || finishing) {
            return;
        }
        closeReason = "logged in elsewhere";
        finish(Events.bye("logged in elsewhere"));
    }

    // ---------------------------------------------------------------- output

    /**
     * An event line (FROM, GROUP, JOIN, PART). Returns false if it was not written: the session is
     * not logged in, is closing, or is a slow consumer (then it is being dropped).
     */
    boolean event(String line) {
        if (!takesEvents()) {
            return false;
        }
        return output.write(line);
    }

    /**
     * An event line encoded once for many sessions (GROUP, JOIN, PART), referenced rather than
     * copied; otherwise as {@link #event(String)}.
     */
    boolean event(SharedBytes line) {
        if (!takesEvents()) {
            return false;
        }
        return output.write(line);
    }

    /** Whether an event may be queued now; drops a slow consumer (and says no). */
    private boolean takesEvents() {
        if (closed || finishing || state != State.ONLINE) {
            return false;
        }
        if (output.isSlowConsumer()) {
            slowConsumer();
            return false;
        }
        return true;
    }

    /** Output bytes queued and not yet sent (0 once closed): what the output budget weighs. */
    long unsentBytes() {
        return closed ? 0 : output.length();
    }

    /**
     * The loop's output budget is exhausted and this session holds the most unsent output: drop
     * that output and close with {@code BYE output budget exceeded}; one already closing is closed
     * at once. Called from inside another session's (or this one's) write, on the loop thread.
     *
     * @return true if it was open (a new drop), false if it was already closing or closed
     */
    boolean dropForBudget() {
        if (closed) {
            return false;
        }
        if (finishing) {
            closeNow(closeReason + ", then output budget exceeded");
            return false;
        }
        LOG.log(System.Logger.Level.WARNING, "#" + id + " " + peer + " holds the most unsent output ("
                + output.length() + " bytes) and the output budget is exhausted; disconnecting");
        output.dropUnsent();
        closeReason = "output budget exceeded";
        finish(Events.bye("output budget exceeded"));
        return true;
    }

    /**
     * A private message to this session's user: writes its FROM line and tracks it until the client
     * has received it. Returns false if it was not written (as {@link #event}).
     */
    boolean privateMessage(StoredMessage message) {
        if (!event(Events.from(message.senderName(), message.id(), message.tsMs(), message.body()))) {
            return false;
        }
        deliveries.written(message.id(), output.queuedTotal());
        loop.deliveriesChanged(this);
        return true;
    }

    /** Loop thread, for the periodic store update: the ids received since the last call. */
    long[] takeReceived() {
        deliveries.sent(output.sentBytes());
        return deliveries.takeReceived();
    }

    /** Whether private messages written here still wait to be received or marked. */
    boolean hasDeliveries() {
        return !deliveries.isEmpty();
    }

    /** Output drained to the low watermark (never called once finishing: see finish()). */
    private void outputDrained() {
        if (output.drained()) {
            processInput();
        }
    }

    private void slowConsumer() {
        loop.countSlowConsumer();
        LOG.log(System.Logger.Level.WARNING, "#" + id + " " + peer + " is a slow consumer ("
                + output.length() + " bytes unread); disconnecting");
        // What left the buffer counts (for a client that never sent SEEN); the rest is dropped
        // unsent and stays undelivered in the store, for the next login.
        deliveries.sent(output.sentBytes());
        deliveries.abandonUnconfirmed();
        output.dropUnsent();
        closeReason = "slow consumer";
        finish(Events.bye("slow consumer"));
    }

    // ---------------------------------------------------------------- lifecycle

    /** EOF or an error; never once finishing (closeAfterFlush silences the buffer event's callbacks). */
    private void status(BufferEvent b, int what, Throwable cause) {
        if ((what & BufferEvent.EOF) != 0) {
            peerClosed = true;
            processInput();   // answers the complete lines it sent before closing
        } else if ((what & BufferEvent.ERROR) != 0) {
            closeNow("error: " + (cause == null ? "unknown" : cause.getMessage()));
        }
    }

    /** Bytes arrived: the client is alive, so the next probe is a full interval away. */
    private void heard() {
        if (state == State.ONLINE && !finishing && !closed && ctx.config.keepalive().enabled()) {
            probeOutstanding = false;
            keepaliveTimer.add(ctx.config.keepalive().interval());   // a common timeout: O(1) to re-arm
        }
    }

    /** Quiet for an interval: probe; quiet for the probe's timeout too: the peer is gone. */
    private void keepaliveDue() {
        if (state != State.ONLINE || closed || finishing) {
            return;
        }
        if (!probeOutstanding) {
            probeOutstanding = true;
            if (event(Events.PING)) {   // false if it proved a slow consumer: then it is being dropped
                keepaliveTimer.add(ctx.config.keepalive().timeout());
            }
            return;
        }
        closeReason = "ping timeout";
        finish(Events.bye("ping timeout"));
    }

    private void idleTimedOut() {
        if (state != State.LOGGED_OUT || closed || finishing) {
            return;
        }
        if (inFlight) {
            idleTimer.add(ctx.config.idleTimeout());   // a LOGIN is under way: let it finish
            return;
        }
        closeReason = "idle timeout";
        finish(Events.bye("idle timeout"));
    }

    /** The server is shutting down: BYE now, or after the reply to the command in flight. */
    void shutdown() {
        if (closed || finishing || inFlight) {
            return;
        }
        closeReason = "server shutting down";
        finish(BYE_SHUTDOWN);
    }

    /** Leaves the online list (if in it): the coordinator tells everyone PART. */
    void goOffline() {
        if (me == null) {
            return;
        }
        OnlineUser user = me;
        // Before the release below: a later login of this user asks the store for its pending
        // messages only after the release, so it finds these marked and does not get them again.
        deliveries.sent(output.sentBytes());
        deliveries.abandonUnconfirmed();
        loop.deliveriesEnded(this, user.userId(), deliveries.takeReceived());
        me = null;
        state = State.LOGGED_OUT;
        keepaliveTimer.del();
        loop.loggedOut(user, this);
        ctx.sendLimiter.offline(user.userId());
        ctx.coordinator.post(() -> ctx.coordinator.release(user));
    }

    /**
     * Stops reading, optionally writes a last line, and hands the close to
     * {@link BufferEvent#closeAfterFlush}: it writes the output out, then closes without losing it to
     * a reset (it lingers until the client closes too), all within the flush timeout, so a client that
     * does not read cannot hold the connection open. No callback of the buffer event runs meanwhile;
     * the session counts as open (the server's shutdown waits for it) until the close is done.
     */
    private void finish(String lastLine) {
        if (finishing || closed) {
            return;
        }
        goOffline();
        finishing = true;
        output.stopWaiting();
        idleTimer.del();
        if (lastLine != null) {
            output.writeLast(lastLine);
        }
        bev.closeAfterFlush(ctx.config.flushTimeout(),
                (b, flushed) -> closeNow(flushed ? closeReason : closeReason + ", flush timed out"));
    }

    /** Closes at once, dropping unsent output (and ending a flush under way). */
    void closeNow(String reason) {
        if (closed) {
            return;
        }
        goOffline();
        closed = true;
        idleTimer.free();
        keepaliveTimer.free();
        output.release();
        bev.close();
        loop.closed(this);
        LOG.log(System.Logger.Level.INFO, "close #" + id + " " + peer + ": " + reason);
    }
}
