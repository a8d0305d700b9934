package io.jevent.chat.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The chat room's persistent state (users, messages, offline queue) in one SQLite file, with an
 * asynchronous API that never blocks the caller: every request returns at once and reports its
 * {@link Result} to a callback.
 *
 * <h2>Threads</h2>
 * <ul>
 *   <li><b>Writes</b> ({@link #registerUser}, {@link #appendPrivate}, {@link #appendGroup},
 *       {@link #markDelivered}, {@link #pendingMessages}, {@link #updatePasswordHash}) go to one
 *       writer thread through a bounded queue and are group-committed: the writer runs everything
 *       queued (up to {@code maxBatchSize}) in one transaction. Callbacks run on the writer thread,
 *       in submission order, strictly after the commit: an OK result means the data is on disk
 *       (see {@link StoreConfig.Durability}).</li>
 *   <li><b>Reads</b> ({@link #findUser}, {@link #history}) run on a small reader pool, each thread
 *       with its own connection; callbacks run on a reader thread.</li>
 *   <li>A request that cannot be queued (queue full: {@code BUSY}; store closed: {@code CLOSED})
 *       is completed immediately <em>on the calling thread</em>. Callers that forward results to
 *       an event loop (through a message queue) handle both cases alike.</li>
 *   <li>Callbacks must be quick (forward the result, don't work on it): a slow write callback
 *       delays every later commit. A callback that throws is logged and ignored.</li>
 * </ul>
 *
 * <h2>Failures</h2>
 * Each write is isolated inside the batch (a savepoint, taken only when needed): a request that fails (name taken, unknown
 * user, constraint) is rolled back alone and its neighbours commit. If the transaction itself fails
 * (BEGIN/COMMIT error, disk full, I/O error), it is rolled back and every request in it fails with
 * {@link StoreException.Kind#DATABASE}. Either way a failed request changed nothing, and the writer
 * goes on: after a full disk ({@code SQLITE_FULL}) or an I/O error, the next batch starts from a clean
 * connection and succeeds as soon as the cause is gone.
 *
 * <h2>Names</h2>
 * User names are unique and looked up case-insensitively ({@code Alice} and {@code alice} are the
 * same user) and keep the case they were registered with. Callers validate names (see
 * {@code CommandParser.isValidName}) before calling.
 *
 * <h2>Offline delivery (at least once)</h2>
 * Private messages are stored undelivered. The server writes a message to an online recipient (or,
 * at login, the ones {@link #pendingMessages} returns) and calls {@link #markDelivered} once the
 * client has received it; until then it stays pending. A crash, or a connection lost, between
 * writing and marking redelivers the message at the next login (same id, so clients can drop
 * duplicates). {@code pendingMessages} runs on the writer, ordered with
 * the appends, so a message committed before it is in its result and a message committed after it
 * arrives (as an append result) after it.
 */
public final class ChatStore implements AutoCloseable {
    private final GroupCommitWriter writer;
    private final ReaderPool readers;
    private final Object closeLock = new Object();
    /** Epoch milliseconds: timestamps and the expiry of resume tokens. */
    private final LongSupplier clock;

    private ChatStore(GroupCommitWriter writer, ReaderPool readers, LongSupplier clock) {
        this.writer = writer;
        this.readers = readers;
        this.clock = clock;
    }

    /**
     * Opens (creating if needed) the database, enables WAL, migrates the schema to the current
     * version, opens the reader connections and starts the writer thread. Blocking; call it at
     * startup, not on the event loop.
     *
     * @param config settings
     * @return the open store
     * @throws StoreException DATABASE if the file cannot be opened, is not a database, or has a
     *                        newer schema than this code
     */
    public static ChatStore open(StoreConfig config) throws StoreException {
        List<AutoCloseable> opened = new ArrayList<>();
        try {
            Connection writerConnection = Connections.openWriter(config);
            opened.add(writerConnection);
            Schema.migrate(writerConnection);
            WriterOps writerOps = new WriterOps(writerConnection, config.epochMillis());
            List<ReaderOps> readerOps = new ArrayList<>();
            for (int i = 0; i < config.readerThreads(); i++) {
                Connection c = Connections.openReader(config);
                opened.add(c);
                readerOps.add(new ReaderOps(c));
            }
            GroupCommitWriter writer = new GroupCommitWriter(writerOps, config.writerQueueCapacity(),
                    config.maxBatchSize());
            ReaderPool readers = new ReaderPool(readerOps, config.readerQueueCapacity());
            writer.start();
            return new ChatStore(writer, readers, config.epochMillis());
        } catch (SQLException e) {
            closeAll(opened);
            throw new StoreException(StoreException.Kind.DATABASE,
                    "cannot open " + config.file() + ": " + WriteRequest.describe(e), e);
        } catch (StoreException e) {
            closeAll(opened);
            throw e;
        }
    }

    /**
     * Registers a user. Completes with CONFLICT if the name is taken in any letter case. Any thread.
     *
     * @param name         valid user name (case is kept)
     * @param passwordHash encoded hash from {@code PasswordHasher.hash}
     * @param callback     gets the new {@link User}; runs on the writer thread
     * @throws NullPointerException if an argument is null
     */
    public void registerUser(String name, String passwordHash, Consumer<Result<User>> callback) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(passwordHash, "passwordHash");
        writer.submit(ops -> ops.registerUser(name, passwordHash), callback);
    }

    /**
     * Stores a private message, undelivered. Completes with NOT_FOUND if the recipient (or
     * sender) does not exist. Any thread.
     *
     * @param senderId      sender's user id
     * @param recipientName recipient's name, any letter case
     * @param body          non-empty text (the protocol guarantees no control characters)
     * @param callback      gets the {@link StoredMessage} with canonical names; runs on the writer
     * @throws NullPointerException if an argument is null
     */
    public void appendPrivate(long senderId, String recipientName, String body,
                              Consumer<Result<StoredMessage>> callback) {
        Objects.requireNonNull(recipientName, "recipientName");
        Objects.requireNonNull(body, "body");
        writer.submit(ops -> ops.appendPrivate(senderId, recipientName, body), callback);
    }

    /**
     * Stores a group message. Completes with NOT_FOUND if the sender does not exist. Any thread.
     *
     * @param senderId sender's user id
     * @param body     non-empty text
     * @param callback gets the {@link StoredMessage} (recipient null); runs on the writer
     * @throws NullPointerException if an argument is null
     */
    public void appendGroup(long senderId, String body, Consumer<Result<StoredMessage>> callback) {
        Objects.requireNonNull(body, "body");
        writer.submit(ops -> ops.appendGroup(senderId, body), callback);
    }

    /**
     * Marks private messages to {@code recipientId} as delivered; ids that are not that user's,
     * or already delivered, are skipped. Any thread.
     *
     * @param recipientId the recipient the messages were written to
     * @param messageIds  message ids (copied before this method returns)
     * @param callback    gets the number of messages newly marked; runs on the writer
     */
    public void markDelivered(long recipientId, long[] messageIds, Consumer<Result<Integer>> callback) {
        markDelivered(Map.of(recipientId, messageIds), callback);
    }

    /**
     * As {@link #markDelivered(long, long[], Consumer)} for several recipients in one request: the
     * server marks everything a loop learnt was received since its last update at once. Any thread.
     *
     * @param idsByRecipient message ids by recipient id (copied before this method returns)
     * @param callback       gets the number of messages newly marked; runs on the writer
     */
    public void markDelivered(Map<Long, long[]> idsByRecipient, Consumer<Result<Integer>> callback) {
        Map<Long, long[]> copy = new HashMap<>();
        idsByRecipient.forEach((recipient, ids) -> copy.put(recipient, ids.clone()));
        writer.submit(ops -> {
            int changed = 0;
            for (Map.Entry<Long, long[]> e : copy.entrySet()) {
                changed += ops.markDelivered(e.getKey(), e.getValue());
            }
            return changed;
        }, callback);
    }

    /**
     * Fetches the undelivered private messages of a user, oldest first. Runs on the writer (not
     * the reader pool) so it is ordered with appends; see the class comment. Any thread.
     *
     * @param recipientId the user logging in
     * @param callback    gets the messages (possibly empty); runs on the writer
     */
    public void pendingMessages(long recipientId, Consumer<Result<List<StoredMessage>>> callback) {
        writer.submit(ops -> ops.pending(recipientId), callback);
    }

    /**
     * Replaces a user's password hash with a new hash of the same password (after a login that
     * {@code PasswordHasher.needsRehash} flagged), if the stored hash is still {@code replacing}:
     * a password change committed since the login read it is never overwritten with a hash of the
     * old password. Completes with NOT_FOUND if there is no such user or its hash is another. Any
     * thread.
     *
     * @param userId       the user
     * @param replacing    the stored hash the password was verified against
     * @param passwordHash the new encoded hash
     * @param callback     gets null on success; runs on the writer
     * @throws NullPointerException if a hash is null
     */
    public void updatePasswordHash(long userId, String replacing, String passwordHash, Consumer<Result<Void>> callback) {
        Objects.requireNonNull(replacing, "replacing");
        Objects.requireNonNull(passwordHash, "passwordHash");
        writer.submit(ops -> ops.updatePasswordHash(userId, replacing, passwordHash), callback);
    }

    /**
     * Changes a user's password: replaces the hash, revokes every RESUME token of the user and stores
     * {@code newTokenHash} as the only live one (valid for {@code ttl} from now), all in one
     * transaction: either all of it is committed or none. Completes with NOT_FOUND if there is no
     * such user. Any thread.
     *
     * @param userId       the user
     * @param passwordHash the new encoded hash
     * @param newTokenHash SHA-256 of the token the session that changed the password gets, 32 bytes (copied)
     * @param ttl          how long that token logs in
     * @param callback     gets null once committed; runs on the writer
     * @throws IllegalArgumentException if the hash is not 32 bytes or ttl is not positive
     */
    public void changePassword(long userId, String passwordHash, byte[] newTokenHash, Duration ttl,
                               Consumer<Result<Void>> callback) {
        Objects.requireNonNull(passwordHash, "passwordHash");
        byte[] hash = checkedHash(newTokenHash);
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("ttl must be positive");
        }
        writer.submit(ops -> {
            ops.updatePasswordHash(userId, null, passwordHash);
            long now = clock.getAsLong();
            // At most 1 live token, the new one: every other token of the user is deleted with it.
            return ResumeTokenOps.issue(ops.connection(), userId, hash, now, now + ttl.toMillis(), 1);
        }, callback);
    }

    /**
     * Completes a LOGIN: if the user's stored password hash is still {@code verifiedPasswordHash}
     * (the one the password was checked against), stores the SHA-256 of a new RESUME token of the
     * user, valid for {@code ttl} from now (the store's clock), and forgets the user's expired tokens
     * and all but the newest {@code maxLive}. The check runs in the writer's order, so a password
     * change committed after the reader looked the user up fails this login rather than letting the
     * old password in. Any thread.
     *
     * @param userId               the user who just logged in
     * @param verifiedPasswordHash the stored hash the password was verified against
     * @param tokenHash            SHA-256 of the token, 32 bytes (copied); the token itself is never stored
     * @param ttl                  how long the token logs in
     * @param maxLive              how many tokens of the user stay valid, at least 1
     * @param callback             gets null on success, NOT_FOUND if the password was changed meanwhile
     *                             (no token stored); runs on the writer
     * @throws IllegalArgumentException if the hash is not 32 bytes, ttl is not positive or maxLive &lt; 1
     */
    public void issueResumeToken(long userId, String verifiedPasswordHash, byte[] tokenHash, Duration ttl, int maxLive,
                                 Consumer<Result<Void>> callback) {
        Objects.requireNonNull(verifiedPasswordHash, "verifiedPasswordHash");
        byte[] hash = checkedHash(tokenHash);
        if (ttl.isNegative() || ttl.isZero() || maxLive < 1) {
            throw new IllegalArgumentException("ttl must be positive and maxLive at least 1");
        }
        writer.submit(ops -> {
            long now = clock.getAsLong();
            ResumeTokenOps.requirePasswordHash(ops.connection(), userId, verifiedPasswordHash);
            return ResumeTokenOps.issue(ops.connection(), userId, hash, now, now + ttl.toMillis(), maxLive);
        }, callback);
    }

    /**
     * Completes a RESUME that {@link #findByResumeToken} accepted: checks, in the writer's order,
     * that the token is still live, so a LOGOUT or password change committed after the lookup fails
     * this login rather than letting the revoked token in (a change revokes every token but the one
     * it issues). A re-hash of the same password ({@link #updatePasswordHash}) revokes nothing. Any
     * thread.
     *
     * @param userId    the user
     * @param tokenHash SHA-256 of the presented token, 32 bytes (copied)
     * @param callback  gets null if the token still stands, NOT_FOUND if not; runs on the writer
     */
    public void confirmResume(long userId, byte[] tokenHash, Consumer<Result<Void>> callback) {
        byte[] hash = checkedHash(tokenHash);
        writer.submit(ops -> {
            ResumeTokenOps.requireLiveToken(ops.connection(), userId, hash, clock.getAsLong());
            return null;
        }, callback);
    }

    /**
     * Deletes one RESUME token of a user (LOGOUT); a token that is not there is not an error. Any
     * thread.
     *
     * @param userId    the user
     * @param tokenHash SHA-256 of the token, 32 bytes (copied)
     * @param callback  gets null once the deletion is committed; runs on the writer
     */
    public void revokeResumeToken(long userId, byte[] tokenHash, Consumer<Result<Void>> callback) {
        byte[] hash = checkedHash(tokenHash);
        writer.submit(ops -> ResumeTokenOps.revoke(ops.connection(), userId, hash), callback);
    }

    /**
     * Looks up the user a RESUME names, any letter case, and returns it only if {@code tokenHash} is
     * one of that user's unexpired tokens (compared in constant time). Any thread.
     *
     * @param name      the name
     * @param tokenHash SHA-256 of the presented token, 32 bytes (copied)
     * @param callback  gets the user, or empty for no such user or no such live token; runs on a reader
     */
    public void findByResumeToken(String name, byte[] tokenHash, Consumer<Result<Optional<User>>> callback) {
        Objects.requireNonNull(name, "name");
        byte[] hash = checkedHash(tokenHash);
        readers.submit(ops -> ResumeTokenOps.find(ops.connection(), name, hash, clock.getAsLong()), callback);
    }

    private static byte[] checkedHash(byte[] tokenHash) {
        if (tokenHash.length != 32) {
            throw new IllegalArgumentException("a token hash is 32 bytes (SHA-256), not " + tokenHash.length);
        }
        return tokenHash.clone();
    }

    /**
     * Looks a user up by name, any letter case, for LOGIN (the hash is then verified on a worker)
     * or to resolve a name. Any thread.
     *
     * @param name     the name
     * @param callback gets the user or empty; runs on a reader thread
     * @throws NullPointerException if name is null
     */
    public void findUser(String name, Consumer<Result<Optional<User>>> callback) {
        Objects.requireNonNull(name, "name");
        readers.submit(ops -> ops.findUser(name), callback);
    }

    /**
     * The last {@code limit} messages {@code userId} may see, oldest first: every group message
     * and every private message the user sent or received. With {@code withUserName}, only the
     * private conversation between the two (NOT_FOUND if that user does not exist). A user can
     * never read other users' private messages. Any thread.
     *
     * @param userId       the asking user
     * @param limit        how many, at least 1 (the protocol caps it at 500)
     * @param withUserName the other party, or null for everything visible
     * @param callback     gets the messages; runs on a reader thread
     * @throws IllegalArgumentException if limit &lt; 1
     */
    public void history(long userId, int limit, String withUserName,
                        Consumer<Result<List<StoredMessage>>> callback) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be positive: " + limit);
        }
        readers.submit(ops -> ops.history(userId, limit, withUserName), callback);
    }

    /**
     * Counters for monitoring and tests. Any thread.
     *
     * @return a snapshot
     */
    public StoreStats stats() {
        return writer.stats(readers.rejected());
    }

    /**
     * Closes the store: new requests fail with CLOSED; every request accepted before is executed,
     * committed and completed; then the WAL is checkpointed (and truncated) and all connections
     * are closed. Blocks until done, even if the calling thread is interrupted meanwhile (its
     * interrupt flag is still set on return); idempotent. Must not be called from a store callback
     * (it would wait for itself).
     *
     * @throws IllegalStateException if called on the writer thread
     */
    @Override
    public void close() {
        if (writer.isWriterThread()) {
            throw new IllegalStateException("close() called from a store callback");
        }
        // Both steps ignore interrupts until they are done (half-closed is worse) and then set the
        // interrupt flag again, so the caller still sees it.
        synchronized (closeLock) {
            writer.close();
            readers.close();
        }
    }

    /**
     * What a {@link #close(Duration) bounded close} left undone.
     *
     * @param clean          everything accepted was executed and completed, and every connection
     *                       closed
     * @param writesUnderWay writes in the transaction the writer was running when the close gave
     *                       up: never acknowledged, and committed only if the disk comes back before
     *                       the process exits
     * @param writesDropped  writes still queued: failed with CLOSED, never run
     */
    public record CloseOutcome(boolean clean, int writesUnderWay, int writesDropped) {
        /** Nothing abandoned. */
        public static final CloseOutcome CLEAN = new CloseOutcome(true, 0, 0);

        /** @return accepted writes that will not be acknowledged */
        public int abandonedWrites() {
            return writesUnderWay + writesDropped;
        }
    }

    /**
     * As {@link #close()}, but gives up after {@code max}, for a shutdown that must end even when
     * the disk does not answer: the writes still queued fail with CLOSED, the transaction under way
     * is left to the writer thread (a daemon), and the outcome says how many writes were abandoned.
     * Must not be called from a store callback, nor concurrently with {@link #close()}.
     *
     * @param max how long to wait for the writer and the readers together
     * @return {@link CloseOutcome#CLEAN} if everything finished in time, else what was abandoned
     * @throws InterruptedException if interrupted while waiting
     * @throws IllegalStateException if called on the writer thread
     */
    public CloseOutcome close(Duration max) throws InterruptedException {
        if (writer.isWriterThread()) {
            throw new IllegalStateException("close() called from a store callback");
        }
        long deadline = System.nanoTime() + max.toNanos();
        synchronized (closeLock) {
            CloseOutcome outcome = writer.close(max);
            boolean readersClosed = readers.close(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
            return readersClosed || !outcome.clean() ? outcome : new CloseOutcome(false, 0, 0);
        }
    }

    /** The writer, for tests in this package that need to submit raw operations. */
    GroupCommitWriter writer() {
        return writer;
    }

    static StoreException closedError() {
        return new StoreException(StoreException.Kind.CLOSED, "store closed");
    }

    private static void closeAll(List<AutoCloseable> opened) {
        for (AutoCloseable c : opened) {
            try {
                c.close();
            } catch (Exception ignored) {
                // already failing; the original exception is the one to report
            }
        }
    }
}
