package io.jevent.chat.store;

import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The single writer thread and its bounded queue: group commit.
 *
 * <p>The writer blocks for one request, then takes whatever else is already queued (up to
 * {@code maxBatch}), runs them all in ONE transaction (each in its own savepoint), commits, and only
 * then completes the callbacks in submission order. Under load many requests share one commit (and
 * one fsync); when idle a lone request is committed at once: there is no timer and no added latency.
 *
 * <p>Threads: any thread may {@link #submit}; only the writer thread touches {@link WriterOps}, the
 * batch list and the request outcomes. A batch first runs without savepoints; only if a request
 * fails with an SQL error is it rolled back and run again with one savepoint per request, so the
 * failure semantics are those of the careful path and the common case pays for none of it. {@code closed} is guarded by {@code submitLock} so that no
 * request can enter the queue after the poison pill: everything accepted before {@link #close} is
 * executed and completed, and everything after fails with CLOSED.
 */
final class GroupCommitWriter {
    private static final System.Logger LOG = System.getLogger(ChatStore.class.getName());
    private static final WriteRequest<Void> POISON = new WriteRequest<>(ops -> null, r -> { });

    private final BlockingQueue<WriteRequest<?>> queue;
    private final int maxBatch;
    private final WriterOps ops;
    private final Thread thread;
    private final Object submitLock = new Object();
    private boolean closed;   // guarded by submitLock
    private final Object closeLock = new Object();
    private boolean stopQueued;   // guarded by closeLock

    // Written only by the writer thread (plain single-writer counters); read by stats() anywhere.
    private volatile long requests;
    private volatile long batches;
    private volatile long failedBatches;
    private volatile long largestBatch;
    /** Requests in the batch under way, 0 between batches: what a timed-out close abandons. */
    private volatile int inBatch;
    private final AtomicLong rejected = new AtomicLong();

    GroupCommitWriter(WriterOps ops, int queueCapacity, int maxBatch) {
        this.ops = ops;
        this.queue = new ArrayBlockingQueue<>(queueCapacity);
        this.maxBatch = maxBatch;
        this.thread = new Thread(this::run, "chatstore-writer");
        // Daemon: a JVM that exits without close() loses only unacknowledged requests, because a
        // request is acknowledged only after its commit.
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** Requests queued and not yet taken by the writer, for tests that order requests. Any thread. */
    int queued() {
        return queue.size();
    }

    /** Queues a request, or fails it at once (on the calling thread) if the queue is full or closed. */
    <T> void submit(WriteRequest.Operation<T> operation, Consumer<Result<T>> callback) {
        WriteRequest<T> request = new WriteRequest<>(operation, callback);
        boolean accepted;
        synchronized (submitLock) {
            if (closed) {
                WriteRequest.complete(callback, Result.failed(ChatStore.closedError()));
                return;
            }
            accepted = queue.offer(request);
        }
        if (!accepted) {
            rejected.incrementAndGet();
            WriteRequest.complete(callback,
                    Result.failed(new StoreException(StoreException.Kind.BUSY, "write queue full")));
        }
    }

    /** Statements the writer has run so far; for tests of what a request costs. Any thread. */
    long statementUses() {
        return ops.statementUses();
    }

    boolean isWriterThread() {
        return Thread.currentThread() == thread;
    }

    /**
     * Stops accepting, lets the writer finish the queue, checkpoint and close the connection, and
     * waits for the writer thread to end. Idempotent; any thread but the writer.
     *
     * <p>Not interruptible: an interrupt cannot be allowed to cut close() between setting
     * {@code closed} and queueing the stop marker, because then no one would ever queue it and
     * every later close() would wait for a writer that never stops. An interrupt that arrives
     * meanwhile is remembered and the flag set again before returning.
     */
    void close() {
        synchronized (submitLock) {
            closed = true;
        }
        boolean interrupted = false;
        // The first closer queues the marker; closeLock makes a concurrent closer wait until it is
        // queued, and stopQueued (guarded by closeLock) makes sure it is queued exactly once.
        synchronized (closeLock) {
            while (!stopQueued) {
                try {
                    // No submit can enqueue after closed=true, so put() only waits for the writer
                    // to drain the queue.
                    queue.put(POISON);
                    stopQueued = true;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * As {@link #close()}, but gives up at {@code max}: a stalled disk (an fsync that does not
     * return, a lock another process holds) must not hold a shutdown forever. On giving up, the
     * requests still queued are failed with CLOSED here (they never run) and the batch under way
     * is left to the writer thread, which is a daemon: if the disk comes back before the process
     * exits it finishes that batch and closes the connection; otherwise the process exits with the
     * batch uncommitted, which SQLite rolls back at the next open. Any thread but the writer; not
     * concurrently with {@link #close()}.
     *
     * @return what was abandoned; {@link ChatStore.CloseOutcome#clean()} if nothing
     * @throws InterruptedException if interrupted while waiting (then nothing was abandoned yet)
     */
    ChatStore.CloseOutcome close(Duration max) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        synchronized (submitLock) {
            closed = true;
        }
        synchronized (closeLock) {
            if (!stopQueued) {
                stopQueued = queue.offer(POISON, remaining(deadline), TimeUnit.NANOSECONDS);
            }
        }
        thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(remaining(deadline))));
        if (!thread.isAlive()) {
            return ChatStore.CloseOutcome.CLEAN;
        }
        int underWay = inBatch;
        List<WriteRequest<?>> dropped = new ArrayList<>();
        queue.drainTo(dropped);
        boolean hadStop = dropped.remove(POISON);
        StoreException error = ChatStore.closedError();
        for (WriteRequest<?> request : dropped) {
            request.fail(error);
            request.complete();
        }
        synchronized (closeLock) {
            if (hadStop || !stopQueued) {
                // Room again: the writer, if it ever comes back, stops after its batch.
                stopQueued = queue.offer(POISON);
            }
        }
        return new ChatStore.CloseOutcome(false, underWay, dropped.size());
    }

    private static long remaining(long deadline) {
        return Math.max(0, deadline - System.nanoTime());
    }

    /** Waits up to {@code max} for the writer thread to end; for tests. */
    boolean awaitStopped(Duration max) throws InterruptedException {
        thread.join(Math.max(1, max.toMillis()));
        return !thread.isAlive();
    }

    StoreStats stats(long readerRejections) {
        return new StoreStats(requests, batches, failedBatches, largestBatch, rejected.get() + readerRejections);
    }

    private void run() {
        List<WriteRequest<?>> batch = new ArrayList<>(maxBatch);
        boolean stop = false;
        while (!stop) {
            batch.add(takeUninterruptibly());
            queue.drainTo(batch, maxBatch - 1);
            // The pill is always the last request ever queued, so it can only be the last in a batch.
            if (batch.get(batch.size() - 1) == POISON) {
                batch.remove(batch.size() - 1);
                stop = true;
            }
            if (!batch.isEmpty()) {
                inBatch = batch.size();
                runBatch(batch);
                inBatch = 0;
                batch.clear();
            }
        }
        shutdownConnection();
    }

    // NonAtomicVolatileUpdate: the counters here have a single writer, the writer thread, so the
    // read-modify-write loses nothing; volatile only lets other threads read them.
    @SuppressWarnings("NonAtomicVolatileUpdate")
    private void runBatch(List<WriteRequest<?>> batch) {
        try {
            ops.begin();
            if (!runOptimistically(batch)) {
                // A request failed with an SQL error, which may have left part of its work in the
                // transaction: start the batch again with a savepoint per request, so that request
                // fails alone (or, if the transaction itself is broken, the whole batch does).
                ops.discardStatements();
                rollbackQuietly();
                ops.begin();
                for (WriteRequest<?> request : batch) {
                    request.execute(ops);
                }
            }
            ops.commit();
        } catch (SQLException e) {
            // Nothing of this batch is committed: every request fails, none half done. The
            // statements go first: after SQLITE_FULL on COMMIT the driver has finalized COMMIT
            // (and the ROLLBACK that finds no transaction finalizes itself), and reusing them
            // would fail every later batch.
            ops.discardStatements();
            rollbackQuietly();
            StoreException error = new StoreException(StoreException.Kind.DATABASE, WriteRequest.describe(e), e);
            for (WriteRequest<?> request : batch) {
                request.fail(error);
            }
            failedBatches = failedBatches + 1;
            LOG.log(System.Logger.Level.ERROR, "batch of " + batch.size() + " writes rolled back", e);
        }
        requests = requests + batch.size();
        batches = batches + 1;
        largestBatch = Math.max(largestBatch, batch.size());
        // Completion strictly after commit: an acknowledged write is a committed write.
        for (WriteRequest<?> request : batch) {
            request.complete();
        }
    }

    /**
     * Runs the batch without savepoints: the common case, where no request fails with an SQL error,
     * costs no SAVEPOINT/RELEASE statements. A {@link StoreException} (name taken, no such user) is
     * thrown before a request changes anything (the {@link WriteRequest.Operation} contract), so it
     * fails only its request here too.
     *
     * @return false at the first request that failed with an SQL or runtime error; the caller then
     *         rolls back and runs the batch again the careful way
     */
    private boolean runOptimistically(List<WriteRequest<?>> batch) {
        for (WriteRequest<?> request : batch) {
            if (!request.executeWithoutSavepoint(ops)) {
                LOG.log(System.Logger.Level.DEBUG, "batch of " + batch.size() + " runs again with savepoints");
                return false;
            }
        }
        return true;
    }

    private void rollbackQuietly() {
        try {
            ops.rollback();
        } catch (SQLException e) {
            // Usually "no transaction is active": SQLite rolled back on its own (after SQLITE_FULL
            // or an I/O error it may). Anything else would show up again at the next BEGIN.
            ops.discardStatements();
            LOG.log(System.Logger.Level.DEBUG, "rollback after a failed batch: " + e.getMessage());
        }
    }

    private WriteRequest<?> takeUninterruptibly() {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return queue.take();
                } catch (InterruptedException e) {
                    interrupted = true;   // only the poison pill stops the writer
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void shutdownConnection() {
        try {
            ops.checkpoint();
        } catch (SQLException e) {
            LOG.log(System.Logger.Level.WARNING, "final WAL checkpoint failed", e);
        }
        try {
            ops.close();
        } catch (SQLException e) {
            LOG.log(System.Logger.Level.WARNING, "closing writer connection failed", e);
        }
    }
}
