package io.jevent.chat.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.LongSupplier;

import javax.net.ssl.SSLContext;

import io.jevent.chat.auth.AuthLimits;
import io.jevent.chat.auth.PasswordHasher;
import io.jevent.chat.auth.ResumeTokens;
import io.jevent.chat.store.ChatStore;
import io.jevent.chat.store.StoreConfig;
import io.jevent.chat.store.StoreException;
import io.jevent.core.Event;
import io.jevent.core.EventBase;
import io.jevent.core.listener.ConnectionListener;
import io.jevent.msgqueue.EventLoopGroup;
import io.jevent.msgqueue.EventLoopThread;

/**
 * The chat server: a plain-text listener, a TLS listener ({@link ServerTls}) or both, N event loops,
 * hashing workers and the SQLite store.
 *
 * <h2>Threads and who owns what</h2>
 * <ul>
 *   <li><b>Loops</b> ({@code chat-io-0..N-1}, an {@link EventLoopGroup}): each owns its connections
 *       and all their state ({@link Session}), plus a replica of the online list
 *       ({@link ChatLoop}). Loop 0 also owns the listening socket, the signal events, and the
 *       {@link Coordinator} (the authoritative online directory and the LOGIN and REGISTER rate
 *       limiters). With one loop, loop 0 is all of them; the code path is the same.</li>
 *   <li><b>Hashing workers</b> ({@code chat-hash-*}, {@code workers} threads, a {@link HashingPool}):
 *       PBKDF2 for REGISTER and LOGIN, so a slow hash never stalls a loop; LOGIN checks are served
 *       first and keep one worker of their own, so a REGISTER flood cannot lock users out.</li>
 *   <li><b>Store</b> threads (one group-commit writer, a reader pool): see {@link ChatStore}.</li>
 * </ul>
 * No lock guards chat state: every result produced elsewhere comes back to the owning loop as a task
 * on its message queue ({@link ChatLoop#post}), and loops talk to each other the same way.
 *
 * <h2>Messages</h2>
 * A message is acknowledged ({@code OK sent}/{@code OK stored}) and delivered only after the store
 * has committed it; the acknowledgement is decided on the sender's loop when the commit result
 * arrives, from its replica of who is online.
 *
 * <h2>Shutdown</h2>
 * {@link #shutdown()} (also SIGTERM/SIGINT when {@link ServerConfig#handleSignals()}): stop
 * accepting; commands queued for the hashing workers are answered {@code ERR 503} unhashed; each
 * connection gets {@code BYE server shutting down} (after the reply to its command in flight, so
 * commits under way finish and are acknowledged); then the store is closed cleanly
 * (its queue is drained and the WAL checkpointed), then the loops and workers stop. The whole is
 * bounded by {@link ServerConfig#shutdownTimeout()} (plus a short grace for the store): a disk that
 * stalls does not hold it up; the writes it abandons are logged and the termination future
 * completes exceptionally with {@link WritesAbandonedException}.
 *
 * <h2>A loop that dies</h2>
 * If a loop thread dies (an {@link Error} such as {@link OutOfMemoryError} escaped it; its
 * {@link EventLoopThread#terminationFuture()} completes exceptionally), the server does not run on
 * without it: it logs the death, shuts down what it still can as above (the other loops' connections
 * get {@code BYE server shutting down}; the dead loop's connections were closed with it; the store
 * is closed cleanly), and {@link #terminationFuture()} then completes exceptionally with a
 * {@link LoopDiedException}, on which the command line exits with status 70 so that a supervisor
 * restarts the process.
 */
public final class ChatServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ChatServer.class.getName());
    /** Per hashing queue (LOGIN, background); the rate limits keep them far below this. */
    private static final int WORKER_QUEUE = 1024;
    /**
     * The least time the store gets to close once the connections are done, even if they used up
     * the shutdown timeout: a healthy store closes in milliseconds, and abandoning its writes for
     * want of them would be a false alarm.
     */
    private static final Duration STORE_CLOSE_GRACE = Duration.ofSeconds(1);

    /**
     * Exit status of {@code chatroom server} when its shutdown gave up on the database: the disk
     * did not answer within the shutdown timeout and accepted writes were abandoned (none of them
     * acknowledged). See {@link #awaitExitStatus()}.
     */
    public static final int EXIT_WRITES_ABANDONED = 3;

    /**
     * Exit status of {@code chatroom server} when it stopped on its own because an event loop thread
     * died (EX_SOFTWARE): it shut down what it could; a supervisor should restart it.
     */
    public static final int EXIT_LOOP_DIED = 70;

    private final ServerConfig config;
    private final ChatStore store;
    private final HashingPool workers;
    private final EventLoopGroup group;
    private final List<ChatLoop> loops;
    private final InetSocketAddress address;
    private final InetSocketAddress tlsAddress;
    private final AtomicBoolean shutdownStarted = new AtomicBoolean();
    private final CompletableFuture<Void> terminated = new CompletableFuture<>();
    /** The first loop death, if any: the shutdown then ends exceptionally with it. */
    private final AtomicReference<LoopDiedException> death = new AtomicReference<>();
    // Loop 0 only; either listener may be null.
    private ConnectionListener listener;
    private ConnectionListener tlsListener;
    private final List<Event> signals = new ArrayList<>();

    private ChatServer(ServerConfig config, ServerTls tls, ChatStore store, HashingPool workers, EventLoopGroup group,
                       List<ChatLoop> loops) throws IOException {
        this.config = config;
        this.store = store;
        this.workers = workers;
        this.group = group;
        this.loops = loops;
        InetSocketAddress[] bound = call(loops.get(0), base -> listen(base, tls));
        this.address = bound[0];
        this.tlsAddress = bound[1];
        for (ChatLoop loop : loops) {
            watchForDeath(loop);
        }
    }

    // FutureReturnValueIgnored: the stage whenComplete returns would only repeat the termination's
    // outcome, which the callback handles; what it starts is reported through terminated.
    @SuppressWarnings("FutureReturnValueIgnored")
    private void watchForDeath(ChatLoop loop) {
        // Runs on the dying loop thread: it only records the death and starts the shutdown thread.
        loop.thread.terminationFuture().whenComplete((left, failure) -> {
            if (failure != null) {
                loopDied(loop, failure instanceof CompletionException c && c.getCause() != null ? c.getCause() : failure);
            }
        });
    }

    /** Any thread (the dying loop's): a loop is gone, so the server stops and reports it. */
    private void loopDied(ChatLoop loop, Throwable cause) {
        LoopDiedException died = new LoopDiedException(loop.thread.name(), cause);
        if (death.compareAndSet(null, died)) {
            LOG.log(System.Logger.Level.ERROR, "loop thread " + loop.thread.name() + " died (" + cause
                    + "); shutting down what is left", cause);
        } else {
            death.get().addSuppressed(died);
        }
        requestShutdown();
    }

    // FutureReturnValueIgnored: the shutdown's outcome is terminated, which awaitExit() and close()
    // report to whoever waits for the server; the thread asking (a loop or signal) cannot act on it.
    @SuppressWarnings("FutureReturnValueIgnored")
    private void requestShutdown() {
        shutdown();
    }

    /**
     * Opens (creating and migrating) the database, starts the loops and workers, binds the listening
     * socket and starts accepting. Blocking; any thread but a loop's.
     *
     * @param config settings
     * @return the running server
     * @throws StoreException if the database cannot be opened
     * @throws IOException    if the address cannot be bound (in use, not local...); nothing is left running
     */
    public static ChatServer start(ServerConfig config) throws StoreException, IOException {
        return start(config, (ServerTls) null);
    }

    /**
     * As {@link #start(ServerConfig)}, with a TLS listener as well as, or instead of, the plain-text one.
     *
     * @param config settings; {@link ServerConfig#bind()} is the plain-text listener's address
     * @param tls    the TLS listener, or null for plain text only
     * @return the running server
     * @throws StoreException if the database cannot be opened
     * @throws IOException    if an address cannot be bound; nothing is left running
     */
    public static ChatServer start(ServerConfig config, ServerTls tls) throws StoreException, IOException {
        return start(config, StoreConfig.defaults(config.database()).withDurability(config.durability()),
                config.authLimits(), System::nanoTime, tls);
    }

    /**
     * As {@link #start(ServerConfig)}, with the store's settings chosen by the caller: tests in this
     * package size the store's queues with it. {@code storeConfig.file()} is the database used.
     */
    static ChatServer start(ServerConfig config, StoreConfig storeConfig) throws StoreException, IOException {
        return start(config, storeConfig, config.authLimits(), System::nanoTime);
    }

    /**
     * As {@link #start(ServerConfig, StoreConfig)}, with the LOGIN and REGISTER rate limits chosen by
     * the caller instead of {@code config.authLimits()}: tests in this package that register many
     * users raise them, or lower them to reach them quickly.
     */
    static ChatServer start(ServerConfig config, StoreConfig storeConfig, AuthLimits limits)
            throws StoreException, IOException {
        return start(config, storeConfig, limits, System::nanoTime);
    }

    /**
     * As {@link #start(ServerConfig, StoreConfig)}, with the clock of the rate limits chosen by the
     * caller: tests in this package drive it by hand.
     */
    static ChatServer start(ServerConfig config, StoreConfig storeConfig, LongSupplier nanoClock)
            throws StoreException, IOException {
        return start(config, storeConfig, config.authLimits(), nanoClock);
    }

    /** The full form: rate limits and their clock chosen by the caller. */
    static ChatServer start(ServerConfig config, StoreConfig storeConfig, AuthLimits limits,
                            LongSupplier nanoClock)
            throws StoreException, IOException {
        return start(config, storeConfig, limits, nanoClock, null);
    }

    /** The full form, with a TLS listener ({@code tls}, or null for none). */
    static ChatServer start(ServerConfig config, StoreConfig storeConfig, AuthLimits limits,
                            LongSupplier nanoClock, ServerTls tls)
            throws StoreException, IOException {
        ChatStore store = ChatStore.open(storeConfig);
        HashingPool workers = null;
        EventLoopGroup group = null;
        try {
            workers = new HashingPool(config.workers(), WORKER_QUEUE, "chat-hash-");
            SecureRandom random = new SecureRandom();
            PasswordHasher hasher = new PasswordHasher(config.pbkdf2Iterations(), random);
            group = new EventLoopGroup(config.ioThreads(), "chat-io");
            ServerContext ctx = new ServerContext(config, store, hasher, workers, limits, new ResumeTokens(random), nanoClock);
            List<ChatLoop> loops = new ArrayList<>();
            for (EventLoopThread thread : group.loops()) {
                loops.add(new ChatLoop(loops.size(), thread, ctx));
            }
            ctx.loops = List.copyOf(loops);
            ctx.coordinator = new Coordinator(loops.get(0), ctx.loops, limits);
            return new ChatServer(config, tls, store, workers, group, ctx.loops);
        } catch (IOException | RuntimeException | Error e) {
            if (group != null) {
                group.close();
            }
            if (workers != null) {
                workers.shutdownNow();
            }
            store.close();
            throw e;
        }
    }

    /**
     * Loop 0, at start: binds, and installs the signal handlers.
     *
     * @return the plain-text and TLS listeners' addresses, each null if not listening
     */
    private InetSocketAddress[] listen(EventBase base, ServerTls tls) {
        if (tls == null || tls.alsoPlain()) {
            listener = bind(base, config.bind(), null);
        }
        if (tls != null) {
            try {
                tlsListener = bind(base, tls.bind(), tls.context());
            } catch (RuntimeException e) {
                if (listener != null) {
                    listener.close();
                }
                throw e;
            }
        }
        if (config.handleSignals()) {
            for (String name : new String[] {"TERM", "INT"}) {
                Event signal = base.newSignal(name, (ev, what) -> {
                    LOG.log(System.Logger.Level.INFO, "SIG" + name + " received, shutting down");
                    requestShutdown();
                });
                signal.add();
                signals.add(signal);
            }
        }
        return new InetSocketAddress[] {
                listener == null ? null : listener.localAddress(),
                tlsListener == null ? null : tlsListener.localAddress()};
    }

    /** Loop 0: a listener whose connections speak TLS with {@code tls}, or plain text if null. */
    private ConnectionListener bind(EventBase base, InetSocketAddress at, SSLContext tls) {
        ConnectionListener l = ConnectionListener.bind(base, at, (ln, channel) -> dispatch(channel, tls));
        l.setErrorCallback((ln, error) ->
                LOG.log(System.Logger.Level.WARNING, "accept failed, pausing: " + error));
        return l;
    }

    /** Loop 0: each new connection goes to the next loop (loop 0 too) through its queue. */
    private void dispatch(SocketChannel channel, SSLContext tls) {
        try {
            group.dispatchAccepted(channel, (base, ch) -> loopOf(base).open(ch, tls));
        } catch (RejectedExecutionException e) {
            LOG.log(System.Logger.Level.DEBUG, "connection refused: shutting down");   // the channel is closed
        }
    }

    private ChatLoop loopOf(EventBase base) {
        for (ChatLoop loop : loops) {
            if (loop.thread.base() == base) {
                return loop;
            }
        }
        throw new IllegalStateException("connection handed to an unknown loop");
    }

    /**
     * Any thread.
     *
     * @return the address the plain-text listener listens on (the real port when configured with
     *         port 0), or null if there is none (TLS only)
     */
    public InetSocketAddress address() {
        return address;
    }

    /**
     * Any thread.
     *
     * @return the address the TLS listener listens on (the real port when configured with port 0),
     *         or null if there is none
     */
    public InetSocketAddress tlsAddress() {
        return tlsAddress;
    }

    /** The hashing pool, for tests in this package that must hold its workers. Any thread. */
    HashingPool hashing() {
        return workers;
    }

    /** The store, for tests in this package that must hold its writer. Any thread. */
    ChatStore store() {
        return store;
    }

    /** @return the configuration it runs with. Any thread. */
    public ServerConfig config() {
        return config;
    }

    /** @return current counters, summed over the loops. Any thread. */
    public ServerStats stats() {
        long accepted = 0;
        long open = 0;
        long slow = 0;
        long largest = 0;
        long queued = 0;
        long peak = 0;
        long budgetDrops = 0;
        long paused = 0;
        List<Long> perLoop = new ArrayList<>();
        for (ChatLoop loop : loops) {
            accepted += loop.accepted();
            open += loop.openCount();
            perLoop.add(loop.openCount());
            slow += loop.slowConsumers();
            largest = Math.max(largest, loop.largestOutput());
            queued += loop.budget().queued();
            peak += loop.budget().peak();
            budgetDrops += loop.budget().drops();
            paused += loop.pausedInputs();
        }
        return new ServerStats(accepted, open, slow, largest, List.copyOf(perLoop), queued, peak, budgetDrops, paused);
    }

    /**
     * Starts a graceful shutdown (see the class comment) on a thread of its own and returns at once.
     * Any thread, any number of times.
     *
     * @return completes when everything has stopped and the database is closed
     */
    public CompletableFuture<Void> shutdown() {
        if (shutdownStarted.compareAndSet(false, true)) {
            Thread stopper = new Thread(this::runShutdown, "chat-shutdown");
            stopper.start();
        }
        return terminated.copy();
    }

    /**
     * Any thread.
     *
     * @return completes when the server has stopped (after {@link #shutdown()} or a signal);
     *         exceptionally with a {@link LoopDiedException} if it stopped because a loop thread
     *         died (see the class comment)
     */
    public CompletableFuture<Void> terminationFuture() {
        return terminated.copy();
    }

    /**
     * Waits until the server has stopped. Any thread but a loop's.
     *
     * @param timeout how long to wait
     * @return true if it has stopped
     * @throws InterruptedException if interrupted while waiting
     */
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        try {
            terminated.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            return true;
        }
    }

    /**
     * Waits until the server has stopped (after {@link #shutdown()} or a signal) and says how, as
     * the status a process running it should exit with. Any thread but a loop's.
     *
     * @return 0 after a clean stop; {@link #EXIT_WRITES_ABANDONED} if the shutdown timed out on
     *         the database and abandoned writes; {@link #EXIT_LOOP_DIED} if it stopped because an
     *         event loop thread died; 1 if it failed otherwise
     */
    public int awaitExitStatus() {
        try {
            terminated.join();
            return 0;
        } catch (CompletionException e) {
            return e.getCause() instanceof LoopDiedException ? EXIT_LOOP_DIED
                    : e.getCause() instanceof WritesAbandonedException ? EXIT_WRITES_ABANDONED : 1;
        }
    }

    /**
     * Shuts down gracefully and waits. Any thread but a loop's.
     *
     * @throws CompletionException if the shutdown abandoned writes (its cause a
     *                             {@link WritesAbandonedException}) or failed
     */
    @Override
    public void close() {
        shutdown().join();
    }

    private void runShutdown() {
        long deadline = System.nanoTime() + config.shutdownTimeout().toNanos();
        try {
            ChatLoop first = loops.get(0);
            // Every step tolerates a dead loop: what was open on it was closed when it died.
            awaitQuietly(onLiveLoop(first, () -> {
                if (listener != null) {
                    listener.close();
                }
                if (tlsListener != null) {
                    tlsListener.close();
                }
                for (Event signal : signals) {
                    signal.del();   // gives the JVM its own handlers back
                    signal.free();
                }
                return null;
            }), Duration.ofSeconds(30));
            // A LOGIN, REGISTER or PASSWORD still queued for PBKDF2 is answered ERR 503 now rather
            // than hashed: the drain below waits for every command in flight, and a queue of them
            // is minutes of hashing. Those being hashed finish and are answered.
            workers.shutdown();
            List<CompletableFuture<Void>> drained = new ArrayList<>();
            for (ChatLoop loop : loops) {
                drained.add(drain(loop));
            }
            if (!awaitQuietly(CompletableFuture.allOf(drained.toArray(CompletableFuture[]::new)),
                    remaining(deadline))) {
                LOG.log(System.Logger.Level.WARNING, "connections still open after " + config.shutdownTimeout()
                        + "; closing them");
            }
            // Commits still queued complete (and are acknowledged if their connection is open),
            // unless the disk does not answer in time: then they are abandoned, unacknowledged.
            Duration storeTime = remaining(deadline);
            ChatStore.CloseOutcome closed = store.close(
                    storeTime.compareTo(STORE_CLOSE_GRACE) < 0 ? STORE_CLOSE_GRACE : storeTime);
            if (!closed.clean()) {
                LOG.log(System.Logger.Level.ERROR, "shutdown timed out after " + config.shutdownTimeout().toMillis()
                        + " ms waiting for the database: abandoned " + closed.abandonedWrites()
                        + " unacknowledged writes (" + closed.writesUnderWay() + " in the transaction under way,"
                        + " which is rolled back unless the disk answers before exit, and "
                        + closed.writesDropped() + " queued, never run)");
            }
            for (ChatLoop loop : loops) {
                loop.post(loop::closeAll);
            }
            // A dead loop makes this complete exceptionally once all have ended; that death is known.
            awaitQuietly(group.shutdownGracefully(Duration.ZERO, Duration.ofSeconds(5)), Duration.ofSeconds(10));
            // No loop is left to post to, so interrupting the workers can close no wake-up channel.
            workers.shutdownNow();
            if (!workers.awaitTermination(10, TimeUnit.SECONDS)) {
                LOG.log(System.Logger.Level.WARNING, "hashing workers still running 10 s after the shutdown");
            }
            LoopDiedException died = death.get();
            if (died != null) {
                LOG.log(System.Logger.Level.ERROR, "server stopped after " + died.getMessage()
                        + (closed.clean() ? "; database closed" : ""));
                terminated.completeExceptionally(died);
            } else if (closed.clean()) {
                LOG.log(System.Logger.Level.INFO, "server stopped; database closed");
                terminated.complete(null);
            } else {
                terminated.completeExceptionally(new WritesAbandonedException(closed.abandonedWrites()));
            }
        } catch (Throwable t) {
            LOG.log(System.Logger.Level.ERROR, "shutdown failed", t);
            try {
                store.close(STORE_CLOSE_GRACE);
            } catch (InterruptedException | RuntimeException e) {
                t.addSuppressed(e);
            }
            terminated.completeExceptionally(t);
        }
    }

    private static Duration remaining(long deadline) {
        return Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
    }

    /** Starts {@code loop}'s drain; completes when it is drained, or has died (nothing left to drain). */
    // FutureReturnValueIgnored flags the future of a future onLiveLoop returns here: it is deliberate
    // (beginShutdown must run on the loop and returns the drain) and flattened at once.
    @SuppressWarnings("FutureReturnValueIgnored")
    private static CompletableFuture<Void> drain(ChatLoop loop) {
        return onLiveLoop(loop, loop::beginShutdown).thenCompose(f -> f).exceptionally(t -> null);
    }

    /**
     * Runs {@code task} on {@code loop}; the result fails instead of never completing if the loop has
     * died or dies before running it.
     */
    // FutureReturnValueIgnored: whenComplete only registers the listener that fails result; the stage it
    // returns would report nothing but the termination, which result then carries.
    @SuppressWarnings("FutureReturnValueIgnored")
    private static <T> CompletableFuture<T> onLiveLoop(ChatLoop loop, Callable<T> task) {
        CompletableFuture<T> result;
        try {
            result = loop.thread.submit(task);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.failedFuture(e);
        }
        loop.thread.terminationFuture().whenComplete((left, t) -> result.completeExceptionally(
                new RejectedExecutionException("loop " + loop.thread.name() + " ended")));
        return result;
    }

    /**
     * Waits for {@code f} up to {@code max}; a failure (a dead loop) counts as done, since each
     * caller goes on the same way.
     *
     * @return false only if it timed out
     */
    private static boolean awaitQuietly(CompletableFuture<?> f, Duration max) throws InterruptedException {
        try {
            f.get(max.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            LOG.log(System.Logger.Level.DEBUG, "shutdown step failed: " + e.getCause());
        } catch (TimeoutException e) {
            return false;
        }
        return true;
    }

    /** Runs {@code task} on {@code loop} and waits for its result, unwrapping I/O failures. */
    private static <T> T call(ChatLoop loop, Function<EventBase, T> task) throws IOException {
        try {
            return loop.thread.submit(() -> task.apply(loop.thread.base())).get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof UncheckedIOException u) {
                throw new IOException(u.getMessage(), u.getCause());
            }
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException("loop task failed", cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for loop " + loop.thread.name(), e);
        } catch (TimeoutException e) {
            throw new IOException("loop " + loop.thread.name() + " did not answer", e);
        }
    }
}
