package io.jevent.chat.server;

import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import javax.net.ssl.SSLContext;

import io.jevent.chat.protocol.Events;
import io.jevent.chat.protocol.Replies;
import io.jevent.chat.protocol.Utf8LineDecoder;
import io.jevent.chat.store.StoredMessage;
import io.jevent.core.Event;
import io.jevent.core.buffer.SharedBytes;
import io.jevent.msgqueue.EventLoopThread;

/**
 * The chat state of one event loop: its connections, who of them is logged in, and a replica of the
 * server-wide online list; plus routing and fan-out of messages and JOIN/PART events.
 *
 * <p>Threading: every field without a comment saying otherwise belongs to this loop's thread, and
 * every method but {@link #post}, {@link #fanOutGroup} and the stats getters must run there. Other
 * threads (the store's writer and readers, hashing workers, other loops, loop 0's {@link Coordinator})
 * reach it only by posting a task through {@link #post}, whose queue is FIFO per producer; that is the
 * only synchronisation, so the maps here need no lock. The one exception is group messages: the
 * writer adds them to a concurrent inbox and posts a task only when none is pending ({@link
 * #fanOutGroup}).
 */
final class ChatLoop {
    private static final System.Logger LOG = System.getLogger(ChatLoop.class.getName());
    private static final AtomicLong SESSION_IDS = new AtomicLong();
    /**
     * How often a loop marks received private messages delivered in the store. The marks are one
     * writer request, run inside a batch of messages: at tens of thousands of deliveries a second, a
     * whole second's worth made that batch (and every ack waiting on it) several times slower than
     * its neighbours, so they go ten times a second.
     */
    static final Duration DELIVERY_FLUSH = Duration.ofMillis(100);

    final int index;
    final EventLoopThread thread;
    final ServerContext ctx;

    /** Server-wide online list as last told by the coordinator, by name key. */
    private final Map<String, OnlineUser> replica = new HashMap<>();
    /** Sessions of this loop that are logged in or finishing their login, by name key. */
    private final Map<String, Session> loggedIn = new HashMap<>();
    /** Every open session of this loop. */
    private final Set<Session> sessions = new LinkedHashSet<>();
    /** Sessions with private messages written but not yet received, or received but not yet marked. */
    private final Set<Session> delivering = new LinkedHashSet<>();
    private Event deliveryTimer;
    private Utf8LineDecoder decoder;
    /** Encodes broadcast lines once for all recipients. */
    private final SharedLines sharedLines = new SharedLines();
    /** Group messages committed and not yet delivered here, in id order: the writer thread adds, this loop polls. */
    private final Queue<GroupLine> groupInbox = new ConcurrentLinkedQueue<>();
    /** Set by the writer thread when it posts {@link #deliverGroups}, cleared by that task as it starts. */
    private final AtomicBoolean groupTaskPosted = new AtomicBoolean();
    private boolean shuttingDown;
    private final CompletableFuture<Void> drained = new CompletableFuture<>();

    // Written by the loop thread only (single writer), read by any thread for stats.
    private volatile long accepted;
    private volatile long open;
    private volatile long slowConsumers;
    private volatile long largestOutput;
    private volatile long pausedInputs;
    /** This loop's share of the server-wide output budget. */
    private final OutputBudget budget;

    ChatLoop(int index, EventLoopThread thread, ServerContext ctx) {
        this.index = index;
        this.thread = thread;
        this.ctx = ctx;
        this.budget = new OutputBudget(ctx.config.outputBudget() / ctx.config.ioThreads());
    }

    /** Loop thread: the output budget of this loop's sessions. */
    OutputBudget budget() {
        return budget;
    }

    /** Loop thread: every open session of this loop (the budget picks whom to drop among them). */
    Set<Session> sessions() {
        return sessions;
    }

    /** Loop thread: {@code delta} more (or fewer) sessions stopped reading for backpressure. */
    @SuppressWarnings("NonAtomicVolatileUpdate")   // only this loop writes it; volatile for stats readers
    void inputsPaused(int delta) {
        pausedInputs = pausedInputs + delta;
    }

    /**
     * Runs {@code task} on this loop. Any thread. When the loop is already stopping (after the
     * server's shutdown has closed the store) the task is dropped: the only tasks posted that late
     * are results for connections that are already closed.
     */
    void post(Runnable task) {
        try {
            thread.execute(task);
        } catch (RejectedExecutionException e) {
            LOG.log(System.Logger.Level.DEBUG, "loop " + thread.name() + " stopped; task dropped");
        }
    }

    /** Loop thread: takes over an accepted connection, which speaks TLS with {@code tls} unless it is null. */
    // NonAtomicVolatileUpdate: the counters here have a single writer, the loop thread, so the
    // read-modify-write loses nothing; volatile only lets other threads read them.
    @SuppressWarnings("NonAtomicVolatileUpdate")
    void open(SocketChannel channel, SSLContext tls) {
        if (decoder == null) {
            decoder = new Utf8LineDecoder();   // made here: it must belong to this thread
            // Every session arms the same idle timeout: a common timeout makes re-arming O(1).
            thread.base().initCommonTimeout(ctx.config.idleTimeout());
            if (ctx.config.keepalive().enabled()) {
                thread.base().initCommonTimeout(ctx.config.keepalive().interval());
                thread.base().initCommonTimeout(ctx.config.keepalive().timeout());
            }
        }
        Session session = new Session(this, SESSION_IDS.incrementAndGet(), channel, tls);
        sessions.add(session);
        accepted++;
        open = sessions.size();
        session.start();
        if (shuttingDown) {
            session.shutdown();
        }
    }

    /** Loop thread: the decoder for request lines of this loop's sessions. */
    Utf8LineDecoder decoder() {
        return decoder;
    }

    /** Loop thread: whether the server is shutting down (no new commands are started). */
    boolean isShuttingDown() {
        return shuttingDown;
    }

    /** Loop thread: a session of this loop has closed. */
    void closed(Session session) {
        sessions.remove(session);
        open = sessions.size();
        if (shuttingDown && sessions.isEmpty()) {
            drained.complete(null);
        }
    }

    /** Loop thread: {@code session} has claimed {@code user} and is logging in. */
    void loggingIn(OnlineUser user, Session session) {
        loggedIn.put(user.key(), session);
    }

    /** Loop thread: {@code session} no longer logs in as {@code user}. */
    void loggedOut(OnlineUser user, Session session) {
        loggedIn.remove(user.key(), session);
    }

    /** Loop thread: records the largest output queue any session reached (for stats). */
    void outputQueued(long bytes) {
        if (bytes > largestOutput) {
            largestOutput = bytes;
        }
    }

    /** Loop thread: a slow consumer was dropped (for stats). */
    // NonAtomicVolatileUpdate: the counters here have a single writer, the loop thread, so the
    // read-modify-write loses nothing; volatile only lets other threads read them.
    @SuppressWarnings("NonAtomicVolatileUpdate")
    void countSlowConsumer() {
        slowConsumers++;
    }

    // ---------------------------------------------------------------- directory replica

    /** Loop thread, posted by the coordinator: {@code user} is online; tell this loop's sessions. */
    void joined(OnlineUser user) {
        replica.put(user.key(), user);
        broadcast(Events.join(user.name()), user.userId());
    }

    /** Loop thread, posted by the coordinator: {@code user} went offline. */
    void parted(OnlineUser user) {
        if (replica.remove(user.key(), user)) {
            broadcast(Events.part(user.name()), user.userId());
        }
    }

    /**
     * Loop thread, posted by the coordinator: {@code user} logged in on another connection, which
     * took over; no JOIN or PART, since the user never went offline.
     */
    void moved(OnlineUser user) {
        replica.put(user.key(), user);
    }

    /**
     * Loop thread, posted by the coordinator: {@code user}'s login is over (a newer login took the
     * name over, or a password change revoked the credentials it was made with). If that session is
     * still here, it gets {@code BYE <reason>} and is closed.
     */
    void kick(OnlineUser user, String reason) {
        Session session = loggedIn.get(user.key());
        if (session != null && session.id() == user.sessionId()) {
            session.kicked(reason);
        }
    }

    /** Loop thread: the WHO reply, names in case-insensitive order. */
    String whoBlock() {
        List<String> keys = new ArrayList<>(replica.keySet());
        keys.sort(null);
        StringBuilder sb = new StringBuilder();
        for (String key : keys) {
            sb.append(Replies.user(replica.get(key).name()));
        }
        return sb.append(Replies.okCount(keys.size())).toString();
    }

    // ---------------------------------------------------------------- delivery

    /**
     * Loop thread, with a committed private message: hands it to the recipient's loop if the replica
     * says they are online.
     *
     * @return true for {@code OK sent}, false for {@code OK stored}
     */
    boolean routePrivate(StoredMessage message) {
        OnlineUser to = replica.get(OnlineUser.keyOf(message.recipientName()));
        if (to == null || to.userId() != message.recipientId()) {
            return false;
        }
        ChatLoop target = ctx.loops.get(to.loop());
        if (target == this) {
            deliverPrivate(message);
        } else {
            target.post(() -> target.deliverPrivate(message));
        }
        return true;
    }

    /**
     * Loop thread: writes a private message to its recipient if they are still logged in here; it
     * is marked delivered once they have received it. If they are gone (the replica was stale), or
     * still waiting for their pending messages (this one is among them: it was committed before they
     * were asked for), or too slow to take it, or the connection ends before they received it, it
     * stays undelivered in the store and comes at their next login.
     */
    void deliverPrivate(StoredMessage message) {
        Session session = loggedIn.get(OnlineUser.keyOf(message.recipientName()));
        if (session == null || !session.takesLiveMessagesFor(message.recipientId())) {
            return;
        }
        session.privateMessage(message);   // marked delivered once received: see deliveriesChanged
    }

    /**
     * Loop thread: {@code session} has written private messages, or learnt that some were received.
     * Received ones are marked delivered in the store by one request per loop every
     * {@link #DELIVERY_FLUSH} for all its sessions, not one per message: the writer's queue is
     * for messages. A crash loses at most that interval of marks, which costs duplicates (same id)
     * at the next login, never a lost message.
     */
    void deliveriesChanged(Session session) {
        delivering.add(session);
        if (deliveryTimer == null) {
            deliveryTimer = thread.base().newTimer((ev, what) -> flushDeliveries());
        }
        if (!deliveryTimer.isPending(Event.TIMEOUT)) {
            deliveryTimer.add(DELIVERY_FLUSH);
        }
    }

    /**
     * Loop thread: {@code session} is logging out or closing as {@code userId}; {@code received}
     * are the last ids it knows received. Marked at once, so the request is queued before the
     * user can log in again (see Session.goOffline).
     */
    void deliveriesEnded(Session session, long userId, long[] received) {
        delivering.remove(session);
        if (received.length > 0) {
            markDelivered(Map.of(userId, received));
        }
    }

    private void flushDeliveries() {
        Map<Long, long[]> received = new HashMap<>();
        for (Iterator<Session> it = delivering.iterator(); it.hasNext(); ) {
            Session session = it.next();
            long[] ids = session.takeReceived();
            if (ids.length > 0) {
                received.merge(session.userId(), ids, ChatLoop::concat);
            }
            if (!session.hasDeliveries()) {
                it.remove();
            }
        }
        if (!received.isEmpty()) {
            markDelivered(received);
        }
        if (!delivering.isEmpty()) {
            deliveryTimer.add(DELIVERY_FLUSH);
        }
    }

    private void markDelivered(Map<Long, long[]> received) {
        ctx.store.markDelivered(received, result -> {
            if (!result.isOk()) {
                LOG.log(System.Logger.Level.WARNING, "marking private messages delivered failed; they will be"
                        + " sent again at the next login: " + result.error().getMessage());
            }
        });
    }

    private static long[] concat(long[] a, long[] b) {
        long[] both = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }

    /**
     * Hands a committed group message to every loop, this one included, as one {@link GroupLine} whose
     * bytes all loops share. Called only by the store's writer thread, in commit order: being the one
     * producer of group deliveries, it makes every loop's inbox receive them in id order, so all users
     * see one order. At most one task per loop per message, fewer when the loop has not yet taken
     * earlier ones: see {@link #takeGroup}.
     */
    static void fanOutGroup(ServerContext ctx, StoredMessage message) {
        GroupLine line = new GroupLine(message);
        for (ChatLoop loop : ctx.loops) {
            loop.takeGroup(line);
        }
    }

    /**
     * Writer thread: queues {@code line} in this loop's inbox and posts a task to deliver the inbox
     * unless one is posted and has not started yet; that task takes every line queued by then, so
     * messages committed while the loop was busy reach each recipient as one batch.
     *
     * <p>No line is left behind: {@link #deliverGroups} clears {@link #groupTaskPosted} before it
     * drains, so a line queued after the drain's last poll sees the flag clear and posts again.
     * Delivering a line earlier than its own task would have is safe: it is committed, and the
     * writer's later tasks (the senders' {@code OK sent}) still run after it.
     */
    private void takeGroup(GroupLine line) {
        groupInbox.add(line);
        if (!groupTaskPosted.get() && groupTaskPosted.compareAndSet(false, true)) {
            post(this::deliverGroups);
        }
    }

    /**
     * Loop thread: writes the group messages in the inbox to every logged-in session here, each
     * without the lines its user sent. The lines are encoded once for all loops and referenced, not
     * copied, by every output, lines back to back in memory as one span ({@link GroupBatch}); the
     * flush after this task (the write-through {@code Deferred}) sends each connection's share.
     */
    void deliverGroups() {
        groupTaskPosted.set(false);
        List<GroupLine> taken = new ArrayList<>();
        for (GroupLine line = groupInbox.poll(); line != null; line = groupInbox.poll()) {
            taken.add(line);
        }
        if (taken.isEmpty() || loggedIn.isEmpty()) {
            return;
        }
        GroupBatch batch = GroupBatch.of(taken, sharedLines);
        // A copy: a write may drop a slow consumer, which removes it from the map.
        for (Session session : loggedIn.values().toArray(new Session[0])) {
            for (SharedBytes span : batch.forRecipient(session.userId())) {
                if (!session.event(span)) {
                    break;          // not online, or dropped: none of the rest goes out either
                }
            }
        }
    }

    /** Writes {@code line} to every logged-in session of this loop except {@code exceptUserId}'s. */
    private void broadcast(String line, long exceptUserId) {
        if (!loggedIn.isEmpty()) {
            broadcast(sharedLines.encode(line), exceptUserId);
        }
    }

    /** Queues {@code line} on every logged-in session of this loop except {@code exceptUserId}'s. */
    private void broadcast(SharedBytes line, long exceptUserId) {
        // A copy: a write may drop a slow consumer, which removes it from the map.
        for (Session session : loggedIn.values().toArray(new Session[0])) {
            if (session.userId() != exceptUserId) {
                session.event(line);
            }
        }
    }

    // ---------------------------------------------------------------- shutdown

    /**
     * Loop thread: stop starting commands; every session says BYE now, or after the reply to its
     * command in flight.
     *
     * @return completes once every session of this loop has closed
     */
    CompletableFuture<Void> beginShutdown() {
        shuttingDown = true;
        for (Session session : sessions.toArray(new Session[0])) {
            session.shutdown();
        }
        if (sessions.isEmpty()) {
            drained.complete(null);
        }
        return drained;
    }

    /** Loop thread: closes whatever is left, at the end of a shutdown that timed out. */
    void closeAll() {
        for (Session session : sessions.toArray(new Session[0])) {
            session.closeNow("server stopped");
        }
    }

    long accepted() {
        return accepted;
    }

    long openCount() {
        return open;
    }

    long slowConsumers() {
        return slowConsumers;
    }

    long largestOutput() {
        return largestOutput;
    }

    long pausedInputs() {
        return pausedInputs;
    }
}
