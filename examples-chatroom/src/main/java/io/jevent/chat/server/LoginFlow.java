package io.jevent.chat.server;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;

import io.jevent.chat.protocol.Command;
import io.jevent.chat.protocol.Events;
import io.jevent.chat.protocol.ProtocolError;
import io.jevent.chat.protocol.Replies;
import io.jevent.chat.store.Result;
import io.jevent.chat.store.StoredMessage;
import io.jevent.chat.store.User;

/**
 * LOGIN for one session: rate limit (loop 0) → find the user (a store reader) → verify the
 * password (a hashing worker, against a dummy hash if there is no such user, so every failure takes
 * the same time) → claim the name, taking over an older session of it (loop 0) → fetch pending
 * messages (the store's writer) → {@code OK welcome} and the pending {@code FROM}s as one reply
 * block, back on the session's loop.
 *
 * <h2>Threading</h2>
 * Each step says on which thread it runs. Steps off the session's loop touch no session state:
 * they only read their arguments and the thread-safe {@link ServerContext}, then post the next step
 * to the loop (or to loop 0 for the {@link Coordinator}). Steps on the loop check first whether the
 * connection closed meanwhile, and give back what they took (the online claim).
 */
final class LoginFlow {
    private static final System.Logger LOG = System.getLogger(LoginFlow.class.getName());

    private final Session session;
    private final ChatLoop loop;
    private final ServerContext ctx;
    private final String address;

    /**
     * @param address the client's IP address, for the per-address attempt limit
     */
    LoginFlow(Session session, ChatLoop loop, String address) {
        this.session = session;
        this.loop = loop;
        this.ctx = loop.ctx;
        this.address = address;
    }

    /** Loop thread, with the session's command in flight: starts a LOGIN. */
    void start(Command command) {
        String password = command.password();
        ctx.coordinator.post(() -> {
            boolean allowed = ctx.coordinator.tryAcquire(command.name(), address);
            loop.post(() -> {
                if (!allowed) {
                    session.complete(ProtocolError.RATE_LIMITED.line());
                } else if (!session.isClosed()) {
                    ctx.store.findUser(command.name(), result -> verify(command.name(), password, result));
                }
            });
        });
    }

    /** Reader thread (or the loop, for an immediate rejection): hand the check to a worker. */
    private void verify(String name, String password, Result<Optional<User>> found) {
        if (!found.isOk()) {
            loop.post(() -> session.complete(session.failure("LOGIN", found.error())));
            return;
        }
        User user = found.value().orElse(null);
        try {
            ctx.workers.execute(HashingPool.Priority.LOGIN, () -> {
                boolean good;
                boolean rehash;
                try {
                    good = ctx.hasher.verify(password, user == null ? null : user.passwordHash());
                    rehash = good && ctx.hasher.needsRehash(user.passwordHash());
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "stored password hash of " + name + " is unusable", e);
                    loop.post(() -> session.complete(Replies.err(ProtocolError.INTERNAL, "stored password hash is unusable")));
                    return;
                }
                User verified = good ? user : null;
                loop.post(() -> verified(name, password, verified, rehash));
            });
        } catch (RejectedExecutionException e) {
            loop.post(() -> session.complete(ProtocolError.BUSY.line()));
        }
    }

    /** Loop thread: the password was checked; {@code user} is null if it was wrong. */
    private void verified(String typedName, String password, User user, boolean rehash) {
        if (user == null) {
            session.complete(ProtocolError.BAD_CREDENTIALS.line());
            return;
        }
        if (session.isClosed()) {
            return;
        }
        OnlineUser claim = new OnlineUser(OnlineUser.keyOf(user.name()), user.name(), user.id(), loop.index, session.id());
        ctx.coordinator.post(() -> {
            ctx.coordinator.loginSucceeded(typedName, address);
            ctx.coordinator.claim(claim);   // takes over a session of the same user, if any
            loop.post(() -> claimed(claim, password, rehash));
        });
    }

    /** Loop thread: loop 0 has marked the user online (and told every loop JOIN, or that it moved here). */
    private void claimed(OnlineUser claim, String password, boolean rehash) {
        if (session.isClosing()) {
            ctx.coordinator.post(() -> ctx.coordinator.release(claim));
            return;
        }
        session.joining(claim);   // live private messages wait: the pending list below has them
        ctx.store.pendingMessages(claim.userId(), session.onLoop(result -> pendingArrived(claim, result)));
        if (rehash) {
            rehashQuietly(() -> ctx.store.updatePasswordHash(claim.userId(), ctx.hasher.hash(password), r -> {
                if (!r.isOk()) {
                    LOG.log(System.Logger.Level.WARNING, "re-hashing the password of " + claim.name() + " failed: "
                            + r.error().getMessage());
                }
            }));
        }
    }

    /** Loop thread: the messages received while offline; the reply block is welcome plus them. */
    private void pendingArrived(OnlineUser claim, Result<List<StoredMessage>> result) {
        if (session.isClosed() || !session.isJoiningAs(claim)) {
            return;
        }
        if (!result.isOk()) {
            session.goOffline();
            session.complete(session.failure("LOGIN", result.error()));
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
        session.online();
        session.complete(block.toString(), ids);   // marked delivered once received, not when queued
    }

    /** An upgrade of the stored hash is a nicety: background priority, and skipped if that queue is full. */
    private void rehashQuietly(Runnable task) {
        try {
            ctx.workers.execute(HashingPool.Priority.BACKGROUND, task);
        } catch (RejectedExecutionException e) {
            LOG.log(System.Logger.Level.DEBUG, "workers busy; password re-hash skipped until the next login");
        }
    }
}
