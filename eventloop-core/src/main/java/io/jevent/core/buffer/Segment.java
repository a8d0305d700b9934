package io.jevent.core.buffer;

import java.nio.ByteBuffer;

/**
 * One fixed-size block of an {@link EvBuffer}'s chain: a direct {@link ByteBuffer} whose readable
 * bytes are {@code [pos, limit)}.
 *
 * <p>Ownership: a segment belongs to exactly one place at a time: one buffer's chain, or one shard
 * of the {@link SegmentPool}. It is never shared between two buffers (unlike okio, which shares
 * byte arrays between segments on split); so its bytes before {@code pos} and from {@code limit}
 * on may be overwritten by its owner at any time, which is what makes prepend into the head's
 * slack and append into the tail's free space cheap.
 *
 * <p>{@code data} keeps position 0 and limit = capacity forever, so absolute get/put is always
 * valid; channel I/O and {@code peek} use the two views, whose position/limit are scratch state of
 * the owner. All three objects are made once per segment lifetime, so pooled segments cost no
 * allocation on the hot path.
 */
final class Segment {
    /** Capacity of a pooled segment; see {@link EvBuffer} for why 8 KiB and direct. */
    static final int SIZE = 8 * 1024;

    final ByteBuffer data;
    /** Scratch view for channel reads and writes. */
    final ByteBuffer io;
    /** Read-only view handed out by {@code peek} and {@code pullUp}. */
    final ByteBuffer readOnly;
    /** First readable byte. */
    int pos;
    /** One past the last readable byte; also where the next append goes. */
    int limit;
    /** Next segment in the owner's chain, or in the pool shard's stack. */
    Segment next;
    /** While this segment is the top of a pool shard: how many segments that shard holds. */
    int pooledCount;
    /**
     * Set when the segment is given back to the pool, cleared when the pool hands it out again:
     * lets the pool refuse a second give-back. Written by the thread that owns the segment.
     */
    boolean recycled;

    Segment(ByteBuffer data) {
        this.data = data;
        this.io = data.duplicate();
        this.readOnly = data.asReadOnlyBuffer();
    }

    /** A fresh, unpooled segment of the standard size. */
    static Segment allocate() {
        return new Segment(ByteBuffer.allocateDirect(SIZE));
    }

    /** A segment larger than {@link #SIZE}, for {@code pullUp}; the pool never keeps it. */
    static Segment oversized(int capacity) {
        return new Segment(ByteBuffer.allocateDirect(capacity));
    }

    int capacity() {
        return data.capacity();
    }

    int readable() {
        return limit - pos;
    }

    int writable() {
        return data.capacity() - limit;
    }

    /** Sets the I/O view to the readable bytes, or the first {@code n} of them. */
    ByteBuffer ioForWrite(int n) {
        io.clear();
        io.position(pos);
        io.limit(pos + n);
        return io;
    }

    /** Sets the I/O view to the first {@code n} bytes of free space after {@code limit}. */
    ByteBuffer ioForRead(int n) {
        io.clear();
        io.position(limit);
        io.limit(limit + n);
        return io;
    }

    /** Sets the read-only view to {@code n} readable bytes starting {@code skip} bytes in. */
    ByteBuffer view(int skip, int n) {
        readOnly.clear();
        readOnly.position(pos + skip);
        readOnly.limit(pos + skip + n);
        return readOnly;
    }
}
