package io.jevent.chat.server;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
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
 * <h2>Order of replies (pipelining)</h2>
 * A client may send commands without waiting for replies. Every command takes a {@link Reply} slot
 * in {@code replies}, in command order; a command that waits for the store (MSG, SAY, HISTORY) runs
 * while later ones start, and a reply that is ready before an earlier one is held in its slot until
 * every earlier reply is written. So replies come in command order, each one block, and events fall
 * between blocks. At most {@link #MAX_PIPELINED} commands are unanswered at once, and none starts
 * while the output holds the reply backlog ({@link SessionOutput#stallInput}); later lines stay in
 * the input buffer, which the read high watermark bounds.
 *
 * <p>Commands that change what the session is (REGISTER, LOGIN, RESUME, PASSWORD, LOGOUT, QUIT) run alone:
 * one waits, and the lines after it stay unparsed, until every earlier reply is written, and nothing
 * else starts until its own is. So every line is parsed in the state the commands before it left.
 * HISTORY also waits for the earlier replies (it reads from another connection than the one that
 * commits, so it must see the client's earlier messages committed), but later commands may start
 * while it runs.
 *
 * <h2>Dead peers</h2>
 * While online, every read re-arms the keepalive timer ({@link Keepalive}): when it fires the client
 * is sent {@code PING}; if nothing arrives before it fires again, after the timeout, the session is
 * closed with {@code BYE ping timeout}. A newer login of the same user closes it with
 * {@code BYE logged in elsewhere} ({@link #kicked}, told by the {@link Coordinator}).
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
    /**
     * Most commands unanswered at once per connection: bounds what one client holds of the store's
     * queue and of replies held back for order (which are not yet in the output budget).
     */
    static final int MAX_PIPELINED = 64;

    /**
     * One command's reply, in command order: empty while the command runs, then the block (and the
     * private messages it carries as FROM lines) until every earlier reply is written.
     */
    static final class Reply {
        private String block;
        private long[] messageIds = NO_MESSAGES;

        private boolean isReady() {
            return block != null;
        }
    }

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
    /** The replies not yet written, oldest first; the first ones may be ready, held for an older one. */
    private final ArrayDeque<Reply> replies = new ArrayDeque<>();
    /** A command that runs alone (see the class comment) is in flight: start nothing else. */
    private boolean alone;
    /** A command that runs alone, read while earlier ones were unanswered: it starts when they are. */
    private Command waiting;
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
        while (!alone && !finishing && !closed && !loop.isShuttingDown()) {
            if (replies.size() >= MAX_PIPELINED) {
                return;   // written() resumes once the oldest is answered
            }
            if (output.stallInput()) {
                return;   // outputDrained() resumes
            }
            ParseResult request;
            if (waiting != null) {
                if (!replies.isEmpty()) {
                    return;
                }
                request = waiting;
                waiting = null;
            } else {
                request = requests.next(state == State.ONLINE);
            }
            if (request == null) {
                break;
            }
            if (request instanceof ProtocolError error) {
                reply(error.line());
            } else {
                Command command = (Command) request;
                if (waitsForEarlier(command.verb()) && !replies.isEmpty()) {
                    waiting = command;
                    return;
                }
                if (runsAlone(command.verb())) {
                    alone = true;
                    replies.add(new Reply());
                }
                handle(command);
            }
        }
        if (peerClosed && !isAnswering() && !finishing && !closed) {
            closeReason = "client closed";
            finish(null);   // every complete line is answered; flush the replies, then close
        }
    }

    /** Whether a command is unanswered or waiting to start. */
    private boolean isAnswering() {
        return !replies.isEmpty() || waiting != null;
    }

    /** The commands that change the session's state or end it, so later lines wait for them. */
    private static boolean runsAlone(Verb verb) {
        return switch (verb) {
            case REGISTER, LOGIN, RESUME, PASSWORD, LOGOUT, QUIT -> true;
            default -> false;
        };
    }

    /**
     * The commands that start only once every earlier one is answered: those that run alone, and
     * HISTORY, which reads what the client's earlier messages committed.
     */
    private static boolean waitsForEarlier(Verb verb) {
        return verb == Verb.HISTORY || runsAlone(verb);
    }

    /** A reply ready at once: written now, or held until the earlier ones are. */
    private void reply(String block) {
        if (alone) {
            Reply only = replies.peekFirst();
            only.block = block;
            writeReady();   // the loop in processInput goes on
            return;
        }
        if (replies.isEmpty()) {
            output.reply(block);
            return;
        }
        Reply r = new Reply();
        r.block = block;
        replies.add(r);
    }

    /** A command that waits for another thread: its place in the reply order. */
    private Reply started() {
        Reply r = new Reply();
        replies.add(r);
        return r;
    }

    private void handle(Command command) {
        if (command.verb() == ctx.killLoopOn) {
            throw new OutOfMemoryError("injected by -D" + ServerContext.KILL_LOOP_PROPERTY + "=" + command.verb());
        }
        switch (command.verb()) {
            case HELP -> reply(Replies.HELP);
            case PING -> reply(Replies.PONG);
            case WHO -> reply(loop.whoBlock());
            case QUIT -> {
                reply(Replies.BYE);
                closeReason = "quit";
                finish(null);
            }
            case SEEN -> {
                deliveries.seen(command.messageId());
                loop.deliveriesChanged(this);
                reply(Replies.OK);
            }
            case LOGOUT -> {
                long userId = me.userId();
                byte[] token = login.takeTokenHash();
                goOffline();
                idleTimer.add(ctx.config.idleTimeout());
                if (token == null) {
                    reply(Replies.BYE);
                } else {
                    // OK bye only once the token is gone, so a RESUME after it is refused.
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
            case REGISTER -> commands.register(command);
            case LOGIN, RESUME -> login.start(command);
            case PASSWORD -> passwordChange.start(command, me);
            case MSG, SAY -> {
                // Charged before the store sees it: a refused message costs no commit and reaches nobody.
                if (!ctx.sendLimiter.tryAcquire(me.userId(), CommandParser.utf8Length(command.text()))) {
                    reply(ProtocolError.SLOW_DOWN.line());
                    return;
                }
                if (command.verb() == Verb.MSG) {
                    commands.sendPrivate(command, started());
                } else {
                    commands.sendGroup(command, started());
                }
            }
            case HISTORY -> commands.history(command, started());
            default -> reply(ProtocolError.UNKNOWN_COMMAND.line());
        }
    }

    // ---------------------------------------------------------------- for the commands (loop thread)

    /**
     * The reply to the command that runs alone (REGISTER, LOGIN, RESUME, LOGOUT): write it, then go
     * on with the input.
     */
    void complete(String block) {
        complete(block, NO_MESSAGES);
    }

    /**
     * As {@link #complete(String)}, for a reply block that carries the private messages
     * {@code messageIds} as FROM lines (LOGIN's pending messages): they are delivered once received.
     */
    void complete(String block, long[] messageIds) {
        Reply only = replies.peekFirst();
        if (only != null) {
            complete(only, block, messageIds);
        }
    }

    /**
     * The reply to the pipelined command that holds {@code slot}: written once every earlier reply
     * is, then the input goes on.
     */
    void complete(Reply slot, String block) {
        complete(slot, block, NO_MESSAGES);
    }

    private void complete(Reply slot, String block, long[] messageIds) {
        if (closed) {
            return;
        }
        slot.block = block;
        slot.messageIds = messageIds;
        writeReady();
        if (loop.isShuttingDown()) {
            shutdown();
        } else {
            processInput();
        }
    }

    /** Writes the replies that are ready and not held back by an earlier one still running. */
    private void writeReady() {
        while (!replies.isEmpty() && replies.peekFirst().isReady()) {
            Reply r = replies.removeFirst();
            if (finishing) {
                continue;   // the reply to a command of a closing session is not sent
            }
            output.reply(r.block);
            for (long id : r.messageIds) {
                deliveries.written(id, output.queuedTotal());
            }
            if (r.messageIds.length > 0) {
                loop.deliveriesChanged(this);
            }
        }
        if (replies.isEmpty()) {
            alone = false;
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
     * Loop 0 ended this session's login: {@link Coordinator#TAKEN_OVER} (the right password on another
     * connection, perhaps because this one's network died silently) or
     * {@link Coordinator#PASSWORD_CHANGED} (its credentials were revoked). Says why, and closes after
     * the flush. The reply to a command in flight is not sent; a message it was committing is
     * committed anyway. The exception is a login still in flight whose credentials were revoked: it
     * is refused with {@code ERR 401}, as the writer refuses it when the change commits first, and
     * the connection stays. Which of the two notices arrives first is a race between loop 0 and the
     * writer, so both must give the client the same answer.
     */
    void kicked(String reason) {
        if (closed || finishing) {
            return;
        }
        if (state == State.JOINING && Coordinator.PASSWORD_CHANGED.equals(reason)) {
            goOffline();   // the writer's refusal, when it comes, finds no claim and does nothing
            complete(ProtocolError.BAD_CREDENTIALS.line());
            return;
        }
        closeReason = reason;
        finish(Events.bye(reason));
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
        if (!replies.isEmpty()) {
            idleTimer.add(ctx.config.idleTimeout());   // a LOGIN is under way: let it finish
            return;
        }
        closeReason = "idle timeout";
        finish(Events.bye("idle timeout"));
    }

    /**
     * The server is shutting down: BYE now, or after the replies to the commands in flight (a
     * command not yet started is not).
     */
    void shutdown() {
        if (closed || finishing || !replies.isEmpty()) {
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
