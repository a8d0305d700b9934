package io.jevent.msgqueue;

import io.jevent.core.EventBase;
import io.jevent.core.listener.AcceptCallback;
import io.jevent.core.listener.ConnectionListener;

import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;

/**
 * N {@link EventLoopThread}s sharing the work of a server: {@link #next()} hands them out round-robin,
 * and {@link #dispatchAccepted} (or a {@link ConnectionListener} bound with {@link #dispatcher}) moves
 * an accepted connection onto one of them — the memcached dispatcher pattern: one loop accepts, each
 * connection then lives on a single worker loop.
 *
 * <p>All methods are safe from any thread unless said otherwise.
 */
public final class EventLoopGroup implements Executor, AutoCloseable {

    private static final System.Logger LOG = System.getLogger(EventLoopGroup.class.getName());
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

    private final List<EventLoopThread> loops;
    private final AtomicInteger nextIndex = new AtomicInteger();

    /**
     * Creates and starts {@code threads} loop threads named {@code namePrefix-0}, {@code namePrefix-1}…
     *
     * @param threads    how many loops, at least 1
     * @param namePrefix prefix of the thread names
     * @throws IllegalArgumentException if {@code threads} is not positive
     * @throws NullPointerException     if {@code namePrefix} is null
     */
    public EventLoopGroup(int threads, String namePrefix) {
        Objects.requireNonNull(namePrefix, "namePrefix");
        if (threads <= 0) {
            throw new IllegalArgumentException("threads must be positive, got " + threads);
        }
        List<EventLoopThread> created = new ArrayList<>(threads);
        try {
            for (int i = 0; i < threads; i++) {
                EventLoopThread loop = new EventLoopThread(namePrefix + "-" + i);
                created.add(loop);
                loop.start();
            }
        } catch (RuntimeException | Error e) {
            stopAtOnce(created);
            throw e;
        }
        this.loops = List.copyOf(created);
    }

    // FutureReturnValueIgnored: the constructor is already failing with its own error; no task was
    // handed to these loops, so their shutdowns have nothing to list, and a loop that died logs it.
    @SuppressWarnings("FutureReturnValueIgnored")
    private static void stopAtOnce(List<EventLoopThread> loops) {
        for (EventLoopThread loop : loops) {
            loop.shutdown(Duration.ZERO, Duration.ZERO);
        }
    }

    /**
     * Picks a loop for new work, such as an accepted connection. Any thread; lock-free.
     *
     * @return the next loop, round-robin
     */
    public EventLoopThread next() {
        int i = nextIndex.getAndIncrement() & Integer.MAX_VALUE;
        return loops.get(i % loops.size());
    }

    /**
     * The group's loops, fixed at construction. Any thread.
     *
     * @return the loops, in name order (unmodifiable)
     */
    public List<EventLoopThread> loops() {
        return loops;
    }

    /**
     * The number of loops, fixed at construction. Any thread.
     *
     * @return how many loops the group has
     */
    public int size() {
        return loops.size();
    }

    /**
     * Runs {@code task} on the {@link #next()} loop.
     *
     * @param task the task
     * @throws RejectedExecutionException if the group is shutting down
     */
    @Override
    public void execute(Runnable task) {
        next().execute(task);
    }

    /**
     * Hands an accepted connection to the {@link #next()} loop: there it is made non-blocking and
     * {@code init} runs on the loop thread with that loop's base, to register the channel (build its
     * {@code BufferEvent}). The channel then belongs to that loop.
     *
     * <p>If the hand-off is rejected (the group is shutting down), the channel is closed and the
     * exception thrown. If {@code init} throws, or the channel cannot be made non-blocking, the channel
     * is closed and the error logged. A hand-off still queued when a loop stops at its timeout is closed
     * by {@link #shutdownGracefully} and listed in its result.
     *
     * @param channel an accepted connection, from any source
     * @param init    builds the connection's handling on the loop thread
     * @return the loop the channel went to
     * @throws RejectedExecutionException if the group is shutting down (the channel is closed)
     * @throws NullPointerException       if an argument is null
     */
    public EventLoopThread dispatchAccepted(SocketChannel channel, BiConsumer<EventBase, SocketChannel> init) {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(init, "init");
        EventLoopThread loop = next();
        try {
            loop.execute(new AcceptedHandoff(loop, channel, init));
        } catch (RejectedExecutionException e) {
            closeQuietly(channel);
            throw e;
        }
        return loop;
    }

    /**
     * An accept callback for a {@link ConnectionListener} that hands every connection to
     * {@link #dispatchAccepted}: bind the listener with it on an acceptor loop (a separate
     * {@link EventLoopThread}, or one of the group's), and each connection is served by the next loop
     * of the group. A connection refused because the group is shutting down is closed and logged.
     *
     * <p>Any thread may call this; the callback runs on the listener's loop thread.
     *
     * @param init builds each connection's handling, on the loop it was handed to
     * @return the callback to give {@link ConnectionListener#bind}
     * @throws NullPointerException if {@code init} is null
     */
    public AcceptCallback dispatcher(BiConsumer<EventBase, SocketChannel> init) {
        Objects.requireNonNull(init, "init");
        return (listener, channel) -> {
            try {
                dispatchAccepted(channel, init);
            } catch (RejectedExecutionException e) {
                LOG.log(System.Logger.Level.DEBUG, "group shutting down: connection closed", e);
            }
        };
    }

    /**
     * Shuts every loop down as {@link EventLoopThread#shutdown} does, in parallel: each loop, when it
     * terminates, closes the buffer events and listeners still open on it, so no connection of the
     * group outlives it.
     *
     * @param quietPeriod see {@link EventLoopThread#shutdown}
     * @param timeout     see {@link EventLoopThread#shutdown}
     * @return completes when every loop has terminated, with all their unrun tasks; channels of unrun
     *         hand-offs are already closed. If a loop thread had died, it completes exceptionally with
     *         what killed it (see {@link EventLoopThread#terminationFuture()}), once all have terminated
     *         and those channels are closed too
     */
    public CompletableFuture<List<Runnable>> shutdownGracefully(Duration quietPeriod, Duration timeout) {
        List<CompletableFuture<List<Runnable>>> all = new ArrayList<>();
        for (EventLoopThread loop : loops) {
            all.add(loop.shutdown(quietPeriod, timeout));
        }
        // Waits for every loop, also when one died (allOf would complete at the first failure).
        CompletableFuture<?>[] ended = all.stream().map(f -> f.handle((v, t) -> null)).toArray(CompletableFuture[]::new);
        return CompletableFuture.allOf(ended).thenApply(ignored -> {
            List<Runnable> left = new ArrayList<>();
            Throwable death = null;
            for (int i = 0; i < all.size(); i++) {
                CompletableFuture<List<Runnable>> f = all.get(i);
                if (f.isCompletedExceptionally() && death == null) {
                    death = f.handle((v, t) -> t instanceof CompletionException c ? c.getCause() : t).join();
                }
                for (Runnable r : loops.get(i).unrunTasks()) {
                    if (r instanceof AcceptedHandoff h) {
                        closeQuietly(h.channel);
                    }
                    left.add(r);
                }
            }
            if (death != null) {
                throw new CompletionException(death);
            }
            return left;
        });
    }

    /**
     * Blocks until every loop has terminated or {@code timeout} has passed.
     *
     * @param timeout how long to wait in total
     * @return {@code true} if all terminated
     * @throws InterruptedException if interrupted while waiting
     */
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (EventLoopThread loop : loops) {
            if (!loop.awaitTermination(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())))) {
                return false;
            }
        }
        return true;
    }

    /**
     * Shuts down with no quiet period and a 30 s timeout and waits. Not from one of the group's loops.
     * Returns normally also if a loop thread had died (it was logged; its termination future reports it).
     *
     * @throws IllegalStateException if called on one of the group's loop threads
     */
    @Override
    public void close() {
        for (EventLoopThread loop : loops) {
            if (loop.inLoopThread()) {
                throw new IllegalStateException("close() would wait for its own thread; use shutdownGracefully()");
            }
        }
        shutdownGracefully(Duration.ZERO, CLOSE_TIMEOUT).exceptionally(death -> List.of()).join();
    }

    private static void closeQuietly(SocketChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "closing a handed-off channel failed", e);
        }
    }

    /** The task that carries an accepted channel to its loop. */
    private static final class AcceptedHandoff implements Runnable {
        final EventLoopThread loop;
        final SocketChannel channel;
        final BiConsumer<EventBase, SocketChannel> init;

        AcceptedHandoff(EventLoopThread loop, SocketChannel channel, BiConsumer<EventBase, SocketChannel> init) {
            this.loop = loop;
            this.channel = channel;
            this.init = init;
        }

        @Override
        public void run() {
            try {
                channel.configureBlocking(false);
                init.accept(loop.base(), channel);
            } catch (Throwable t) {
                closeQuietly(channel);
                if (t instanceof VirtualMachineError fatal) {
                    throw fatal;        // one policy with EventBase: the JVM's errors end the loop
                }
                LOG.log(System.Logger.Level.WARNING, "init of a handed-off connection failed on " + loop.name()
                        + "; the connection is closed", t);
            }
        }

        @Override
        public String toString() {
            return "AcceptedHandoff[" + channel + "]";
        }
    }
}
