package io.jevent.core.buffer;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * A bounded, lock-free pool of {@link Segment#SIZE}-byte direct segments shared by every
 * {@link EvBuffer} in the JVM, in the spirit of okio's SegmentPool.
 *
 * <p>Shape: {@link #SHARDS} independent stacks, each an {@link AtomicReferenceArray} slot holding
 * the top segment; the stack links through {@link Segment#next} and the top records the depth in
 * {@link Segment#pooledCount}. A thread uses the shard picked by its id, so threads seldom meet.
 *
 * <p>Protocol: to take or give back, a thread swaps the shard's top for the {@link #LOCK}
 * sentinel, edits the stack privately, and publishes the new top with a volatile set. A thread
 * that finds {@code LOCK} does not wait: {@link #take()} allocates a fresh segment and
 * {@link #recycle} drops the segment for the garbage collector. So no thread ever blocks, and
 * because a stack is only ever edited by the one thread holding its sentinel there is no ABA
 * problem (a plain CAS-based Treiber stack would have one when a popped segment is pushed back).
 *
 * <p>Threads: any thread may take and any thread may recycle, including a segment taken by another
 * thread (a buffer filled on a worker and drained on a loop thread); it lands in the recycling
 * thread's shard.
 *
 * <p>Bound: each shard keeps at most {@link #MAX_SEGMENTS_PER_SHARD} segments, chosen so that all
 * shards together stay within {@link #MAX_POOL_BYTES}; so the pool never holds more than
 * {@link #maxPooledBytes()} bytes, however many cores the machine has. Extra segments are left to
 * the garbage collector (whose cleaner frees their native memory).
 */
final class SegmentPool {
    /** Power of two ≥ 2 × cores, as okio does: enough that concurrent threads seldom share one. */
    static final int SHARDS = Integer.highestOneBit(Math.max(1, Runtime.getRuntime().availableProcessors() * 2 - 1)) * 2;

    /**
     * Bound on the whole pool in bytes, from the system property {@code jevent.evbuffer.poolBytes}
     * (default 8 MiB). Without it the pool would grow with the core count (SHARDS × the per-shard
     * bound: 128 MiB of direct memory on a 64-core machine).
     */
    static final long MAX_POOL_BYTES = Math.max(0L, Long.getLong("jevent.evbuffer.poolBytes", 8L << 20));

    /**
     * Per-shard bound in segments: the system property {@code jevent.evbuffer.poolBytesPerShard}
     * (bytes, default 1 MiB = 128 segments), lowered if needed so that all shards together stay
     * within {@link #MAX_POOL_BYTES}.
     */
    static final int MAX_SEGMENTS_PER_SHARD = segmentsPerShard(MAX_POOL_BYTES,
            Integer.getInteger("jevent.evbuffer.poolBytesPerShard", 1 << 20), SHARDS);

    /** Marks a shard whose stack is being edited by some thread. Never handed out. */
    private static final Segment LOCK = new Segment(ByteBuffer.allocateDirect(0));

    private static final AtomicReferenceArray<Segment> TOPS = new AtomicReferenceArray<>(SHARDS);

    /** Segments made because a shard was empty or busy; for diagnostics and tests. */
    private static final LongAdder ALLOCATED = new LongAdder();

    private SegmentPool() {
    }

    /** Returns an empty segment ({@code pos == limit == 0}, {@code next == null}). Any thread. */
    static Segment take() {
        int shard = shard();
        Segment top = TOPS.getAndSet(shard, LOCK);
        if (top == LOCK) {
            return fresh(); // another thread is editing this shard: do not wait for it
        }
        if (top == null) {
            TOPS.set(shard, null);
            return fresh();
        }
        // Safe to read top.next: the recycler wrote it before its volatile set() published top,
        // and our getAndSet() read that published value, so those writes happen-before this read.
        // While LOCK is in the slot no other thread can pop or push here, so top.next is current.
        TOPS.set(shard, top.next);
        top.next = null;
        top.recycled = false;
        top.pos = 0;
        top.limit = 0;
        return top;
    }

    /**
     * Gives a segment back. The caller must own it, must have unlinked it ({@code next == null})
     * and must not touch it afterwards; shared segments ({@link EvBuffer#addShared}), oversized
     * segments and segments beyond the bound are dropped. Any thread.
     *
     * <p>A segment given back twice would sit in the pool twice and later be handed to two buffers,
     * which would then overwrite each other's bytes; like okio's {@code require(segment.next ==
     * null)}, this fails loudly instead. The check is certain when both calls are on one thread
     * (or ordered by a happens-before edge), which is how such a bug shows up in a buffer.
     *
     * @throws IllegalStateException if the segment was already given back and not taken since,
     *         or is still linked to another segment; the pool is unchanged
     */
    static void recycle(Segment segment) {
        if (segment.recycled) {
            throw new IllegalStateException("segment recycled twice");
        }
        if (segment.next != null) {
            throw new IllegalStateException("segment recycled while still linked in a chain");
        }
        segment.recycled = true;
        if (segment.shared || segment.capacity() != Segment.SIZE) {
            // A shared segment's memory is read-only and other buffers still read it: pooling it
            // would hand it out as writable, whatever its size. The collector owns it.
            return;
        }
        int shard = shard();
        Segment top = TOPS.getAndSet(shard, LOCK);
        if (top == LOCK) {
            return; // contended: dropping is cheaper than waiting, and keeps the bound
        }
        int count = top == null ? 0 : top.pooledCount;
        if (count >= MAX_SEGMENTS_PER_SHARD) {
            TOPS.set(shard, top);
            return;
        }
        segment.next = top;
        segment.pos = 0;
        segment.limit = 0;
        segment.pooledCount = count + 1;
        // Publishes segment and its fields (and the previous owner's last writes to its bytes):
        // the volatile set() is the release that the next taker's getAndSet() acquires.
        TOPS.set(shard, segment);
    }

    /**
     * The per-shard bound in segments: {@code perShardBytes}, lowered so that {@code shards} shards
     * together hold at most {@code totalBytes}.
     */
    static int segmentsPerShard(long totalBytes, int perShardBytes, int shards) {
        long bytes = Math.min(Math.max(0, perShardBytes), Math.max(0, totalBytes) / shards);
        return (int) (bytes / Segment.SIZE);
    }

    /** Most bytes the pool can ever hold; never more than {@link #MAX_POOL_BYTES}. */
    static long maxPooledBytes() {
        return (long) SHARDS * MAX_SEGMENTS_PER_SHARD * Segment.SIZE;
    }

    /** Bytes held right now; a racy snapshot, exact only when no thread uses the pool. */
    static long pooledBytes() {
        long bytes = 0;
        for (int i = 0; i < SHARDS; i++) {
            Segment top = TOPS.get(i);
            if (top != null && top != LOCK) {
                bytes += (long) top.pooledCount * Segment.SIZE;
            }
        }
        return bytes;
    }

    /** Segments held by the calling thread's shard; for tests. */
    static int pooledInCurrentShard() {
        Segment top = TOPS.get(shard());
        return top == null || top == LOCK ? 0 : top.pooledCount;
    }

    /** How many segments were ever allocated because the pool could not serve a take. */
    static long allocatedCount() {
        return ALLOCATED.sum();
    }

    private static Segment fresh() {
        ALLOCATED.increment();
        return Segment.allocate();
    }

    private static int shard() {
        return (int) Thread.currentThread().getId() & (SHARDS - 1);
    }
}
