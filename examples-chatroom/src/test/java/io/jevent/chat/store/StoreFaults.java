package io.jevent.chat.store;

import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Faults injected into a running store's writer connection, for tests in any package: a disk that
 * fills up ({@code PRAGMA max_page_count}, which SQLite enforces per connection exactly as it
 * treats a full file system: {@code SQLITE_FULL}) and then has space again.
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
