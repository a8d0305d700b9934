package io.jevent.core.buffer;

import java.nio.ByteBuffer;

/**
 * One fixed-size block of an {@link EvBuffer}'s chain: a direct {@link ByteBuffer} whose readable
 * bytes are {@code [pos, limit)}.
 *
 * <p>Ownership: a segment belongs to exactly one place at a time: one buffer's chain, or one shard
 * of the {@link SegmentPool}. A pooled segment's memory is never shared between two buffers
 * (unlike okio, which shares byte arrays between segments on split); so its bytes before
 * {@code pos} and from {@code limit} on may be overwritten by its owner at any time, which is what
 * makes prepend into the head's slack and append into the tail's free space cheap.
 *
 * <p>The exception is a {@linkplain #shared shared} segment, made by
 * {@link EvBuffer#addShared}: the segment object (its {@code pos}, {@code limit}, views and link)
 * still belongs to one buffer, but its {@code data} is the read-only memory of a
 * {@link SharedBytes} that other buffers' shared segments read too. Nothing is ever written into it:
 * it has no free space ({@code limit == capacity}), its slack before {@code pos} is never used for a
 * prepend, and the pool drops it instead of keeping it.
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
    /**
     * Read-only view handed out by {@code peek} and {@code pullUp}; made on first use for a shared
     * segment, so that adding a reference costs one view fewer.
     */
    private ByteBuffer readOnly;
    /** Whether {@code data} is a {@link SharedBytes}' memory: read-only, never pooled. */
    final boolean shared;
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
        this.shared = false;
    }

    /** A shared segment holding all of {@code bytes}: two objects, this and its I/O view. */
    Segment(SharedBytes bytes) {
        this(bytes.bytes, 0, bytes.bytes.capacity());
    }

    /** A shared segment over {@code [pos, limit)} of the read-only {@code sharedData}. */
    private Segment(ByteBuffer sharedData, int pos, int limit) {
        this.data = sharedData;
        this.io = sharedData.duplicate();
        this.shared = true;
        this.pos = pos;
        this.limit = limit;
    }

    /**
     * Splits a shared segment without copying: returns a new shared segment over its first
     * {@code n} readable bytes, which this one then no longer holds.
     */
    Segment splitShared(int n) {
        Segment front = new Segment(data, pos, pos + n);
        pos += n;
        return front;
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

    /** Free bytes after {@code limit}; always 0 for a shared segment, which is never written. */
    int writable() {
        return shared ? 0 : data.capacity() - limit;
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
        ByteBuffer readOnly = this.readOnly;
        if (readOnly == null) {
            readOnly = data.asReadOnlyBuffer();
            this.readOnly = readOnly;
        }
        readOnly.clear();
        readOnly.position(pos + skip);
        readOnly.limit(pos + skip + n);
        return readOnly;
    }
}
