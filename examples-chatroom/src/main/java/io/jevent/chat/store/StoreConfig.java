package io.jevent.chat.store;

import java.nio.file.Path;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * Settings for {@link ChatStore#open}. Immutable; build from {@link #defaults(Path)} and the
 * {@code with...} methods.
 *
 * @param file                the SQLite database file (created if missing)
 * @param durability          what an acknowledged write survives, see {@link Durability}
 * @param writerQueueCapacity write requests that may wait; beyond it requests fail with
 *                            {@link StoreException.Kind#BUSY} instead of blocking the caller
 * @param maxBatchSize        most requests the writer puts in one transaction
 * @param readerThreads       reader pool size; each reader thread has its own connection
 * @param readerQueueCapacity read requests that may wait before {@code BUSY}
 * @param busyTimeoutMs       SQLite {@code busy_timeout} for every connection
 * @param epochMillis         clock for message and user timestamps
 */
public record StoreConfig(Path file, Durability durability, int writerQueueCapacity, int maxBatchSize,
                          int readerThreads, int readerQueueCapacity, int busyTimeoutMs, LongSupplier epochMillis) {

    /**
     * How far an acknowledged (committed) write is durable. In WAL mode a commit appends to the
     * WAL file; the difference is whether that append is fsync'ed before the commit returns.
     */
    public enum Durability {
        /**
         * {@code synchronous=NORMAL}: the WAL is not fsync'ed at commit. A killed process loses
         * nothing (the data is in the OS page cache), but a power loss or kernel crash may lose
         * the last transactions (never corrupting the database).
         */
        SURVIVES_PROCESS_CRASH("NORMAL"),
        /**
         * {@code synchronous=FULL}: the WAL is fsync'ed at every commit, so acknowledged writes
         * survive power loss too. Group commit pays one fsync per batch, not per message; this is
         * the default.
         */
        SURVIVES_POWER_LOSS("FULL");

        final String pragmaValue;

        Durability(String pragmaValue) {
            this.pragmaValue = pragmaValue;
        }
    }

    /** Validates every field. */
    public StoreConfig {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(durability, "durability");
        Objects.requireNonNull(epochMillis, "epochMillis");
        if (writerQueueCapacity < 1 || maxBatchSize < 1 || readerThreads < 1 || readerQueueCapacity < 1
                || busyTimeoutMs < 0) {
            throw new IllegalArgumentException("capacities, batch size and thread count must be positive");
        }
    }

    /**
     * Production defaults: power-loss durability, 10,000 queued writes, batches of up to 2,048
     * (a commit logs every page its batch dirtied, and with indexes keyed by user that is about a
     * page per active user per index whatever the batch size, so a big batch shares it among more
     * messages; a batch is only as big as what waits, so an idle store still commits at once),
     * 2 readers with 1,000 queued reads, 5 s busy timeout, system clock.
     *
     * @param file the database file
     * @return the config
     */
    public static StoreConfig defaults(Path file) {
        return new StoreConfig(file, Durability.SURVIVES_POWER_LOSS, 10_000, 2048, 2, 1_000, 5_000,
                System::currentTimeMillis);
    }

    /**
     * @param value new durability
     * @return a copy with it
     */
    public StoreConfig withDurability(Durability value) {
        return new StoreConfig(file, value, writerQueueCapacity, maxBatchSize, readerThreads,
                readerQueueCapacity, busyTimeoutMs, epochMillis);
    }

    /**
     * @param value new writer queue capacity
     * @return a copy with it
     */
    public StoreConfig withWriterQueueCapacity(int value) {
        return new StoreConfig(file, durability, value, maxBatchSize, readerThreads,
                readerQueueCapacity, busyTimeoutMs, epochMillis);
    }

    /**
     * @param value new maximum batch size
     * @return a copy with it
     */
    public StoreConfig withMaxBatchSize(int value) {
        return new StoreConfig(file, durability, writerQueueCapacity, value, readerThreads,
                readerQueueCapacity, busyTimeoutMs, epochMillis);
    }

    /**
     * @param threads    reader thread count
     * @param queueCapacity reader queue capacity
     * @return a copy with them
     */
    public StoreConfig withReaders(int threads, int queueCapacity) {
        return new StoreConfig(file, durability, writerQueueCapacity, maxBatchSize, threads,
                queueCapacity, busyTimeoutMs, epochMillis);
    }

    /**
     * @param clock new timestamp source, epoch milliseconds
     * @return a copy with it
     */
    public StoreConfig withClock(LongSupplier clock) {
        return new StoreConfig(file, durability, writerQueueCapacity, maxBatchSize, readerThreads,
                readerQueueCapacity, busyTimeoutMs, clock);
    }
}
