package io.jevent.chat.server;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;

import io.jevent.chat.auth.ResumeTokens;
import io.jevent.chat.protocol.Command;
import io.jevent.chat.protocol.Events;
import io.jevent.chat.protocol.ProtocolError;
import io.jevent.chat.protocol.Replies;
import io.jevent.chat.protocol.Verb;
import io.jevent.chat.store.Result;
import io.jevent.chat.store.StoreException;
import io.jevent.chat.store.StoredMessage;
import io.jevent.chat.store.User;

/**
 * LOGIN and RESUME for one session: rate limit (loop 0) → find the user (a store reader) → verify the
 * password (a hashing worker, against a dummy hash if there is no such user, so every failure takes
 * the same time) → claim the name, taking over an older session of it (loop 0) → store a new resume
 * token's hash (the store's writer) → fetch pending messages (the writer) → {@code TOKEN},
 * {@code OK welcome} and the pending {@code FROM}s as one reply block, back on the session's loop.
 *
 * <p>RESUME is the same flow with the password check replaced by the token check, done by the store
 * reader that finds the user (a SHA-256 compare, no PBKDF2: that is its point), and no new token:
 * the client keeps the one it has.
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
    /** Loop thread: SHA-256 of the resume token of the current login (issued or presented), or null. */
    private byte[] tokenHash;
    /**
     * Loop thread: this LOGIN's password was checked again after the stored hash changed under it
     * (see {@link #hashChangedMeanwhile}); a second change refuses it.
     */
    private boolean checkedAgain;

    /**
     * @param address the client's IP address, for the per-address attempt limit
     */
    LoginFlow(Session session, ChatLoop loop, String address) {
        this.session = session;
        this.loop = loop;
        this.ctx = loop.ctx;
        this.address = address;
    }

    /**
     * Loop thread, with the session's command in flight: starts a LOGIN or a RESUME. RESUME counts
     * against the same per-address attempt limits as LOGIN, so tokens cannot be guessed faster than
     * passwords (not that 256 bits could be).
     */
    void start(Command command) {
        checkedAgain = false;
        String secret = command.password();
        boolean resume = command.verb() == Verb.RESUME;
        ctx.coordinator.post(() -> {
            boolean allowed = ctx.coordinator.tryAcquire(command.name(), address);
            loop.post(() -> {
                if (!allowed) {
                    session.complete(ProtocolError.RATE_LIMITED.line());
                } else if (session.isClosed()) {
                    return;
                } else if (resume) {
                    byte[] presented = ResumeTokens.hash(secret);
                    ctx.store.findByResumeToken(command.name(), presented, found -> loop.post(() -> {
                        if (!found.isOk()) {
                            session.complete(session.failure("RESUME", found.error()));
                        } else {
                            verified(command.name(), null, presented, found.value().orElse(null), false);
                        }
                    }));
                } else {
                    ctx.store.findUser(command.name(), result -> verify(command.name(), secret, result));
                }
            });
        });
    }

    /**
     * Loop thread: the login ends (LOGOUT); returns the hash of its resume token, which the caller
     * revokes, and forgets it.
     *
     * @return the hash, or null if this login has no token (none could be stored)
     */
    byte[] takeTokenHash() {
        byte[] hash = tokenHash;
        tokenHash = null;
        return hash;
    }

    /**
     * Loop thread: the password was changed, which revoked every token of the user and issued this
     * one to the session: the token its LOGOUT revokes from now on.
     */
    void replaceTokenHash(byte[] hash) {
        tokenHash = hash;
    }

    /** Reader thread (or the loop, for an immediate rejection): hand the check to a worker. */
    private void verify(String name, String password, Result<Optional<User>> found) {
        if (!found.isOk()) {
            loop.post(() -> session.complete(session.failure("LOGIN", found.error())));
            return;
        }
        User user = found.value().orElse(null);
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
            loop.post(() -> verified(name, password, null, verified, rehash));
        }, why -> loop.post(() -> session.complete(why.line())));
    }

    /**
     * Loop thread: the password (LOGIN) or the token (RESUME, {@code presented} its hash, password
     * null) was checked; {@code user} is null if it was wrong.
     */
    private void verified(String typedName, String password, byte[] presented, User user, boolean rehash) {
        if (user == null) {
            session.complete(ProtocolError.BAD_CREDENTIALS.line());
            return;
        }
        if (session.isClosed()) {
            return;
        }
        OnlineUser claim = new OnlineUser(OnlineUser.keyOf(user.name()), user.name(), user.id(), loop.index, session.id());
        String verifiedHash = user.passwordHash();
        ctx.coordinator.post(() -> {
            ctx.coordinator.loginSucceeded(typedName, address);
            ctx.coordinator.claim(claim, verifiedHash);   // takes over a session of the same user, if any
            loop.post(() -> claimed(claim, password, presented, rehash, verifiedHash));
        });
    }

    /**
     * Loop thread: loop 0 has marked the user online (and told every loop JOIN, or that it moved
     * here). The credentials were checked on a reader; before the welcome, the writer checks that
     * they still stand (no password change or LOGOUT committed meanwhile: see
     * {@link Coordinator#passwordChanged} for the other half of that argument).
     */
    private void claimed(OnlineUser claim, String password, byte[] presented, boolean rehash, String verifiedHash) {
        if (session.isClosing()) {
            ctx.coordinator.post(() -> ctx.coordinator.release(claim));
            return;
        }
        session.joining(claim);   // live private messages wait: the pending list below has them
        if (presented != null) {
            ctx.store.confirmResume(claim.userId(), presented, session.onLoop(confirmed -> {
                if (session.isClosed() || !session.isJoiningAs(claim)) {
                    return;
                }
                if (!confirmed.isOk()) {
                    refused(confirmed.error());
                    return;
                }
                tokenHash = presented;
                ctx.store.pendingMessages(claim.userId(), session.onLoop(result -> pendingArrived(claim, null, result)));
            }));
        } else {
            String token = ctx.resumeTokens.newToken();
            byte[] hash = ResumeTokens.hash(token);
            // Stored before the pending messages are fetched (the writer runs requests in order) and
            // sent only once committed, so a client never holds a token the server might not know.
            ctx.store.issueResumeToken(claim.userId(), verifiedHash, hash, ctx.authLimits.resumeTokenTtl(),
                    ctx.authLimits.resumeTokensPerUser(), session.onLoop(issued -> {
                        if (!issued.isOk() && issued.error().kind() == StoreException.Kind.NOT_FOUND) {
                            if (!session.isClosed() && session.isJoiningAs(claim)) {
                                hashChangedMeanwhile(claim, password, issued.error());
                            }
                            return;
                        }
                        if (!issued.isOk()) {
                            // The login stands without a token: the client will ask for the password.
                            LOG.log(System.Logger.Level.WARNING, "storing a resume token of " + claim.name()
                                    + " failed: " + issued.error().getMessage());
                        } else if (session.isJoiningAs(claim)) {
                            tokenHash = hash;
                        }
                        if (session.isClosed() || !session.isJoiningAs(claim)) {
                            return;
                        }
                        String line = issued.isOk() ? Replies.token(token) : "";
                        ctx.store.pendingMessages(claim.userId(),
                                session.onLoop(result -> pendingArrived(claim, line, result)));
                    }));
        }
        if (rehash) {
            rehashQuietly(() -> ctx.store.updatePasswordHash(claim.userId(), verifiedHash, ctx.hasher.hash(password), r -> {
                if (!r.isOk()) {
                    // NOT_FOUND: the hash changed since this login read it (another login re-hashed
                    // first, or the password was changed), which is no fault: nothing to upgrade.
                    LOG.log(r.error().kind() == StoreException.Kind.NOT_FOUND ? System.Logger.Level.DEBUG
                            : System.Logger.Level.WARNING, "re-hashing the password of " + claim.name()
                            + " failed: " + r.error().getMessage());
                }
            }));
        }
    }

    /**
     * Loop thread: the messages received while offline; the reply block is the token line (LOGIN),
     * welcome, then them.
     */
    private void pendingArrived(OnlineUser claim, String tokenLine, Result<List<StoredMessage>> result) {
        if (session.isClosed() || !session.isJoiningAs(claim)) {
            return;
        }
        if (!result.isOk()) {
            session.goOffline();
            session.complete(session.failure("LOGIN", result.error()));
            return;
        }
        List<StoredMessage> pending = result.value();
        StringBuilder block = new StringBuilder();
        if (tokenLine != null) {
            block.append(tokenLine);
        }
        block.append(Replies.welcome(claim.name()));
        long[] ids = new long[pending.size()];
        for (int i = 0; i < ids.length; i++) {
            StoredMessage m = pending.get(i);
            block.append(Events.from(m.senderName(), m.id(), m.tsMs(), m.body()));
            ids[i] = m.id();
        }
        session.online();
        session.complete(block.toString(), ids);   // marked delivered once received, not when queued
    }

    /**
     * Loop thread, joining a LOGIN: the stored hash is no longer the one the password was checked
     * against. Either the password was changed (the old one no longer logs in), or another login of
     * the same user re-hashed the same password (a raised iteration count), which must not refuse
     * this one. The password is checked once more against what is stored now; a change again
     * meanwhile refuses the login.
     */
    private void hashChangedMeanwhile(OnlineUser claim, String password, StoreException error) {
        if (checkedAgain) {
            refused(error);
            return;
        }
        checkedAgain = true;
        session.goOffline();   // gives the name back; the check below claims it again if it passes
        ctx.store.findUser(claim.name(), result -> verify(claim.name(), password, result));
    }

    /**
     * Loop thread, joining: the credentials no longer stand (NOT_FOUND: changed or revoked after the
     * reader checked them), or the check failed. The name is released and the login refused.
     */
    private void refused(StoreException error) {
        session.goOffline();
        session.complete(error.kind() == StoreException.Kind.NOT_FOUND
                ? ProtocolError.BAD_CREDENTIALS.line() : session.failure("LOGIN", error));
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
