package io.jevent.chat.store;

import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Faults injected into a running store's writer, for tests in any package: a disk that fills up
 * ({@code PRAGMA max_page_count}, which SQLite enforces per connection exactly as it treats a full
 * file system: {@code SQLITE_FULL}) and then has space again, and a disk that stops answering.
 */
public final class StoreFaults {
    private StoreFaults() {
    }

    /** The database file may not grow any more: the next write that needs a new page fails with SQLITE_FULL. */
    public static void fillDisk(ChatStore store) {
        onWriter(store, "PRAGMA max_page_count = " + pageCount(store));
    }

    /** Space is back. */
    public static void freeDisk(ChatStore store) {
        onWriter(store, "PRAGMA max_page_count = 1073741823");
    }

    /**
     * The disk stops answering: the writer blocks inside its transaction, as in an fsync that does
     * not return, until the process exits. Returns once the writer is blocked.
     */
    public static void stallWriter(ChatStore store) {
        CountDownLatch stalled = new CountDownLatch(1);
        Object never = new Object();
        store.writer().<Void>submit(ops -> {
            stalled.countDown();
            while (true) {
                synchronized (never) {
                    try {
                        never.wait();   // nobody notifies: a disk that does not answer
                    } catch (InterruptedException e) {
                        // nor does it answer interrupts
                    }
                }
            }
        }, r -> { });
        awaitWriter(stalled, "the stall");
    }

    /**
     * The disk pauses: the writer blocks on a request of its own until the returned handle is run,
     * so requests submitted meanwhile queue up in order ({@link #queuedWrites} counts them). Returns
     * once the writer is blocked.
     */
    public static Runnable pauseWriter(ChatStore store) {
        CountDownLatch paused = new CountDownLatch(1);
        CountDownLatch resume = new CountDownLatch(1);
        store.writer().<Void>submit(ops -> {
            paused.countDown();
            try {
                // Bounded, so a test that fails before resuming does not leave the writer blocked.
                resume.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return null;
        }, r -> { });
        awaitWriter(paused, "the pause");
        return resume::countDown;
    }

    /** Waits for the writer to start a request of ours that counts {@code taken} down. */
    private static void awaitWriter(CountDownLatch taken, String what) {
        try {
            if (!taken.await(30, TimeUnit.SECONDS)) {
                throw new AssertionError("the writer did not take " + what);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Write requests waiting for the writer. */
    public static int queuedWrites(ChatStore store) {
        return store.writer().queued();
    }

    private static long pageCount(ChatStore store) {
        CompletableFuture<Long> count = new CompletableFuture<>();
        store.writer().submit(ops -> {
            try (Statement s = ops.connection().createStatement();
                 var rs = s.executeQuery("PRAGMA page_count")) {
                rs.next();
                return rs.getLong(1);
            }
        }, r -> complete(count, r));
        return await(count);
    }

    private static void onWriter(ChatStore store, String sql) {
        CompletableFuture<Long> done = new CompletableFuture<>();
        store.writer().submit(ops -> {
            try (Statement s = ops.connection().createStatement()) {
                s.execute(sql);
                return 0L;
            }
        }, r -> complete(done, r));
        await(done);
    }

    private static void complete(CompletableFuture<Long> future, Result<Long> r) {
        if (r.isOk()) {
            future.complete(r.value());
        } else {
            future.completeExceptionally(r.error());
        }
    }

    private static long await(CompletableFuture<Long> future) {
        try {
            return future.get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("fault injection failed", e);
        }
    }
}
