package io.jevent.chat.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * Copies committed pages from the WAL back into the database file on a thread of its own, so the
 * writer does not stop committing while it happens.
 *
 * <p>Why: with SQLite's default, the committing connection checkpoints whenever the WAL passes
 * 1,000 pages. Every private message dirties a leaf of each index keyed by user, so a batch of a
 * few hundred messages dirties hundreds of pages and the writer ended up checkpointing after
 * nearly every commit, copying the same hot pages again and again while every acknowledgement
 * waited. Here a checkpoint runs at most once per {@link #INTERVAL} after a commit, copying each
 * page once however many commits rewrote it meanwhile, in parallel with the writer's next batches.
 * The writer keeps SQLite's own checkpoint as a safety net at {@link Connections#WRITER_AUTOCHECKPOINT_PAGES}
 * (the WAL only restarts from its beginning once fully copied, which a writer committing without
 * pause can delay).
 *
 * <p>A {@code PASSIVE} checkpoint never blocks the writer or the readers and is never blocked by
 * them: it copies what no reader still needs and leaves the rest to the next one. Durability is
 * unchanged: a commit is durable once its WAL frames are (see {@link StoreConfig.Durability});
 * the checkpoint only moves them.
 *
 * <p>Threads: {@link #committed} is called by the writer thread after each commit; everything else
 * of this class (the connection, the statement) is owned by the checkpointer thread, except
 * {@link #close}, called once by the closing thread, which only signals and joins.
 */
final class Checkpointer {
    /** Least time between two checkpoints: long enough that hot pages are copied once for many commits. */
    static final Duration INTERVAL = Duration.ofMillis(100);

    private static final System.Logger LOG = System.getLogger(ChatStore.class.getName());

    private final Connection connection;
    private final Consumer<Result<long[]>> onCheckpoint;
    private final Thread thread;
    /** Set by the writer after a commit, cleared by the checkpointer before it copies. */
    private final AtomicBoolean committedSinceCheckpoint = new AtomicBoolean();
    private volatile boolean stopping;

    /**
     * @param connection   a connection of its own, handed over to the checkpointer thread
     * @param onCheckpoint told after each checkpoint, on the checkpointer thread: the WAL's frames
     *                     and how many of them are now in the database file, or the error; for
     *                     tests and logging
     */
    Checkpointer(Connection connection, Consumer<Result<long[]>> onCheckpoint) {
        this.connection = connection;
        this.onCheckpoint = onCheckpoint;
        this.thread = new Thread(this::run, "chatstore-checkpointer");
        // Daemon: a checkpoint only moves committed data; a process that exits mid-way loses nothing.
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /**
     * Writer thread, after each commit: a checkpoint is due. Costs one uncontended CAS per commit
     * while a checkpoint is already due, and an unpark otherwise.
     */
    void committed() {
        // The CAS orders the writer's commit before the checkpointer's next read of the flag: the
        // checkpointer clears the flag before it checkpoints, so a commit that lands during a
        // checkpoint sets it again and gets a checkpoint of its own.
        if (committedSinceCheckpoint.compareAndSet(false, true)) {
            LockSupport.unpark(thread);
        }
    }

    /**
     * Stops the thread after the checkpoint under way (if any) and closes the connection. Waits at
     * most {@code max}: a stalled disk must not hold a shutdown; the thread is a daemon then.
     * Any thread but the checkpointer; once.
     */
    void close(Duration max) throws InterruptedException {
        stopping = true;
        LockSupport.unpark(thread);
        thread.join(Math.max(1, max.toMillis()));
    }

    /** As {@link #close(Duration)} with no time limit, ignoring interrupts until done (the flag is set again after). */
    void closeUninterruptibly() {
        stopping = true;
        LockSupport.unpark(thread);
        boolean interrupted = false;
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

    private void run() {
        try (PreparedStatement checkpoint = connection.prepareStatement("PRAGMA wal_checkpoint(PASSIVE)")) {
            long lastNanos = System.nanoTime() - INTERVAL.toNanos();
            while (!stopping) {
                if (!committedSinceCheckpoint.get()) {
                    LockSupport.park(this);
                    continue;
                }
                long wait = lastNanos + INTERVAL.toNanos() - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(this, wait);
                    continue;
                }
                committedSinceCheckpoint.set(false);
                lastNanos = System.nanoTime();
                onCheckpoint.accept(checkpointOnce(checkpoint));
            }
        } catch (SQLException e) {
            LOG.log(System.Logger.Level.WARNING, "WAL checkpointer stopped; the writer checkpoints alone", e);
        } finally {
            try {
                connection.close();
            } catch (SQLException e) {
                LOG.log(System.Logger.Level.DEBUG, "closing the checkpointer connection: " + e.getMessage());
            }
        }
    }

    /** One PASSIVE checkpoint: a failure (a full disk) is reported and the next commit tries again. */
    private static Result<long[]> checkpointOnce(PreparedStatement checkpoint) {
        try (ResultSet rs = checkpoint.executeQuery()) {
            // Columns: busy (always 0 for PASSIVE), frames in the WAL, frames now in the database.
            rs.next();
            return Result.ok(new long[] {rs.getLong(2), rs.getLong(3)});
        } catch (SQLException e) {
            LOG.log(System.Logger.Level.WARNING, "WAL checkpoint failed: " + e.getMessage());
            return Result.failed(new StoreException(StoreException.Kind.DATABASE, WriteRequest.describe(e), e));
        }
    }
}
