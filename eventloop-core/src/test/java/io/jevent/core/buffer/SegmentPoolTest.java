package io.jevent.core.buffer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class SegmentPoolTest {
    private final ExecutorService filler = Executors.newSingleThreadExecutor();
    private final ExecutorService owner = Executors.newSingleThreadExecutor();

    @AfterEach
    void shutdown() throws InterruptedException {
        filler.shutdownNow();
        owner.shutdownNow();
        assertThat(filler.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        assertThat(owner.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    @DisplayName("a buffer filled on one thread and cleared on another: its segments are reused there")
    void segmentsFreedOnAnotherThreadAreReused() throws Exception {
        // Filled on a worker thread; the future is the happens-before edge that hands it over.
        EvBuffer buf = filler.submit(() -> {
            EvBuffer b = new EvBuffer();
            b.add(new byte[3 * EvBuffer.SEGMENT_SIZE]);
            return b;
        }).get(10, TimeUnit.SECONDS);
        List<Segment> filled = buf.segmentsForTest();
        assertThat(filled).hasSize(3);

        List<Segment> retaken = owner.submit(() -> {
            List<Segment> hold = new ArrayList<>();
            while (SegmentPool.pooledInCurrentShard() > 0) { // empty this thread's shard first
                hold.add(SegmentPool.take());
            }
            buf.close(); // recycles into this thread's shard
            long allocatedBefore = SegmentPool.allocatedCount();
            List<Segment> again = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                again.add(SegmentPool.take());
            }
            assertThat(SegmentPool.allocatedCount()).as("served from the pool").isEqualTo(allocatedBefore);
            again.forEach(SegmentPool::recycle);
            hold.forEach(SegmentPool::recycle);
            return again;
        }).get(10, TimeUnit.SECONDS);
        assertThat(retaken).containsExactlyInAnyOrderElementsOf(filled);
        assertThat(retaken).allSatisfy(s -> {
            assertThat(s.pos).isZero();
            assertThat(s.limit).isZero();
        });
    }

    @Test
    @DisplayName("the pool stays bounded however many segments are given back")
    void poolStaysBounded() throws Exception {
        owner.submit(() -> {
            List<Segment> many = new ArrayList<>();
            for (int i = 0; i < 3 * SegmentPool.MAX_SEGMENTS_PER_SHARD; i++) {
                many.add(SegmentPool.take());
            }
            many.forEach(SegmentPool::recycle);
            assertThat(SegmentPool.pooledInCurrentShard()).isEqualTo(SegmentPool.MAX_SEGMENTS_PER_SHARD);
            return null;
        }).get(10, TimeUnit.SECONDS);
        assertThat(SegmentPool.pooledBytes()).isLessThanOrEqualTo(SegmentPool.maxPooledBytes());
        assertThat(SegmentPool.maxPooledBytes()).isEqualTo(
                (long) SegmentPool.SHARDS * SegmentPool.MAX_SEGMENTS_PER_SHARD * EvBuffer.SEGMENT_SIZE);
    }

    @Test
    @DisplayName("a segment given back twice fails loudly instead of being handed to two buffers later")
    void segmentRecycledTwiceFailsLoudly() throws Exception {
        owner.submit(() -> {
            Segment s = SegmentPool.take();
            SegmentPool.recycle(s);
            int pooled = SegmentPool.pooledInCurrentShard();
            assertThatThrownBy(() -> SegmentPool.recycle(s))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("twice");
            assertThat(SegmentPool.pooledInCurrentShard()).as("the pool is unchanged").isEqualTo(pooled);
            Segment first = SegmentPool.take();
            Segment second = SegmentPool.take();
            assertThat(first).as("two takes never share a segment").isNotSameAs(second);
            SegmentPool.recycle(first);
            SegmentPool.recycle(second);
            return null;
        }).get(10, TimeUnit.SECONDS);
    }

    @Test
    @DisplayName("a segment still linked to another cannot be given back (okio's require(segment.next == null))")
    void linkedSegmentIsRefused() throws Exception {
        owner.submit(() -> {
            Segment a = SegmentPool.take();
            Segment b = SegmentPool.take();
            a.next = b;
            assertThatThrownBy(() -> SegmentPool.recycle(a)).isInstanceOf(IllegalStateException.class);
            a.next = null;
            SegmentPool.recycle(a);
            SegmentPool.recycle(b);
            return null;
        }).get(10, TimeUnit.SECONDS);
    }

    @Test
    @DisplayName("the whole pool is bounded, not only each shard: many cores do not multiply the bound")
    void totalBoundHoldsForAnyShardCount() {
        assertThat(SegmentPool.maxPooledBytes()).isLessThanOrEqualTo(SegmentPool.MAX_POOL_BYTES);
        long total = 8L << 20;
        int perShard = 1 << 20;
        for (int shards : new int[] {2, 4, 16, 128, 1024}) {
            long bound = (long) shards * SegmentPool.segmentsPerShard(total, perShard, shards) * EvBuffer.SEGMENT_SIZE;
            assertThat(bound).as(shards + " shards").isLessThanOrEqualTo(total);
        }
        assertThat(SegmentPool.segmentsPerShard(total, perShard, 4))
                .as("the per-shard bound still applies when the total allows more")
                .isEqualTo(perShard / EvBuffer.SEGMENT_SIZE);
    }

    @Test
    @DisplayName("oversized pulled-up segments are never pooled")
    void oversizedSegmentsAreDropped() throws Exception {
        owner.submit(() -> {
            while (SegmentPool.pooledInCurrentShard() > 0) {
                SegmentPool.take(); // left to the garbage collector
            }
            SegmentPool.recycle(Segment.oversized(3 * EvBuffer.SEGMENT_SIZE));
            assertThat(SegmentPool.pooledInCurrentShard()).isZero();
            return null;
        }).get(10, TimeUnit.SECONDS);
    }

    @Test
    @DisplayName("threads taking and recycling each other's segments concurrently never share one, and the bound holds")
    void concurrentCrossThreadUse() throws Exception {
        int threads = 4;
        int perThread = 20_000;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            Set<Segment> inUse = ConcurrentHashMap.newKeySet();
            BlockingQueue<Segment> handoff = new ArrayBlockingQueue<>(256);
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                boolean producer = t % 2 == 0;
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < perThread; i++) {
                        if (producer) {
                            Segment s = SegmentPool.take();
                            if (!inUse.add(s)) {
                                throw new AssertionError("segment handed out twice");
                            }
                            s.data.putInt(0, i);
                            s.limit = 4;
                            handoff.put(s); // the queue is the happens-before edge to the consumer
                        } else {
                            Segment s = handoff.take();
                            if (s.limit != 4) {
                                throw new AssertionError("segment changed while owned: limit " + s.limit);
                            }
                            inUse.remove(s);
                            SegmentPool.recycle(s); // freed on a different thread than it was taken on
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get(30, TimeUnit.SECONDS);
            }
            assertThat(handoff).isEmpty();
            assertThat(SegmentPool.pooledBytes()).isLessThanOrEqualTo(SegmentPool.maxPooledBytes());
        } finally {
            pool.shutdownNow();
            assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
    }
}
