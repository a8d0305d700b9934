package io.jevent.core.buffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.GatheringByteChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.ScatteringByteChannel;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A growable byte queue made of a chain of pooled fixed-size segments; libevent's
 * {@code struct evbuffer} (include/event2/buffer.h) ported to Java.
 *
 * <p>Data is appended at the end ({@link #add(byte[])}, {@link #readFrom}) and consumed from the
 * front ({@link #remove(byte[])}, {@link #drain}, {@link #readLine(EolStyle)}, {@link #writeTo}).
 * Moving data between buffers ({@link #addBuffer}, {@link #removeBuffer}) relinks whole segments
 * instead of copying bytes. Two copies are made on purpose, both bounded by half a segment: a moved
 * segment holding at most {@code SEGMENT_SIZE / 2} bytes is copied into the destination's tail if
 * it fits there (so many small moves do not leave a chain of nearly empty segments, as okio also
 * does), and {@code removeBuffer} that splits a segment copies the smaller side.
 *
 * <h2>Segments: direct, 8 KiB (measured)</h2>
 * Segments are {@link ByteBuffer#allocateDirect direct} buffers of {@value #SEGMENT_SIZE} bytes.
 * The JDK copies every heap buffer into a temporary direct buffer on each channel read or write,
 * so heap segments pay one extra copy per byte of socket I/O; direct segments hand the kernel their
 * own memory. Measured with the manual tool {@code eventloop-core/src/test/manual/SegmentIoHarness.java} on the 2-core build
 * machine: loopback {@code SocketChannel}, 256 MiB per run, median of 7 interleaved rounds, CPU
 * time of the measuring thread in ms per GiB (lower is better), sizes 4/8/16/32 KiB:
 * <pre>
 *                            heap                 direct
 * read  (scatter + scan)     357 356 387 350      320 293 340 335   quiet machine
 *                            659 665 696 612      600 609 547 597   loaded (load average 3.8)
 * write (copy in + gather)   267 279 260 257      274 218 315 319   quiet machine
 *                            260 273 251 234      208 223 223 224   loaded
 * </pre>
 * Direct costs 5-15% less CPU on the read path in both runs and on the write path under load; on a
 * quiet machine the write path was mixed, with direct 8 KiB the cheapest of all. Throughput was
 * within noise (quiet: 2,400-3,700 MiB/s for every configuration). Between sizes nothing beyond noise
 * separated them, so the smallest size that is never worse wins: 8 KiB (as okio), which keeps an
 * idle connection's slack and the pool's granularity small. The cost of direct memory is that a
 * pool miss allocates native memory that only the garbage collector frees, which is why the
 * {@link SegmentPool} keeps up to 1 MiB per shard (8 MiB in all); bound a buffer's growth with
 * watermarks rather than relying on it.
 *
 * <h2>Shared segments</h2>
 * {@link #addShared} links read-only memory that other buffers reference too
 * ({@code evbuffer_add_reference}); such a segment is never written into and never pooled, and
 * everything else (reading, moving, channel writes, closing) treats it like any segment.
 *
 * <h2>Threads</h2>
 * An EvBuffer is not thread-safe: one thread at a time uses it, normally the loop thread of the
 * {@code BufferEvent} that owns it, otherwise whoever holds it. Handing a buffer to another thread
 * needs a happens-before edge (a queue, a future, a lock); after that the new thread owns it. Its
 * segments may be taken and returned to the pool by different threads: the pool allows that.
 * Change callbacks run on the thread that made the change.
 *
 * <h2>Errors</h2>
 * Bad arguments (negative counts other than {@link #ALL}, out-of-range offsets, a buffer moved
 * into itself) throw {@link IllegalArgumentException} or {@link IndexOutOfBoundsException} before
 * anything changes.
 * I/O errors from a channel propagate as {@link IOException}; the buffer then holds exactly what it
 * held before the call.
 */
public final class EvBuffer implements AutoCloseable {
    /**
     * Pass as the count to {@link #drain} or {@link #pullUp} to mean the whole buffer, as libevent's
     * {@code -1}. Other negative counts are still rejected: they are more likely arithmetic errors.
     */
    public static final int ALL = -1;

    /** Bytes per pooled segment. */
    public static final int SEGMENT_SIZE = Segment.SIZE;

    /** Most segments one {@link #writeTo} hands to one gathering write: 512 KiB at 8 KiB. */
    static final int MAX_WRITE_SEGMENTS = 64;
    /** Most new segments one {@link #readFrom} reads into, beyond the tail's free space: 64 KiB. */
    static final int MAX_READ_SEGMENTS = 8;
    /** Longest line the unbounded readLine variants return: the largest array the JVM allows. */
    private static final int MAX_LINE = Integer.MAX_VALUE - 8;
    /** A moved segment with at most this many bytes is copied into the destination's tail. */
    private static final int COMPACT_MAX = Segment.SIZE / 2;
    /** Line scratch kept between calls only up to this size, so one huge line is not held forever. */
    private static final int MAX_KEPT_SCRATCH = 64 * 1024;
    private static final ChangeCallback[] NO_CALLBACKS = {};
    private static final ByteBuffer EMPTY = ByteBuffer.allocateDirect(0).asReadOnlyBuffer();

    private Segment head;
    private Segment tail;
    private long length;
    private ChangeCallback[] callbacks = NO_CALLBACKS;
    /** Reused by writeTo; made on first use. */
    private ByteBuffer[] writeVector;
    /** Reused by readFrom; made on first use. */
    private ByteBuffer[] readVector;
    private Segment[] readSegments;
    /** Reused to decode lines into Strings without an intermediate byte[] per line. */
    private byte[] lineScratch;
    /** Second result of {@link #findEol}: the end of line's length. */
    private long foundEolLength;

    /** Makes an empty buffer; it takes no segment until data is added ({@code evbuffer_new}). */
    public EvBuffer() {
    }

    // ---------------------------------------------------------------- size

    /**
     * Number of bytes stored ({@code evbuffer_get_length}).
     *
     * @return the number of bytes stored
     */
    public long length() {
        return length;
    }

    /**
     * Whether {@link #length()} is 0.
     *
     * @return {@code true} when no byte is stored
     */
    public boolean isEmpty() {
        return length == 0;
    }

    // ---------------------------------------------------------------- adding

    /**
     * Appends all of {@code src} ({@code evbuffer_add}).
     *
     * @param src the bytes, copied
     * @return this buffer
     */
    public EvBuffer add(byte[] src) {
        return add(src, 0, src.length);
    }

    /**
     * Appends {@code len} bytes of {@code src} starting at {@code off} ({@code evbuffer_add}).
     *
     * @param src the bytes, copied
     * @param off index of the first byte in {@code src}
     * @param len how many bytes
     * @return this buffer
     * @throws IndexOutOfBoundsException if the range is not inside {@code src}; nothing is added
     */
    public EvBuffer add(byte[] src, int off, int len) {
        Objects.checkFromIndexSize(off, len, src.length);
        if (len == 0) {
            return this;
        }
        long old = length;
        int end = off + len;
        while (off < end) {
            Segment t = writableTail();
            int n = Math.min(t.writable(), end - off);
            t.data.put(t.limit, src, off, n);
            t.limit += n;
            off += n;
        }
        length = old + len;
        changed(old);
        return this;
    }

    /**
     * Appends the remaining bytes of {@code src} and advances its position to its limit.
     *
     * @param src the bytes from its position to its limit, copied
     * @return this buffer
     */
    public EvBuffer add(ByteBuffer src) {
        int len = src.remaining();
        if (len == 0) {
            return this;
        }
        long old = length;
        write(src, src.position(), len);
        src.position(src.limit());
        length = old + len;
        changed(old);
        return this;
    }

    /**
     * Appends {@code text} encoded with {@code charset}. UTF-8 is encoded straight into the
     * segments without an intermediate array; an unpaired surrogate becomes '?', as
     * {@link String#getBytes(Charset)} does.
     *
     * @param text    the characters
     * @param charset how to encode them
     * @return this buffer
     */
    public EvBuffer add(CharSequence text, Charset charset) {
        if (!charset.equals(StandardCharsets.UTF_8)) {
            return add(text.toString().getBytes(charset));
        }
        long old = length;
        length += Utf8.encode(text, this);
        changed(old);
        return this;
    }

    /**
     * Appends the low 8 bits of {@code b}.
     *
     * @param b the byte, in its low 8 bits
     * @return this buffer
     */
    public EvBuffer addByte(int b) {
        long old = length;
        putByte(b);
        length = old + 1;
        changed(old);
        return this;
    }

    /**
     * Appends a reference to {@code bytes} without copying them ({@code evbuffer_add_reference}):
     * the same bytes may be added to any number of buffers, on any threads, and each buffer reads,
     * moves, drains and writes its share independently while the bytes themselves never change.
     * This is how one encoded message is fanned out to many connections at the cost of one encode.
     *
     * <p>The reference is a segment of its own, read-only: the next {@code add} starts a new
     * segment after it, and a {@code prepend} never writes into the slack before it. Moving it with
     * {@link #addBuffer} or {@link #removeBuffer} relinks it, and a {@code removeBuffer} that
     * stops inside it splits it into two references to the same bytes, copying nothing; draining,
     * removing, {@link #writeTo} and {@link #close} just drop it,
     * never into the segment pool (see {@link SharedBytes} for the lifetime: the garbage collector
     * owns it, there is no reference count). {@link #peek} exposes it read-only, like any segment.
     *
     * <p>Cost: two small objects per call, the segment and its I/O view (under 160 bytes on a
     * 64-bit JVM with compressed oops), however long the bytes are; {@link #length()} and the change
     * callbacks count its full length, as for bytes copied in.
     *
     * @param bytes the bytes to reference; an empty one adds nothing
     * @return this buffer
     */
    public EvBuffer addShared(SharedBytes bytes) {
        int len = bytes.length();
        if (len == 0) {
            return this;
        }
        long old = length;
        link(new Segment(bytes));
        length = old + len;
        changed(old);
        return this;
    }

    /**
     * Prepends all of {@code src} ({@code evbuffer_prepend}).
     *
     * @param src the bytes, copied
     * @return this buffer
     */
    public EvBuffer prepend(byte[] src) {
        return prepend(src, 0, src.length);
    }

    /**
     * Inserts {@code len} bytes of {@code src} at the front, so they are read before anything
     * already stored ({@code evbuffer_prepend}). Uses the free space before the first byte of the
     * head segment first, then new segments filled from their end, so repeated small prepends stay
     * cheap.
     *
     * @param src the bytes, copied
     * @param off index of the first byte in {@code src}
     * @param len how many bytes
     * @return this buffer
     * @throws IndexOutOfBoundsException if the range is not inside {@code src}; nothing is added
     */
    public EvBuffer prepend(byte[] src, int off, int len) {
        Objects.checkFromIndexSize(off, len, src.length);
        if (len == 0) {
            return this;
        }
        if (head == null) {
            return add(src, off, len);
        }
        long old = length;
        int end = off + len;
        while (end > off) {
            Segment h = headWithSlack();
            int n = Math.min(h.pos, end - off);
            h.pos -= n;
            h.data.put(h.pos, src, end - n, n);
            end -= n;
        }
        length = old + len;
        changed(old);
        return this;
    }

    /**
     * Inserts the remaining bytes of {@code src} at the front and advances its position to its
     * limit ({@code evbuffer_prepend}).
     *
     * @param src the bytes from its position to its limit, copied
     * @return this buffer
     */
    public EvBuffer prepend(ByteBuffer src) {
        int len = src.remaining();
        if (len == 0) {
            return this;
        }
        if (head == null) {
            return add(src);
        }
        long old = length;
        int start = src.position();
        int end = src.limit();
        while (end > start) {
            Segment h = headWithSlack();
            int n = Math.min(h.pos, end - start);
            h.pos -= n;
            h.data.put(h.pos, src, end - n, n);
            end -= n;
        }
        src.position(src.limit());
        length = old + len;
        changed(old);
        return this;
    }

    // ---------------------------------------------------------------- moving between buffers

    /**
     * Moves all data from {@code src} to the end of this buffer, leaving {@code src} empty
     * ({@code evbuffer_add_buffer}). Segments are relinked, not copied (see the class comment for
     * the small-segment exception). Callbacks of {@code src} fire first, then this buffer's.
     *
     * @param src the buffer to move from; empty afterwards
     * @return this buffer
     * @throws IllegalArgumentException if {@code src} is this buffer
     */
    public EvBuffer addBuffer(EvBuffer src) {
        if (src == this) {
            throw new IllegalArgumentException("cannot add a buffer to itself");
        }
        long moved = src.length;
        if (moved == 0) {
            return this;
        }
        Segment s = src.head;
        src.head = null;
        src.tail = null;
        src.length = 0;
        long old = length;
        while (s != null) {
            Segment next = s.next;
            s.next = null;
            appendSegment(s);
            s = next;
        }
        length = old + moved;
        src.changed(moved);
        changed(old);
        return this;
    }

    /**
     * Moves up to {@code n} bytes from the front of this buffer to the end of {@code dst}
     * ({@code evbuffer_remove_buffer}). Whole segments are relinked; a segment split at the
     * boundary costs a copy of its smaller part. This buffer's callbacks fire first, then
     * {@code dst}'s.
     *
     * @param dst the buffer to move to
     * @param n   most bytes to move
     * @return the number of bytes moved: {@code min(n, length())}
     * @throws IllegalArgumentException if {@code n < 0} or {@code dst} is this buffer
     */
    public long removeBuffer(EvBuffer dst, long n) {
        if (dst == this) {
            throw new IllegalArgumentException("cannot move a buffer into itself");
        }
        requireNonNegative(n, "n");
        long toMove = Math.min(n, length);
        if (toMove == 0) {
            return 0;
        }
        if (toMove == length) {
            dst.addBuffer(this);
            return toMove;
        }
        long old = length;
        long dstOld = dst.length;
        long left = toMove;
        while (left > 0) {
            Segment s = head;
            int r = s.readable();
            if (r <= left) {
                head = s.next; // never the last segment: toMove < length
                s.next = null;
                dst.appendSegment(s);
                left -= r;
            } else {
                splitHeadInto(dst, (int) left);
                left = 0;
            }
        }
        length = old - toMove;
        dst.length = dstOld + toMove;
        changed(old);
        dst.changed(dstOld);
        return toMove;
    }

    /** Gives {@code dst} the first {@code part} bytes of the head, which holds more than that. */
    private void splitHeadInto(EvBuffer dst, int part) {
        Segment s = head;
        if (s.shared) {   // two references to the same memory: nothing to copy
            dst.appendSegment(s.splitShared(part));
            return;
        }
        int keep = s.readable() - part;
        if (part <= keep || keep > Segment.SIZE) { // the second case: an oversized pulled-up head
            dst.write(s.data, s.pos, part);
            s.pos += part;
            return;
        }
        // Most of the segment goes: move it, and copy the smaller remainder into a new head.
        Segment rest = SegmentPool.take();
        rest.data.put(0, s.data, s.pos + part, keep);
        rest.limit = keep;
        rest.next = s.next;
        head = rest;
        if (tail == s) {
            tail = rest;
        }
        s.limit = s.pos + part;
        s.next = null;
        dst.appendSegment(s);
    }

    // ---------------------------------------------------------------- removing

    /**
     * Removes up to {@code dst.length} bytes into {@code dst} ({@code evbuffer_remove}).
     *
     * @param dst where the bytes go, from index 0
     * @return the number of bytes removed, {@code min(dst.length, length())}; 0 when empty
     */
    public int remove(byte[] dst) {
        return remove(dst, 0, dst.length);
    }

    /**
     * Removes up to {@code len} bytes from the front into {@code dst} at {@code off}
     * ({@code evbuffer_remove}).
     *
     * @param dst where the bytes go
     * @param off index in {@code dst} of the first byte
     * @param len most bytes to remove
     * @return the number of bytes removed, {@code min(len, length())}; 0 when empty
     * @throws IndexOutOfBoundsException if the range is not inside {@code dst}; nothing is removed
     */
    public int remove(byte[] dst, int off, int len) {
        Objects.checkFromIndexSize(off, len, dst.length);
        int n = (int) Math.min(len, length);
        if (n == 0) {
            return 0;
        }
        long old = length;
        int done = 0;
        while (done < n) {
            Segment s = head;
            int k = Math.min(s.readable(), n - done);
            s.data.get(s.pos, dst, off + done, k);
            s.pos += k;
            done += k;
            if (s.pos == s.limit) {
                recycleHead();
            }
        }
        length = old - n;
        changed(old);
        return n;
    }

    /**
     * Removes and discards up to {@code n} bytes from the front ({@code evbuffer_drain}); emptied
     * segments go back to the pool. {@code n} may be {@link #ALL} ({@code -1}) to drain
     * everything, as libevent's {@code evbuffer_drain(buf, -1)}.
     *
     * @param n how many bytes, or {@link #ALL}
     * @return the number of bytes drained, {@code min(n, length())} (for {@code ALL}, the length)
     * @throws IllegalArgumentException if {@code n} is negative and not {@link #ALL}
     */
    public long drain(long n) {
        if (n == ALL) {
            n = length;
        }
        requireNonNegative(n, "n");
        long k = Math.min(n, length);
        if (k == 0) {
            return 0;
        }
        long old = length;
        long left = k;
        while (left > 0) {
            Segment s = head;
            int r = s.readable();
            if (r <= left) {
                left -= r;
                recycleHead();
            } else {
                s.pos += (int) left;
                left = 0;
            }
        }
        length = old - k;
        changed(old);
        return k;
    }

    /** Drains everything. Callbacks fire as for {@link #drain}. */
    public void clear() {
        drain(length);
    }

    /**
     * Removes and decodes up to {@code n} bytes from the front as {@code charset}.
     *
     * @param n       most bytes to remove
     * @param charset how to decode them
     * @return the decoded text; empty when the buffer is
     * @throws IllegalArgumentException if {@code n < 0}
     * @throws LineTooLongException     if more than about 2 GiB would be decoded
     */
    public String readString(long n, Charset charset) {
        requireNonNegative(n, "n");
        long k = Math.min(n, length);
        if (k > MAX_LINE) {
            throw new LineTooLongException(MAX_LINE);
        }
        return takeString((int) k, 0, charset);
    }

    /**
     * {@link #readString(long, Charset)} as UTF-8.
     *
     * @param n most bytes to remove
     * @return the decoded text
     * @throws IllegalArgumentException if {@code n < 0}
     */
    public String readUtf8(long n) {
        return readString(n, StandardCharsets.UTF_8);
    }

    // ---------------------------------------------------------------- looking without removing

    /**
     * {@link #copyOut(long, byte[], int, int)} from offset 0 into all of {@code dst}.
     *
     * @param dst where the bytes go, from index 0
     * @return the number copied: {@code min(dst.length, length())}
     */
    public int copyOut(byte[] dst) {
        return copyOut(0, dst, 0, dst.length);
    }

    /**
     * {@link #copyOut(long, byte[], int, int)} from offset 0.
     *
     * @param dst where the bytes go
     * @param off index in {@code dst} of the first byte
     * @param len most bytes to copy
     * @return the number copied: {@code min(len, length())}
     * @throws IndexOutOfBoundsException if the range is not inside {@code dst}
     */
    public int copyOut(byte[] dst, int off, int len) {
        return copyOut(0, dst, off, len);
    }

    /**
     * Copies bytes starting {@code from} bytes into the buffer, without removing them
     * ({@code evbuffer_copyout_from}).
     *
     * @param from offset in this buffer of the first byte to copy
     * @param dst  where the bytes go
     * @param off  index in {@code dst} of the first byte
     * @param len  most bytes to copy
     * @return the number copied: {@code min(len, length() - from)}
     * @throws IndexOutOfBoundsException if the range is not inside {@code dst}, or {@code from}
     *                                   is negative or beyond {@link #length()}
     */
    public int copyOut(long from, byte[] dst, int off, int len) {
        Objects.checkFromIndexSize(off, len, dst.length);
        checkOffset(from);
        int n = (int) Math.min(len, length - from);
        if (n == 0) {
            return 0;
        }
        Segment s = head;
        long skip = from;
        while (skip >= s.readable()) {
            skip -= s.readable();
            s = s.next;
        }
        int p = s.pos + (int) skip;
        int done = 0;
        while (true) {
            int k = Math.min(s.limit - p, n - done);
            s.data.get(p, dst, off + done, k);
            done += k;
            if (done == n) {
                return n;
            }
            s = s.next;
            p = s.pos;
        }
    }

    /**
     * Returns the byte {@code index} bytes from the front.
     *
     * @param index offset from the front
     * @return the byte there
     * @throws IndexOutOfBoundsException unless {@code 0 <= index < length()}
     */
    public byte getByte(long index) {
        Objects.checkIndex(index, length);
        long tailStart = length - tail.readable();
        if (index >= tailStart) {
            return tail.data.get(tail.pos + (int) (index - tailStart));
        }
        Segment s = head;
        while (index >= s.readable()) {
            index -= s.readable();
            s = s.next;
        }
        return s.data.get(s.pos + (int) index);
    }

    /**
     * {@link #peek(long, long, ByteBuffer[])} of everything.
     *
     * @param views filled from index 0 with read-only views
     * @return how many views cover the whole buffer
     */
    public int peek(ByteBuffer[] views) {
        return peek(0, length, views);
    }

    /**
     * {@link #peek(long, long, ByteBuffer[])} of the first {@code n} bytes.
     *
     * @param n     most bytes to expose
     * @param views filled from index 0 with read-only views
     * @return how many views cover those bytes
     * @throws IllegalArgumentException if {@code n < 0}
     */
    public int peek(long n, ByteBuffer[] views) {
        return peek(0, n, views);
    }

    /**
     * Exposes up to {@code n} bytes starting {@code from} bytes in as read-only views of the
     * segments that hold them, without copying ({@code evbuffer_peek}). Fills {@code views} from
     * index 0, one view per segment, each view's remaining bytes being that segment's share; the
     * views together cover exactly {@code min(n, length() - from)} bytes if {@code views} is long
     * enough.
     *
     * <p>The view objects belong to the segments and are reused, so peeking allocates nothing. They
     * are valid only until the next call that changes this buffer or peeks or pulls up again; after
     * that they may show other bytes, even another buffer's.
     *
     * @param from  offset of the first byte to expose
     * @param n     most bytes to expose
     * @param views filled from index 0 with read-only views
     * @return how many views are needed to cover the bytes; if more than {@code views.length},
     *         only the first {@code views.length} were filled
     * @throws IllegalArgumentException  if {@code n < 0}
     * @throws IndexOutOfBoundsException if {@code from} is negative or beyond {@link #length()}
     */
    public int peek(long from, long n, ByteBuffer[] views) {
        requireNonNegative(n, "n");
        checkOffset(from);
        long left = Math.min(n, length - from);
        int count = 0;
        Segment s = head;
        long skip = from;
        while (left > 0) {
            int r = s.readable();
            if (skip >= r) {
                skip -= r;
            } else {
                int k = (int) Math.min(r - skip, left);
                if (count < views.length) {
                    views[count] = s.view((int) skip, k);
                }
                count++;
                left -= k;
                skip = 0;
            }
            s = s.next;
        }
        return count;
    }

    /**
     * Makes the first {@code n} bytes contiguous and returns a read-only view of exactly them
     * ({@code evbuffer_pullup}). Copies only when they span several segments; the view is valid
     * until the next change, peek or pull-up of this buffer. Pulling up more than
     * {@value #SEGMENT_SIZE} bytes puts them in a one-off unpooled segment.
     *
     * <p>{@code n} may be {@link #ALL} ({@code -1}) to pull up the whole buffer, as libevent's
     * {@code evbuffer_pullup(buf, -1)}; for an empty buffer that gives an empty view (libevent
     * returns NULL there, as it does for any size 0; jevent returns an empty view for both).
     *
     * @param n how many bytes, or {@link #ALL}
     * @return the view, or {@code null} if the buffer holds fewer than {@code n} bytes (as
     *         libevent returns NULL)
     * @throws IllegalArgumentException if {@code n} is negative and not {@link #ALL}
     * @throws IllegalStateException if {@code n} is {@link #ALL} and the buffer holds more than
     *         {@link Integer#MAX_VALUE} bytes, which no single {@link ByteBuffer} can view
     */
    public ByteBuffer pullUp(int n) {
        if (n == ALL) {
            if (length > Integer.MAX_VALUE) {
                throw new IllegalStateException("cannot pull up " + length + " bytes into one ByteBuffer");
            }
            n = (int) length;
        }
        if (n < 0) {
            throw new IllegalArgumentException("n < 0: " + n);
        }
        if (n > length) {
            return null;
        }
        if (n == 0) {
            return EMPTY.duplicate();
        }
        Segment h = head;
        if (h.readable() >= n) {
            return h.view(0, n);
        }
        if (!h.shared && h.capacity() - h.pos >= n) {
            fillHeadFromNext(n - h.readable());
            return h.view(0, n);
        }
        Segment target = n <= Segment.SIZE ? SegmentPool.take() : Segment.oversized(n);
        int need = n;
        while (need > 0) {
            Segment s = head;
            int k = Math.min(s.readable(), need);
            target.data.put(target.limit, s.data, s.pos, k);
            target.limit += k;
            s.pos += k;
            need -= k;
            if (s.pos == s.limit) {
                recycleHead();
            }
        }
        target.next = head;
        head = target;
        if (tail == null) {
            tail = target;
        }
        return target.view(0, n);
    }

    /** Moves {@code need} bytes from the segments after the head into the head's free space. */
    private void fillHeadFromNext(int need) {
        Segment h = head;
        while (need > 0) {
            Segment s = h.next;
            int k = Math.min(s.readable(), need);
            h.data.put(h.limit, s.data, s.pos, k);
            h.limit += k;
            s.pos += k;
            need -= k;
            if (s.pos == s.limit) {
                h.next = s.next;
                if (tail == s) {
                    tail = h;
                }
                s.next = null;
                SegmentPool.recycle(s);
            }
        }
    }

    // ---------------------------------------------------------------- searching

    /**
     * {@link #search(byte[], long, long)} from {@code from} to the end.
     *
     * @param what the bytes to find
     * @param from offset where a match may start at the earliest
     * @return its offset from the front, or -1 if there is none
     * @throws IllegalArgumentException if {@code from < 0}
     */
    public long search(byte[] what, long from) {
        return search(what, from, Long.MAX_VALUE);
    }

    /**
     * Finds the first occurrence of {@code what} that starts at or after {@code from} and ends at or
     * before {@code to} ({@code evbuffer_search_range}); matches may span segments.
     *
     * @param what the bytes to find
     * @param from offset where a match may start at the earliest
     * @param to   offset a match must end at or before
     * @return its offset from the front, or -1 if there is none; an empty {@code what} matches at
     *         {@code from}
     * @throws IllegalArgumentException if {@code from < 0}
     */
    public long search(byte[] what, long from, long to) {
        requireNonNegative(from, "from");
        long end = Math.min(to, length);
        long lastStart = end - what.length;
        if (from > lastStart) {
            return -1;
        }
        if (what.length == 0) {
            return from;
        }
        byte first = what[0];
        Segment s = head;
        long segStart = 0;
        while (segStart + s.readable() <= from) {
            segStart += s.readable();
            s = s.next;
        }
        long p = from;
        while (true) {
            long segEnd = segStart + s.readable();
            long scanEnd = Math.min(segEnd, lastStart + 1);
            ByteBuffer d = s.data;
            int base = s.pos;
            for (int i = base + (int) (p - segStart), e = base + (int) (scanEnd - segStart); i < e; i++) {
                if (d.get(i) == first && matchesAt(s, i + 1, what)) {
                    return segStart + (i - base);
                }
            }
            if (scanEnd > lastStart) {
                return -1;
            }
            p = segEnd;
            segStart = segEnd;
            s = s.next;
        }
    }

    /** Whether {@code what[1..]} follows, starting at index {@code i} of {@code s}. */
    private static boolean matchesAt(Segment s, int i, byte[] what) {
        for (int k = 1; k < what.length; k++, i++) {
            if (i == s.limit) {
                s = s.next;
                i = s.pos;
            }
            if (s.data.get(i) != what[k]) {
                return false;
            }
        }
        return true;
    }

    /**
     * Finds the first end of line of {@code style} at or after {@code from}
     * ({@code evbuffer_search_eol}) and stores where it starts and how long it is in {@code out},
     * so a caller that reuses {@code out} allocates nothing. For {@link EolStyle#CRLF} a CR is part
     * of the end of line only if it is at or after {@code from}, as in libevent.
     *
     * @param style which end of line to look for
     * @param from  offset to search from
     * @param out   filled with the match, or with not found
     * @return whether one was found; if not, {@code out} reports not found
     * @throws IllegalArgumentException if {@code from < 0}
     */
    public boolean searchEol(EolStyle style, long from, EolMatch out) {
        Objects.requireNonNull(style, "style");
        requireNonNegative(from, "from");
        long p = findEol(style, from, Long.MAX_VALUE);
        out.set(p, p < 0 ? 0 : foundEolLength);
        return p >= 0;
    }

    /**
     * {@link #searchEol(EolStyle, long, EolMatch)} into a new {@link EolMatch}.
     *
     * @param style which end of line to look for
     * @param from  offset to search from
     * @return where it is, or a match reporting not found
     * @throws IllegalArgumentException if {@code from < 0}
     */
    public EolMatch searchEol(EolStyle style, long from) {
        EolMatch match = new EolMatch();
        searchEol(style, from, match);
        return match;
    }

    /**
     * The scanner behind every line operation: offset where the first end of line at or after
     * {@code from} starts, or -1; its length goes to {@link #foundEolLength}. Stops, returning -1,
     * once it is past {@code scanLimit} without having seen the start of one (for CRLF styles the
     * LF may sit at {@code scanLimit}), so bounded reads never scan a huge partial line.
     */
    private long findEol(EolStyle style, long from, long scanLimit) {
        if (from >= length) {
            return -1;
        }
        Segment s = head;
        long segStart = 0;
        while (segStart + s.readable() <= from) {
            segStart += s.readable();
            s = s.next;
        }
        int i = s.pos + (int) (from - segStart);
        long p = from;
        int prev = -1; // byte before p, once p > from
        long runStart = -1; // EolStyle.ANY: where the CR/LF run began
        while (true) {
            ByteBuffer d = s.data;
            for (int lim = s.limit; i < lim; i++, p++) {
                byte b = d.get(i);
                if (runStart >= 0) {
                    if (b == '\r' || b == '\n') {
                        continue;
                    }
                    foundEolLength = p - runStart;
                    return runStart;
                }
                if (p > scanLimit) {
                    return -1;
                }
                switch (style) {
                    case ANY -> {
                        if (b == '\r' || b == '\n') {
                            runStart = p;
                        }
                    }
                    case CRLF -> {
                        if (b == '\n') {
                            foundEolLength = prev == '\r' ? 2 : 1;
                            return p - foundEolLength + 1;
                        }
                    }
                    case CRLF_STRICT -> {
                        if (b == '\n' && prev == '\r') {
                            foundEolLength = 2;
                            return p - 1;
                        }
                    }
                    case LF -> {
                        if (b == '\n') {
                            foundEolLength = 1;
                            return p;
                        }
                    }
                    case NUL -> {
                        if (b == 0) {
                            foundEolLength = 1;
                            return p;
                        }
                    }
                    default -> {
                        throw new AssertionError(style);
                    }
                }
                prev = b;
            }
            s = s.next;
            if (s == null) {
                break;
            }
            i = s.pos;
        }
        if (runStart >= 0) {
            foundEolLength = p - runStart;
            return runStart;
        }
        return -1;
    }

    // ---------------------------------------------------------------- lines

    /**
     * {@link #readLine(EolStyle, Charset)} as UTF-8.
     *
     * @param style which end of line ends the line
     * @return the line, or {@code null} if no complete line is stored yet
     */
    public String readLine(EolStyle style) {
        return readLine(style, StandardCharsets.UTF_8, MAX_LINE);
    }

    /**
     * {@link #readLine(EolStyle, Charset, int)} as UTF-8.
     *
     * @param style     which end of line ends the line
     * @param maxLength longest line accepted, in bytes without the end of line
     * @return the line, or {@code null} if no complete line is stored yet
     * @throws LineTooLongException     if the line is longer than {@code maxLength}; the buffer is unchanged
     * @throws IllegalArgumentException if {@code maxLength < 0}
     */
    public String readLine(EolStyle style, int maxLength) {
        return readLine(style, StandardCharsets.UTF_8, maxLength);
    }

    /**
     * {@link #readLine(EolStyle, Charset, int)} with no practical limit.
     *
     * @param style   which end of line ends the line
     * @param charset how to decode the line
     * @return the line, or {@code null} if no complete line is stored yet
     */
    public String readLine(EolStyle style, Charset charset) {
        return readLine(style, charset, MAX_LINE);
    }

    /**
     * Removes the first line and its end of line, and returns the line decoded as {@code charset}
     * without the end of line ({@code evbuffer_readln}).
     *
     * @param style     which end of line ends the line
     * @param charset   how to decode the line
     * @param maxLength longest line accepted, in bytes without the end of line
     * @return the line, or {@code null} if no complete line is stored yet: the partial line stays
     *         in the buffer untouched
     * @throws LineTooLongException     if the line, without its end of line, is longer than
     *                                  {@code maxLength} bytes, whether or not its end of line
     *                                  has arrived; the buffer is unchanged
     * @throws IllegalArgumentException if {@code maxLength < 0}
     */
    public String readLine(EolStyle style, Charset charset, int maxLength) {
        Objects.requireNonNull(charset, "charset");
        long n = lineLength(style, maxLength);
        if (n < 0) {
            return null;
        }
        return takeString((int) n, foundEolLength, charset);
    }

    /**
     * {@link #readLineBytes(EolStyle, int)} with no practical limit.
     *
     * @param style which end of line ends the line
     * @return the line's bytes, or {@code null} if no complete line is stored yet
     */
    public byte[] readLineBytes(EolStyle style) {
        return readLineBytes(style, MAX_LINE);
    }

    /**
     * As {@link #readLine(EolStyle, Charset, int)}, returning the raw bytes of the line. The
     * returned array is the only allocation.
     *
     * @param style     which end of line ends the line
     * @param maxLength longest line accepted, in bytes without the end of line
     * @return the line's bytes, or {@code null} if no complete line is stored yet
     * @throws LineTooLongException     if the line is longer than {@code maxLength}; the buffer is unchanged
     * @throws IllegalArgumentException if {@code maxLength < 0}
     */
    public byte[] readLineBytes(EolStyle style, int maxLength) {
        long n = lineLength(style, maxLength);
        if (n < 0) {
            return null;
        }
        long eol = foundEolLength;
        byte[] line = new byte[(int) n];
        copyOut(0, line, 0, (int) n);
        drain(n + eol);
        return line;
    }

    /**
     * Drains the first line, for a caller that refuses it (say after a
     * {@link LineTooLongException}) and wants to skip it without holding it in memory.
     *
     * <p>If the line's end of line is stored, drains through it and returns {@code true}: the next
     * byte is the start of the next line. Otherwise drains everything that belongs to the line and
     * returns {@code false}: the line goes on in data not yet received, so the caller must call
     * this again each time more data arrives until it returns {@code true}. A trailing CR is kept
     * for the {@code CRLF} styles since it may be the first half of the end of line.
     *
     * @param style which end of line ends the line
     * @return {@code true} once the whole line, end of line included, is gone
     */
    public boolean discardLine(EolStyle style) {
        Objects.requireNonNull(style, "style");
        long p = findEol(style, 0, Long.MAX_VALUE);
        if (p >= 0) {
            drain(p + foundEolLength);
            return true;
        }
        drain(length - possibleEolPrefix(style));
        return false;
    }

    /**
     * Length of the first line, or -1 if its end of line has not arrived; throws if it is or must
     * become longer than {@code maxLength}. Leaves the end of line's length in foundEolLength.
     */
    private long lineLength(EolStyle style, int maxLength) {
        Objects.requireNonNull(style, "style");
        if (maxLength < 0) {
            throw new IllegalArgumentException("maxLength < 0: " + maxLength);
        }
        long p = findEol(style, 0, (long) maxLength + 1);
        if (p > maxLength || (p < 0 && length - possibleEolPrefix(style) > maxLength)) {
            throw new LineTooLongException(maxLength);
        }
        return p;
    }

    /** 1 if the last byte may be the start of an end of line still arriving, else 0. */
    private int possibleEolPrefix(EolStyle style) {
        boolean crlf = style == EolStyle.CRLF || style == EolStyle.CRLF_STRICT;
        return crlf && length > 0 && tail.data.get(tail.limit - 1) == '\r' ? 1 : 0;
    }

    /** Removes {@code n + skip} bytes and returns the first {@code n} decoded. */
    private String takeString(int n, long skip, Charset charset) {
        byte[] scratch = lineScratch;
        if (scratch == null || scratch.length < n) {
            scratch = new byte[Math.max(n, 256)];
            if (n <= MAX_KEPT_SCRATCH) {
                lineScratch = scratch;
            }
        }
        copyOut(0, scratch, 0, n);
        drain(n + skip);
        return new String(scratch, 0, n, charset);
    }

    // ---------------------------------------------------------------- channel I/O

    /**
     * Reads up to {@code max} bytes from {@code ch} straight into segments at the end of this
     * buffer ({@code evbuffer_read}): into the tail's free space and, with a
     * {@link ScatteringByteChannel} such as a {@code SocketChannel}, into up to
     * {@value #MAX_READ_SEGMENTS} new segments in the same call. At most
     * {@code MAX_READ_SEGMENTS * SEGMENT_SIZE} bytes (64 KiB) are read per call. Unused new
     * segments go straight back to the pool.
     *
     * @param ch  the channel to read
     * @param max most bytes to read
     * @return bytes read, 0 if a non-blocking channel had none, -1 at end of stream
     * @throws IOException              from the channel; the buffer is unchanged
     * @throws IllegalArgumentException if {@code max < 0}
     */
    public int readFrom(ReadableByteChannel ch, int max) throws IOException {
        if (max < 0) {
            throw new IllegalArgumentException("max < 0: " + max);
        }
        int want = Math.min(max, MAX_READ_SEGMENTS * Segment.SIZE);
        if (want == 0) {
            return 0;
        }
        Segment t = tail;
        int room = t == null ? 0 : t.writable();
        if (want <= room) {
            return readIntoTail(ch, want);
        }
        if (room == 0 && want <= Segment.SIZE) {
            return readIntoNewSegment(ch, want);    // one plain read: no vector to build
        }
        if (ch instanceof ScatteringByteChannel scattering) {
            return scatteringRead(scattering, want, room);
        }
        return room > 0 ? readIntoTail(ch, room) : readIntoNewSegment(ch, want);
    }

    private int readIntoTail(ReadableByteChannel ch, int n) throws IOException {
        Segment t = tail;
        int read = ch.read(t.ioForRead(n));
        if (read > 0) {
            long old = length;
            t.limit += read;
            length = old + read;
            changed(old);
        }
        return read;
    }

    private int readIntoNewSegment(ReadableByteChannel ch, int want) throws IOException {
        Segment f = SegmentPool.take();
        int read;
        try {
            read = ch.read(f.ioForRead(Math.min(want, Segment.SIZE)));
        } catch (IOException | RuntimeException e) {
            SegmentPool.recycle(f);
            throw e;
        }
        if (read <= 0) {
            SegmentPool.recycle(f);
            return read;
        }
        long old = length;
        f.limit = read;
        link(f);
        length = old + read;
        changed(old);
        return read;
    }

    private int scatteringRead(ScatteringByteChannel ch, int want, int room) throws IOException {
        if (readVector == null) {
            readVector = new ByteBuffer[MAX_READ_SEGMENTS + 1];
            readSegments = new Segment[MAX_READ_SEGMENTS + 1];
        }
        ByteBuffer[] v = readVector;
        Segment[] segs = readSegments;
        int count = 0;
        int planned = 0;
        if (room > 0) {
            segs[count] = tail;
            v[count++] = tail.ioForRead(room);
            planned = room;
        }
        int firstFresh = count;
        while (planned < want && count < v.length) {
            Segment f = SegmentPool.take();
            int k = Math.min(Segment.SIZE, want - planned);
            segs[count] = f;
            v[count++] = f.ioForRead(k);
            planned += k;
        }
        long read;
        try {
            read = ch.read(v, 0, count);
        } catch (IOException | RuntimeException e) {
            settleRead(firstFresh, count, false);
            throw e;
        }
        if (read > 0) {
            long old = length;
            settleRead(firstFresh, count, true);
            length = old + read;
            changed(old);
        } else {
            settleRead(firstFresh, count, false);
        }
        return (int) read;
    }

    /**
     * After a scattering read: each segment's I/O view position is its new limit. Links the new
     * segments that received bytes (if {@code keep}), recycles the others, and clears the scratch
     * arrays so they do not keep recycled segments reachable.
     */
    private void settleRead(int firstFresh, int count, boolean keep) {
        Segment[] segs = readSegments;
        if (keep && firstFresh > 0) {
            tail.limit = tail.io.position();
        }
        for (int j = firstFresh; j < count; j++) {
            Segment f = segs[j];
            int received = f.io.position();
            if (keep && received > 0) {
                f.limit = received;
                link(f);
            } else {
                SegmentPool.recycle(f);
            }
        }
        Arrays.fill(segs, 0, count, null);
        Arrays.fill(readVector, 0, count, null);
    }

    /**
     * {@link #writeTo(GatheringByteChannel, long)} with no limit.
     *
     * @param ch the channel to write
     * @return bytes written, possibly 0 on a non-blocking channel
     * @throws IOException from the channel; nothing is drained
     */
    public long writeTo(GatheringByteChannel ch) throws IOException {
        return writeTo(ch, Long.MAX_VALUE);
    }

    /**
     * Writes up to {@code max} bytes from the front to {@code ch} with ONE write call, a gathering
     * write of up to {@value #MAX_WRITE_SEGMENTS} segments, and drains what was written
     * ({@code evbuffer_write_atmost}). A partial write (a full socket buffer) simply leaves the
     * rest for the next call. The segment array is reused: no allocation.
     *
     * @param ch  the channel to write
     * @param max most bytes to write
     * @return bytes written, possibly 0 on a non-blocking channel
     * @throws IOException              from the channel; nothing is drained
     * @throws IllegalArgumentException if {@code max < 0}
     */
    public long writeTo(GatheringByteChannel ch, long max) throws IOException {
        requireNonNegative(max, "max");
        long budget = Math.min(max, length);
        if (budget == 0) {
            return 0;
        }
        Segment s = head;
        long written;
        if (s.readable() >= budget || s.next == null) {
            written = ch.write(s.ioForWrite((int) Math.min(s.readable(), budget)));
        } else {
            if (writeVector == null) {
                writeVector = new ByteBuffer[MAX_WRITE_SEGMENTS];
            }
            ByteBuffer[] v = writeVector;
            int count = 0;
            for (; s != null && count < v.length && budget > 0; s = s.next) {
                int k = (int) Math.min(s.readable(), budget);
                v[count++] = s.ioForWrite(k);
                budget -= k;
            }
            try {
                written = ch.write(v, 0, count);
            } finally {
                Arrays.fill(v, 0, count, null);
            }
        }
        if (written > 0) {
            drain(written);
        }
        return written;
    }

    // ---------------------------------------------------------------- callbacks and lifetime

    /**
     * Registers {@code callback} to run after every change of length ({@code evbuffer_add_cb}).
     * Adding the same callback twice makes it run twice. Registration allocates; firing does not.
     *
     * @param callback runs on the thread that changed the buffer, after each change
     */
    public void addCallback(ChangeCallback callback) {
        Objects.requireNonNull(callback, "callback");
        ChangeCallback[] grown = Arrays.copyOf(callbacks, callbacks.length + 1);
        grown[callbacks.length] = callback;
        callbacks = grown;
    }

    /**
     * Unregisters one registration of {@code callback} ({@code evbuffer_remove_cb}). Safe from
     * inside a callback: a change being reported still reaches the callbacks registered when it
     * happened.
     *
     * @param callback the callback to unregister
     * @return whether it was registered
     */
    public boolean removeCallback(ChangeCallback callback) {
        ChangeCallback[] cbs = callbacks;
        for (int i = 0; i < cbs.length; i++) {
            if (cbs[i] == callback) {
                ChangeCallback[] shrunk = new ChangeCallback[cbs.length - 1];
                System.arraycopy(cbs, 0, shrunk, 0, i);
                System.arraycopy(cbs, i + 1, shrunk, i, cbs.length - i - 1);
                callbacks = cbs.length == 1 ? NO_CALLBACKS : shrunk;
                return true;
            }
        }
        return false;
    }

    /**
     * Drops all callbacks and returns every segment to the pool without telling anyone
     * ({@code evbuffer_free}). The buffer is then empty; using it again is allowed and simply takes
     * new segments. Idempotent.
     */
    @Override
    public void close() {
        callbacks = NO_CALLBACKS;
        while (head != null) {
            recycleHead();
        }
        length = 0;
        lineScratch = null;
    }

    /** A short description: length and number of segments, never the content. */
    @Override
    public String toString() {
        return "EvBuffer[length=" + length + ", segments=" + segmentCount() + "]";
    }

    // ---------------------------------------------------------------- chain plumbing

    private void changed(long old) {
        if (length != old && callbacks.length != 0) {
            long now = length;
            for (ChangeCallback cb : callbacks) { // the array is never mutated: copy-on-write
                cb.onChange(this, old, now);
            }
        }
    }

    /**
     * The tail if it has free space, else a new segment linked as the tail; the caller must put at
     * least one byte in it before anything else looks at the chain. Also {@link Utf8}'s fast path.
     */
    Segment writableTail() {
        Segment t = tail;
        if (t != null && t.writable() > 0) {   // never a shared segment: it has no free space
            return t;
        }
        t = SegmentPool.take();
        link(t);
        return t;
    }

    /** The head if it has free space before its first byte, else a new head to be filled from its end. */
    private Segment headWithSlack() {
        Segment h = head;
        if (h.pos > 0 && !h.shared) {   // a shared segment's slack is other buffers' bytes
            return h;
        }
        h = SegmentPool.take();
        h.pos = Segment.SIZE;
        h.limit = Segment.SIZE;
        h.next = head;
        head = h;
        return h;
    }

    private void link(Segment s) {
        if (tail == null) {
            head = s;
        } else {
            tail.next = s;
        }
        tail = s;
    }

    /**
     * Takes ownership of a non-empty unlinked segment and appends its bytes, copying if small. A
     * shared segment is always linked: copying it would undo what {@link #addShared} saved.
     */
    private void appendSegment(Segment s) {
        Segment t = tail;
        int r = s.readable();
        if (t != null && !s.shared && r <= COMPACT_MAX && r <= t.writable()) {
            t.data.put(t.limit, s.data, s.pos, r);
            t.limit += r;
            SegmentPool.recycle(s);
        } else {
            link(s);
        }
    }

    /** Appends {@code n} bytes of {@code from} starting at {@code index}; length is the caller's. */
    private void write(ByteBuffer from, int index, int n) {
        while (n > 0) {
            Segment t = writableTail();
            int k = Math.min(t.writable(), n);
            t.data.put(t.limit, from, index, k);
            t.limit += k;
            index += k;
            n -= k;
        }
    }

    /** Appends one byte; length is the caller's. Used by {@link Utf8}. */
    void putByte(int b) {
        Segment t = writableTail();
        t.data.put(t.limit++, (byte) b);
    }

    private void recycleHead() {
        Segment s = head;
        head = s.next;
        if (head == null) {
            tail = null;
        }
        s.next = null;
        SegmentPool.recycle(s);
    }

    private void checkOffset(long from) {
        if (from < 0 || from > length) {
            throw new IndexOutOfBoundsException("offset " + from + " outside [0, " + length + "]");
        }
    }

    private static void requireNonNegative(long n, String name) {
        if (n < 0) {
            throw new IllegalArgumentException(name + " < 0: " + n);
        }
    }

    // ---------------------------------------------------------------- test hooks

    /** Number of segments in the chain. */
    int segmentCount() {
        int n = 0;
        for (Segment s = head; s != null; s = s.next) {
            n++;
        }
        return n;
    }

    /** The segments in order, for tests that check identity or boundaries. */
    List<Segment> segmentsForTest() {
        List<Segment> list = new ArrayList<>();
        for (Segment s = head; s != null; s = s.next) {
            list.add(s);
        }
        return list;
    }

    /**
     * Appends {@code len <= SEGMENT_SIZE} bytes in a segment of their own, so a test can place
     * segment boundaries where it wants (libevent's tests use {@code evbuffer_add_buffer} of small
     * buffers for this, which our small-segment compaction would merge).
     */
    void addInNewSegment(byte[] src, int off, int len) {
        if (len <= 0 || len > Segment.SIZE) {
            throw new IllegalArgumentException("len must be in [1, SEGMENT_SIZE]: " + len);
        }
        Segment s = SegmentPool.take();
        s.data.put(0, src, off, len);
        s.limit = len;
        link(s);
        long old = length;
        length = old + len;
        changed(old);
    }

    /** Checks the chain's invariants, like libevent's {@code evbuffer_validate}. */
    void validate() {
        long sum = 0;
        Segment last = null;
        for (Segment s = head; s != null; s = s.next) {
            if (s.pos < 0 || s.pos >= s.limit || s.limit > s.capacity()) {
                throw new IllegalStateException("bad segment [" + s.pos + ", " + s.limit + ") in " + this);
            }
            sum += s.readable();
            last = s;
        }
        if (sum != length || last != tail) {
            throw new IllegalStateException("length " + length + " but segments hold " + sum
                    + (last != tail ? ", tail is not the last segment" : ""));
        }
    }
}
