package io.jevent.chat.server;

import java.util.Optional;

import io.jevent.chat.auth.ResumeTokens;
import io.jevent.chat.protocol.Command;
import io.jevent.chat.protocol.ProtocolError;
import io.jevent.chat.protocol.Replies;
import io.jevent.chat.store.Result;
import io.jevent.chat.store.StoreException;
import io.jevent.chat.store.User;

/**
 * PASSWORD for one logged-in session: rate limit (loop 0, the same per-address counts as LOGIN, so
 * a stolen session cannot guess the password faster than a login could) → the stored hash (a store
 * reader) → verify the old password and hash the new one (one hashing worker, background priority:
 * the worker kept free for LOGIN stays free) → replace the hash, revoke every resume token of the
 * user and store a new one (one writer transaction) → {@code TOKEN} and {@code OK password changed}
 * once committed, back on the session's loop.
 *
 * <p>Threading: as {@link LoginFlow}. Steps off the loop read only their arguments and the
 * thread-safe {@link ServerContext}; the store's and the worker's results are posted back to the
 * loop, where {@link Session#complete} ignores a session that closed meanwhile (taken over by a
 * login elsewhere: the change is committed all the same).
 */
final class PasswordChange {
    private static final System.Logger LOG = System.getLogger(PasswordChange.class.getName());

    private final Session session;
    private final ChatLoop loop;
    private final ServerContext ctx;
    private final LoginFlow login;
    private final String address;

    /**
     * @param login   the session's login, which holds the token LOGOUT revokes
     * @param address the client's IP address, for the attempt limit
     */
    PasswordChange(Session session, ChatLoop loop, LoginFlow login, String address) {
        this.session = session;
        this.loop = loop;
        this.ctx = loop.ctx;
        this.login = login;
        this.address = address;
    }

    /** Loop thread, with the command in flight: {@code user} (logged in here) changes the password. */
    void start(Command command, OnlineUser user) {
        ctx.coordinator.post(() -> {
            boolean allowed = ctx.coordinator.tryAcquire(user.name(), address);
            loop.post(() -> {
                if (!allowed) {
                    session.complete(ProtocolError.RATE_LIMITED.line());
                } else if (!session.isClosed()) {
                    ctx.store.findUser(user.name(), found -> onWorker(user, command, found));
                }
            });
        });
    }

    /** Reader thread: hand the PBKDF2 work to a worker. */
    private void onWorker(OnlineUser user, Command command, Result<Optional<User>> found) {
        if (!found.isOk()) {
            loop.post(() -> session.complete(session.failure("PASSWORD", found.error())));
            return;
        }
        User stored = found.value().filter(u -> u.id() == user.userId()).orElse(null);
        ctx.workers.execute(HashingPool.Priority.BACKGROUND, () -> {
            String newHash;
            try {
                if (stored == null || !ctx.hasher.verify(command.password(), stored.passwordHash())) {
                    loop.post(() -> session.complete(ProtocolError.WRONG_PASSWORD.line()));
                    return;
                }
                newHash = ctx.hasher.hash(command.text());
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "stored password hash of " + user.name() + " is unusable", e);
                loop.post(() -> session.complete(Replies.err(ProtocolError.INTERNAL, "stored password hash is unusable")));
                return;
            }
            commit(user, newHash);
        }, why -> loop.post(() -> session.complete(why.line())));
    }

    /** Worker thread: the old password was right; store the new hash and the new token together. */
    private void commit(OnlineUser user, String newHash) {
        String token = ctx.resumeTokens.newToken();
        byte[] tokenHash = ResumeTokens.hash(token);
        ctx.store.changePassword(user.userId(), newHash, tokenHash, ctx.authLimits.resumeTokenTtl(),
                session.onLoop(result -> {
                    if (!result.isOk()) {
                        session.complete(result.error().kind() == StoreException.Kind.NOT_FOUND
                                ? ProtocolError.WRONG_PASSWORD.line() : session.failure("PASSWORD", result.error()));
                        return;
                    }
                    // Posted whether or not this session still stands: a login with the old
                    // credentials that took it over meanwhile must not outlive the change.
                    long changer = session.id();
                    ctx.coordinator.post(() -> {
                        ctx.coordinator.passwordChanged(user.key(), changer, newHash);
                        ctx.coordinator.loginSucceeded(user.name(), address);
                    });
                    if (!session.isClosed()) {
                        login.replaceTokenHash(tokenHash);   // LOGOUT now revokes the new token
                    }
                    session.complete(Replies.token(token) + Replies.PASSWORD_CHANGED);
                }));
    }
}
