package io.jevent.core.buffer;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;
import java.nio.channels.Pipe;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link EvBuffer#addShared}, libevent's {@code evbuffer_add_reference}: one set of bytes referenced
 * by many buffers, each reading its share independently, the bytes never changing, and never
 * finding their way into the segment pool.
 */
@Timeout(60)
class EvBufferSharedTest {
    private static final byte[] LINE = "GROUP alice 7 1700000000000 hello everyone\n".getBytes(StandardCharsets.UTF_8);

    private static byte[] content(EvBuffer b) {
        byte[] all = new byte[(int) b.length()];
        b.copyOut(all);
        return all;
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] all = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, all, at, p.length);
            at += p.length;
        }
        return all;
    }

    private static byte[] pattern(int n, int seed) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 31 + seed);
        }
        return b;
    }

    @Test
    @DisplayName("many buffers reference the same bytes without a copy; each drains its share independently; the bytes never change")
    void manyBuffersShareOneSegmentAndDrainIndependently() {
        SharedBytes shared = SharedBytes.copyOf(LINE);
        List<EvBuffer> buffers = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            EvBuffer b = new EvBuffer();
            b.add(new byte[] {'<', (byte) i});
            b.addShared(shared);
            b.add(new byte[] {'>'});
            b.validate();
            buffers.add(b);
        }
        for (EvBuffer b : buffers) {
            assertThat(b.segmentsForTest()).hasSize(3);
            assertThat(b.segmentsForTest().get(1).data).as("the same memory, not a copy").isSameAs(shared.bytes);
        }
        for (int i = 0; i < buffers.size(); i++) {
            EvBuffer b = buffers.get(i);
            int drained = i % (LINE.length + 3);
            byte[] expected = concat(new byte[] {'<', (byte) i}, LINE, new byte[] {'>'});
            b.drain(drained);
            b.validate();
            assertThat(content(b)).isEqualTo(Arrays.copyOfRange(expected, drained, expected.length));
        }
        for (EvBuffer b : buffers) {
            b.close();
        }
        assertThat(shared.toByteArray()).isEqualTo(LINE);
    }

    @Test
    @DisplayName("a shared segment is never written into: add after it starts a new segment, prepend does not use its slack")
    void sharedSegmentIsNeverWrittenInto() {
        SharedBytes shared = SharedBytes.copyOf(LINE);
        EvBuffer reader = new EvBuffer().addShared(shared);
        EvBuffer b = new EvBuffer().addShared(shared);
        b.add("tail".getBytes(StandardCharsets.UTF_8));
        b.add("more", StandardCharsets.UTF_8);
        b.addByte('!');
        assertThat(b.segmentsForTest()).hasSize(2);
        b.drain(6);
        b.prepend("zz".getBytes(StandardCharsets.UTF_8));
        b.prepend(ByteBuffer.wrap(new byte[] {'y'}));
        b.validate();
        assertThat(new String(content(b), StandardCharsets.UTF_8))
                .isEqualTo("yzz" + new String(LINE, 6, LINE.length - 6, StandardCharsets.UTF_8) + "tailmore!");
        assertThat(content(reader)).isEqualTo(LINE);
        assertThat(shared.toByteArray()).isEqualTo(LINE);
    }

    @Test
    @DisplayName("a drained shared segment of exactly one segment's size never goes back to the pool as a writable segment")
    void drainedSharedSegmentIsNotPooled() {
        byte[] original = pattern(EvBuffer.SEGMENT_SIZE, 3);
        SharedBytes shared = SharedBytes.copyOf(original);
        EvBuffer stillReading = new EvBuffer().addShared(shared);
        // Make room in this thread's shard so that a wrongly pooled segment would be kept.
        Segment room = SegmentPool.take();
        int pooled = SegmentPool.pooledInCurrentShard();

        EvBuffer a = new EvBuffer().addShared(shared);
        a.drain(EvBuffer.ALL);
        EvBuffer c = new EvBuffer().addShared(shared);
        c.close();
        EvBuffer d = new EvBuffer().addShared(shared);
        d.remove(new byte[EvBuffer.SEGMENT_SIZE]);

        assertThat(SegmentPool.pooledInCurrentShard()).as("nothing pooled").isEqualTo(pooled);
        // Were it pooled, this add would be handed the shared memory (and fail or overwrite it).
        EvBuffer writer = new EvBuffer().add(new byte[3 * EvBuffer.SEGMENT_SIZE]);
        assertThat(writer.segmentsForTest()).allSatisfy(s -> assertThat(s.data).isNotSameAs(shared.bytes));
        assertThat(content(stillReading)).isEqualTo(original);
        writer.close();
        stillReading.close();
        SegmentPool.recycle(room);
    }

    @Test
    @DisplayName("shared bytes are read-only: nothing can write into them through the buffer's memory")
    void sharedMemoryIsReadOnly() {
        SharedBytes shared = SharedBytes.copyOf(LINE);
        EvBuffer b = new EvBuffer().addShared(shared);
        Segment s = b.segmentsForTest().get(0);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> s.data.put(0, (byte) 'X'))
                .isInstanceOf(ReadOnlyBufferException.class);
        ByteBuffer[] views = new ByteBuffer[2];
        assertThat(b.peek(views)).isEqualTo(1);
        assertThat(views[0].isReadOnly()).isTrue();
        assertThat(views[0].remaining()).isEqualTo(LINE.length);
    }

    @Test
    @DisplayName("addBuffer and removeBuffer move shared segments without copying, a split too, and leave both sides right")
    void movesRelinkSharedSegments() {
        byte[] big = pattern(3 * EvBuffer.SEGMENT_SIZE + 100, 5);
        SharedBytes line = SharedBytes.copyOf(LINE);
        SharedBytes large = SharedBytes.copyOf(big);
        EvBuffer src = new EvBuffer().add(new byte[] {'a'}).addShared(line).addShared(large);
        EvBuffer dst = new EvBuffer().add(new byte[] {'b'});
        dst.addBuffer(src);
        dst.validate();
        assertThat(dst.segmentsForTest()).extracting(s -> s.data).contains(line.bytes, large.bytes);
        assertThat(content(dst)).isEqualTo(concat(new byte[] {'b', 'a'}, LINE, big));

        // Split inside the large shared segment, both ways (keep more, keep less).
        EvBuffer part = new EvBuffer();
        long first = 2L + LINE.length + 10;
        assertThat(dst.removeBuffer(part, first)).isEqualTo(first);
        EvBuffer part2 = new EvBuffer();
        long second = big.length - 10L - 20;
        assertThat(dst.removeBuffer(part2, second)).isEqualTo(second);
        part.validate();
        part2.validate();
        dst.validate();
        assertThat(part.segmentsForTest()).extracting(s -> s.data).as("split without a copy").contains(large.bytes);
        assertThat(part2.segmentsForTest()).extracting(s -> s.data).contains(large.bytes);
        assertThat(dst.segmentsForTest()).extracting(s -> s.data).contains(large.bytes);
        byte[] all = concat(new byte[] {'b', 'a'}, LINE, big);
        assertThat(concat(content(part), content(part2), content(dst))).isEqualTo(all);
        part2.add(new byte[] {'z'});
        dst.add(new byte[] {'y'});
        assertThat(line.toByteArray()).isEqualTo(LINE);
        assertThat(large.toByteArray()).isEqualTo(big);
        assertThat(content(part2)[(int) second]).isEqualTo((byte) 'z');
    }

    @Test
    @DisplayName("pullUp over a partly drained shared head copies into a new segment and leaves the shared bytes alone")
    void pullUpAcrossSharedHead() {
        SharedBytes shared = SharedBytes.copyOf(LINE);
        EvBuffer b = new EvBuffer().addShared(shared).add("xyz".getBytes(StandardCharsets.UTF_8));
        b.drain(6);
        ByteBuffer view = b.pullUp(LINE.length - 6 + 3);
        byte[] got = new byte[view.remaining()];
        view.get(got);
        assertThat(new String(got, StandardCharsets.UTF_8))
                .isEqualTo(new String(LINE, 6, LINE.length - 6, StandardCharsets.UTF_8) + "xyz");
        b.validate();
        assertThat(shared.toByteArray()).isEqualTo(LINE);
    }

    @Test
    @DisplayName("a gathering write sends shared segments, and a read after a shared tail goes into a new segment")
    void channelIoWithSharedSegments() throws IOException {
        Pipe pipe = Pipe.open();
        try {
            pipe.source().configureBlocking(false);
            SharedBytes shared = SharedBytes.copyOf(LINE);
            EvBuffer out = new EvBuffer().add(new byte[] {'['}).addShared(shared).add(new byte[] {']'}).addShared(shared);
            long total = out.length();
            assertThat(out.writeTo(pipe.sink())).isEqualTo(total);
            assertThat(out.isEmpty()).isTrue();

            EvBuffer in = new EvBuffer().addShared(shared);
            long read = 0;
            while (read < total) {
                int n = in.readFrom(pipe.source(), 64 * 1024);
                assertThat(n).isGreaterThanOrEqualTo(0);
                read += n;
            }
            in.validate();
            assertThat(content(in)).isEqualTo(concat(LINE, new byte[] {'['}, LINE, new byte[] {']'}, LINE));
            assertThat(shared.toByteArray()).isEqualTo(LINE);
        } finally {
            pipe.source().close();
            pipe.sink().close();
        }
    }

    @Test
    @DisplayName("wrap shares a slice of a caller's buffer without copying and leaves its position alone")
    void wrapSharesWithoutCopy() {
        ByteBuffer slab = ByteBuffer.allocateDirect(100);
        slab.put(10, LINE);
        slab.position(10).limit(10 + LINE.length);
        SharedBytes shared = SharedBytes.wrap(slab);
        assertThat(slab.position()).isEqualTo(10);
        assertThat(shared.length()).isEqualTo(LINE.length);
        EvBuffer b = new EvBuffer().addShared(shared).addShared(SharedBytes.copyOf(new byte[0]));
        assertThat(content(b)).isEqualTo(LINE);
        assertThat(b.segmentsForTest()).hasSize(1);
    }

    @Test
    @DisplayName("adding a reference allocates a small constant (the segment and its I/O view, at most 160 bytes), however long the bytes")
    void addingAReferenceAllocatesASmallConstant() {
        AllocationCounter counter = AllocationCounter.forCurrentThread();
        SharedBytes shared = SharedBytes.copyOf(pattern(100_000, 1));
        EvBuffer b = new EvBuffer();
        for (int i = 0; i < 20_000; i++) {          // warm-up: let the JIT settle
            b.addShared(shared);
            b.drain(EvBuffer.ALL);
        }
        int rounds = 20_000;
        long before = counter.allocatedBytes();
        for (int i = 0; i < rounds; i++) {
            b.addShared(shared);
            b.drain(EvBuffer.ALL);
        }
        long bytes = counter.allocatedBytes() - before;
        assertThat((double) bytes / rounds).as("bytes allocated per addShared (%d over %d)", bytes, rounds)
                .isLessThanOrEqualTo(160.0);
    }
}
