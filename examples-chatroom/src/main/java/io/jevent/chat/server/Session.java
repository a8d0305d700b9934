package io.jevent.chat.server;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;

import io.jevent.chat.protocol.Command;
import io.jevent.chat.protocol.Events;
import io.jevent.chat.protocol.ParseResult;
import io.jevent.chat.protocol.ProtocolError;
import io.jevent.chat.protocol.Replies;
import io.jevent.chat.store.Result;
import io.jevent.chat.store.StoreException;
import io.jevent.chat.store.StoredMessage;
import io.jevent.chat.store.User;
import io.jevent.core.Event;
import io.jevent.core.bufferevent.BufferEvent;

/**
 * One client connection: the login state, the commands, and the wiring of its I/O parts:
 * {@link RequestReader} (bytes to requests) and {@link SessionOutput} (replies, events,
 * backpressure, slow consumers, the final flush).
 *
 * <h2>Order of replies</h2>
 * A session runs one command at a time. While a command waits for the store or a worker
 * ({@code inFlight}), later lines stay in the input buffer (which the read high watermark bounds),
 * and its reply — one block — is written before the next line is looked at. So replies come in
 * command order, and events fall between blocks.
 *
 * <h2>Threading</h2>
 * Everything here, and all state of the parts above, belongs to its loop's thread. Results from the
 * store and the hashing workers arrive through {@link ChatLoop#post}; since the connection may have
 * closed meanwhile, each continuation checks {@code closed} first (and gives back what it took,
 * such as an online claim).
 */
final class Session {
    private static final System.Logger LOG = System.getLogger(Session.class.getName());
    private static final String BYE_SHUTDOWN = Events.bye("server shutting down");

    private enum State { LOGGED_OUT, JOINING, ONLINE }

    private final ChatLoop loop;
    private final ServerContext ctx;
    private final long id;
    private final BufferEvent bev;
    private final String address;
    private final String peer;
    private final Event idleTimer;
    private final RequestReader requests;
    private final SessionOutput output;

    private State state = State.LOGGED_OUT;
    private OnlineUser me;
    private boolean inFlight;
    private boolean peerClosed;
    private boolean finishing;
    private boolean closed;
    private String closeReason = "closed";

    Session(ChatLoop loop, long id, SocketChannel channel) {
        this.loop = loop;
        this.ctx = loop.ctx;
        this.id = id;
        String host = "?";
        String hostPort = "?";
        try {
            channel.socket().setTcpNoDelay(true);   // chat lines are small and interactive
            InetSocketAddress remote = (InetSocketAddress) channel.getRemoteAddress();
            host = remote.getAddress().getHostAddress();
            hostPort = host + ":" + remote.getPort();
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "cannot read the peer address", e);
        }
        this.address = host;
        this.peer = hostPort;
        this.bev = BufferEvent.socket(loop.thread.base(), channel);
        ServerConfig config = ctx.config;
        bev.setReadWatermarks(0, config.readHighWatermark());
        this.requests = new RequestReader(bev.input(), loop.decoder());
        this.output = new SessionOutput(loop, bev, config.writeHighWatermark());
        bev.setCallbacks(b -> processInput(), b -> outputDrained(), this::status);
        this.idleTimer = loop.thread.base().newTimer((ev, what) -> idleTimedOut());
    }

    /** Greets the client and starts reading. */
    void start() {
        LOG.log(System.Logger.Level.INFO, "open #" + id + " " + peer + " on " + loop.thread.name());
        output.write(Replies.GREETING);
        bev.enable(Event.READ);
        idleTimer.add(ctx.config.idleTimeout());
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
        switch (command.verb()) {
            case HELP -> output.reply(Replies.HELP);
            case PING -> output.reply(Replies.PONG);
            case WHO -> output.reply(loop.whoBlock());
            case QUIT -> {
                output.reply(Replies.BYE);
                closeReason = "quit";
                finish(null);
            }
            case LOGOUT -> {
                goOffline();
                output.reply(Replies.BYE);
                idleTimer.add(ctx.config.idleTimeout());
            }
            case REGISTER -> register(command);
            case LOGIN -> login(command);
            case MSG -> sendPrivate(command);
            case SAY -> sendGroup(command);
            case HISTORY -> history(command);
            default -> output.reply(ProtocolError.UNKNOWN_COMMAND.line());
        }
    }

    // ---------------------------------------------------------------- commands

    private void register(Command command) {
        inFlight = true;
        onWorker(() -> {
            String hash = ctx.hasher.hash(command.password());
            ctx.store.registerUser(command.name(), hash, onLoop(result -> complete(
                    result.isOk() ? Replies.REGISTERED
                            : result.error().kind() == StoreException.Kind.CONFLICT ? ProtocolError.NAME_TAKEN.line()
                            : failure("REGISTER", result.error()))));
        });
    }

    /**
     * LOGIN: rate limit (loop 0) → find the user (a reader) → verify (a worker, against a dummy hash
     * if there is no such user) → claim the name (loop 0) → fetch pending messages (the writer) →
     * {@code OK welcome} and the pending {@code FROM}s as one block, back here.
     */
    private void login(Command command) {
        inFlight = true;
        String password = command.password();
        ctx.coordinator.post(() -> {
            boolean allowed = ctx.coordinator.tryAcquire(command.name(), address);
            loop.post(() -> {
                if (!allowed) {
                    complete(ProtocolError.RATE_LIMITED.line());
                } else if (!closed) {
                    ctx.store.findUser(command.name(), result -> verify(command.name(), password, result));
                }
            });
        });
    }

    /** Reader thread (or this loop, for an immediate rejection): hand the check to a worker. */
    private void verify(String name, String password, Result<java.util.Optional<User>> found) {
        if (!found.isOk()) {
            loop.post(() -> complete(failure("LOGIN", found.error())));
            return;
        }
        User user = found.value().orElse(null);
        try {
            ctx.workers.execute(() -> {
                boolean good;
                boolean rehash;
                try {
                    good = ctx.hasher.verify(password, user == null ? null : user.passwordHash());
                    rehash = good && ctx.hasher.needsRehash(user.passwordHash());
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "stored password hash of " + name + " is unusable", e);
                    loop.post(() -> complete(Replies.err(ProtocolError.INTERNAL, "stored password hash is unusable")));
                    return;
                }
                User verified = good ? user : null;
                loop.post(() -> verified(name, password, verified, rehash));
            });
        } catch (RejectedExecutionException e) {
            loop.post(() -> complete(ProtocolError.BUSY.line()));
        }
    }

    private void verified(String typedName, String password, User user, boolean rehash) {
        if (user == null) {
            complete(ProtocolError.BAD_CREDENTIALS.line());
            return;
        }
        if (closed) {
            return;
        }
        OnlineUser claim = new OnlineUser(OnlineUser.keyOf(user.name()), user.name(), user.id(), loop.index, id);
        ctx.coordinator.post(() -> {
            ctx.coordinator.loginSucceeded(typedName, address);
            boolean claimed = ctx.coordinator.claim(claim);
            if (claimed) {
                loop.post(() -> claimed(claim, password, rehash));
            } else {
                loop.post(() -> complete(ProtocolError.ALREADY_ONLINE.line()));
            }
        });
    }

    private void claimed(OnlineUser claim, String password, boolean rehash) {
        if (closed || finishing) {
            ctx.coordinator.post(() -> ctx.coordinator.release(claim));
            return;
        }
        me = claim;
        state = State.JOINING;   // live private messages wait: the pending list below has them
        loop.loggingIn(claim, this);
        idleTimer.del();
        ctx.store.pendingMessages(claim.userId(), onLoop(result -> pendingArrived(claim, result)));
        if (rehash) {
            onWorkerQuietly(() -> ctx.store.updatePasswordHash(claim.userId(), ctx.hasher.hash(password), r -> {
                if (!r.isOk()) {
                    LOG.log(System.Logger.Level.WARNING, "re-hashing the password of " + claim.name() + " failed: "
                            + r.error().getMessage());
                }
            }));
        }
    }

    private void pendingArrived(OnlineUser claim, Result<List<StoredMessage>> result) {
        if (closed || me != claim) {
            return;
        }
        if (!result.isOk()) {
            goOffline();
            complete(failure("LOGIN", result.error()));
            return;
        }
        List<StoredMessage> pending = result.value();
        StringBuilder block = new StringBuilder(Replies.welcome(claim.name()));
        long[] ids = new long[pending.size()];
        for (int i = 0; i < ids.length; i++) {
            StoredMessage m = pending.get(i);
            block.append(Events.from(m.senderName(), m.id(), m.tsMs(), m.body()));
            ids[i] = m.id();
        }
        state = State.ONLINE;
        complete(block.toString());
        if (ids.length > 0 && !closed) {
            ctx.store.markDelivered(claim.userId(), ids, r -> {
                if (!r.isOk()) {
                    LOG.log(System.Logger.Level.WARNING, "marking " + ids.length + " offline messages delivered failed;"
                            + " they will be sent again: " + r.error().getMessage());
                }
            });
        }
    }

    private void sendPrivate(Command command) {
        inFlight = true;
        ctx.store.appendPrivate(me.userId(), command.name(), command.text(), onLoop(result -> {
            if (!result.isOk()) {
                complete(result.error().kind() == StoreException.Kind.NOT_FOUND
                        ? ProtocolError.NO_SUCH_USER.line() : failure("MSG", result.error()));
                return;
            }
            // Routed even if this connection closed meanwhile: the message is committed.
            StoredMessage message = result.value();
            boolean online = loop.routePrivate(message);
            complete(online ? Replies.sent(message.id()) : Replies.stored(message.id()));
        }));
    }

    private void sendGroup(Command command) {
        inFlight = true;
        ctx.store.appendGroup(me.userId(), command.text(), onLoop(result -> {
            if (!result.isOk()) {
                complete(failure("SAY", result.error()));
                return;
            }
            loop.routeGroup(result.value());
            complete(Replies.sent(result.value().id()));
        }));
    }

    private void history(Command command) {
        inFlight = true;
        ctx.store.history(me.userId(), command.count(), command.name(), onLoop(result -> {
            if (!result.isOk()) {
                complete(result.error().kind() == StoreException.Kind.NOT_FOUND
                        ? ProtocolError.NO_SUCH_USER.line() : failure("HISTORY", result.error()));
                return;
            }
            StringBuilder block = new StringBuilder();
            for (StoredMessage m : result.value()) {
                block.append(Replies.hist(m.id(), m.tsMs(), m.senderName(), m.recipientName(), m.body()));
            }
            complete(block.append(Replies.okCount(result.value().size())).toString());
        }));
    }

    // ---------------------------------------------------------------- async plumbing

    /** A store callback that continues on this loop, whichever thread completes it. */
    private <T> Consumer<Result<T>> onLoop(Consumer<Result<T>> continuation) {
        return result -> loop.post(() -> continuation.accept(result));
    }

    /** Runs {@code task} on a hashing worker; if the pool is saturated, the command gets ERR 503. */
    private void onWorker(Runnable task) {
        try {
            ctx.workers.execute(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.ERROR, "worker task of #" + id + " failed", e);
                    loop.post(() -> complete(Replies.err(ProtocolError.INTERNAL, "internal error")));
                }
            });
        } catch (RejectedExecutionException e) {
            inFlight = false;   // still inside processInput: it goes on with the next line
            output.reply(ProtocolError.BUSY.line());
        }
    }

    private void onWorkerQuietly(Runnable task) {
        try {
            ctx.workers.execute(task);
        } catch (RejectedExecutionException e) {
            LOG.log(System.Logger.Level.DEBUG, "workers busy; password re-hash skipped until the next login");
        }
    }

    /** The reply to the command in flight: write it, then go on with the input. */
    private void complete(String block) {
        if (closed) {
            return;
        }
        inFlight = false;
        if (!finishing) {
            output.reply(block);
        }
        if (loop.isShuttingDown()) {
            shutdown();
        } else {
            processInput();
        }
    }

    private String failure(String verb, StoreException error) {
        if (error.kind() == StoreException.Kind.DATABASE) {
            LOG.log(System.Logger.Level.WARNING, verb + " of #" + id + " failed: " + error.getMessage());
        }
        return StoreReplies.of(error);
    }

    // ---------------------------------------------------------------- output

    /**
     * An event line (FROM, GROUP, JOIN, PART). Returns false if it was not written: the session is
     * not logged in, is closing, or is a slow consumer (then it is being dropped).
     */
    boolean event(String line) {
        if (closed || finishing || state != State.ONLINE) {
            return false;
        }
        if (output.isSlowConsumer()) {
            slowConsumer();
            return false;
        }
        output.write(line);
        return true;
    }

    /** Output drained to the low watermark (or, when finishing, to empty). */
    private void outputDrained() {
        if (finishing) {
            if (output.isEmpty()) {
                closeNow(closeReason);
            }
            return;
        }
        if (output.drained()) {
            processInput();
        }
    }

    private void slowConsumer() {
        loop.countSlowConsumer();
        LOG.log(System.Logger.Level.WARNING, "#" + id + " " + peer + " is a slow consumer ("
                + output.length() + " bytes unread); disconnecting");
        output.dropUnsent();
        closeReason = "slow consumer";
        finish(Events.bye("slow consumer"));
    }

    // ---------------------------------------------------------------- lifecycle

    private void status(BufferEvent b, int what, Throwable cause) {
        if ((what & BufferEvent.EOF) != 0) {
            peerClosed = true;
            if (!finishing) {
                processInput();   // answers the complete lines it sent before closing
            }
        } else if ((what & BufferEvent.ERROR) != 0) {
            closeNow("error: " + (cause == null ? "unknown" : cause.getMessage()));
        }
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
    private void goOffline() {
        if (me == null) {
            return;
        }
        OnlineUser user = me;
        me = null;
        state = State.LOGGED_OUT;
        loop.loggedOut(user, this);
        ctx.coordinator.post(() -> ctx.coordinator.release(user));
    }

    /**
     * Stops reading, optionally writes a last line, and closes once the output is flushed (or the
     * flush timeout passes: a client that does not read cannot hold the connection open).
     */
    private void finish(String lastLine) {
        if (finishing || closed) {
            return;
        }
        goOffline();
        finishing = true;
        idleTimer.del();
        if (lastLine != null) {
            output.write(lastLine);
        }
        bev.disable(Event.READ);
        if (output.isEmpty()) {
            closeNow(closeReason);
            return;
        }
        output.flushWithin(ctx.config.flushTimeout(), () -> closeNow(closeReason + ", flush timed out"));
    }

    /** Closes at once, dropping unsent output. */
    void closeNow(String reason) {
        if (closed) {
            return;
        }
        goOffline();
        closed = true;
        idleTimer.free();
        output.free();
        bev.close();
        loop.closed(this);
        LOG.log(System.Logger.Level.INFO, "close #" + id + " " + peer + ": " + reason);
    }
}
