package io.jevent.chat.store;

import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A small fixed pool of reader threads with one connection each (WAL lets readers run alongside
 * the writer). Connections are opened eagerly so a bad file fails {@link ChatStore#open}, and sit
 * in an idle queue: a task takes one, uses it, puts it back. With as many connections as threads
 * the take never waits.
 *
 * <p>Any thread may {@link #submit}; callbacks run on a reader thread, or on the submitting thread
 * when the request is rejected (queue full or closed).
 */
final class ReaderPool {
    /** What to run on a reader connection. */
    @FunctionalInterface
    interface Operation<T> {
        T run(ReaderOps ops) throws SQLException, StoreException;
    }

    private final ThreadPoolExecutor executor;
    private final BlockingQueue<ReaderOps> idle;
    private final List<ReaderOps> all;
    private final AtomicLong rejected = new AtomicLong();

    /** Takes ownership of {@code connections} (closed by {@link #close}). */
    ReaderPool(List<ReaderOps> connections, int queueCapacity) {
        this.all = new ArrayList<>(connections);
        this.idle = new ArrayBlockingQueue<>(connections.size(), false, connections);
        AtomicInteger counter = new AtomicInteger();
        this.executor = new ThreadPoolExecutor(connections.size(), connections.size(), 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(queueCapacity), r -> {
                    Thread t = new Thread(r, "chatstore-reader-" + counter.incrementAndGet());
                    t.setDaemon(true);   // reads acknowledge nothing; never keep the JVM alive
                    return t;
                }, new ThreadPoolExecutor.AbortPolicy());
    }

    <T> void submit(Operation<T> operation, Consumer<Result<T>> callback) {
        try {
            executor.execute(() -> WriteRequest.complete(callback, run(operation)));
        } catch (RejectedExecutionException e) {
            if (executor.isShutdown()) {
                WriteRequest.complete(callback, Result.failed(ChatStore.closedError()));
            } else {
                rejected.incrementAndGet();
                WriteRequest.complete(callback,
                        Result.failed(new StoreException(StoreException.Kind.BUSY, "read queue full")));
            }
        }
    }

    long rejected() {
        return rejected.get();
    }

    /**
     * Lets queued reads finish, then closes every connection. Not interruptible, for the same
     * reason as {@link GroupCommitWriter#close}: an interrupt that arrives meanwhile is kept and
     * the flag set again before returning.
     */
    void close() {
        executor.shutdown();
        boolean interrupted = false;
        while (true) {
            try {
                if (executor.awaitTermination(1, TimeUnit.MINUTES)) {
                    break;
                }
                System.getLogger(ChatStore.class.getName())
                        .log(System.Logger.Level.WARNING, "still waiting for reads to finish");
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        for (ReaderOps ops : all) {
            try {
                ops.close();
            } catch (SQLException e) {
                System.getLogger(ChatStore.class.getName())
                        .log(System.Logger.Level.WARNING, "closing reader connection failed", e);
            }
        }
    }

    /**
     * As {@link #close()}, but waits at most {@code max} for the reads under way; on giving up,
     * queued reads are dropped (their callbacks never run: only closing connections wait for them)
     * and the connections are left to the exiting process.
     *
     * @return whether every reader stopped and its connection was closed
     * @throws InterruptedException if interrupted while waiting
     */
    boolean close(Duration max) throws InterruptedException {
        executor.shutdown();
        if (!executor.awaitTermination(Math.max(1, max.toMillis()), TimeUnit.MILLISECONDS)) {
            executor.shutdownNow();
            return false;
        }
        for (ReaderOps ops : all) {
            try {
                ops.close();
            } catch (SQLException e) {
                System.getLogger(ChatStore.class.getName())
                        .log(System.Logger.Level.WARNING, "closing reader connection failed", e);
            }
        }
        return true;
    }

    private <T> Result<T> run(Operation<T> operation) {
        ReaderOps ops = idle.poll();   // never empty: one connection per thread
        try {
            return Result.ok(operation.run(ops));
        } catch (StoreException e) {
            return Result.failed(e);
        } catch (SQLException | RuntimeException e) {
            return Result.failed(new StoreException(StoreException.Kind.DATABASE, WriteRequest.describe(e), e));
        } finally {
            idle.add(ops);
        }
    }
}
