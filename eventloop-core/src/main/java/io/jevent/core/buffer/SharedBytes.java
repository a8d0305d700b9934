package io.jevent.core.buffer;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * Immutable bytes that many {@link EvBuffer}s can hold at once without a copy: the argument of
 * {@link EvBuffer#addShared(SharedBytes)}, jevent's {@code evbuffer_add_reference}. Encode a message
 * once into a {@code SharedBytes}, then add it to every recipient's output buffer; each buffer reads
 * and drains its own reference independently, and the bytes never change.
 *
 * <p>Lifetime: owned by the garbage collector, not reference counted. The bytes stay valid while any
 * buffer (or anyone else) still refers to them, and are freed with the last reference; there is no
 * release call to forget and no count to update across threads. libevent's cleanup callback has no
 * equivalent: the collector is the cleanup. The bytes never enter the {@link SegmentPool}, so they
 * can never be recycled into a writable segment.
 *
 * <p>Threads: immutable, so any number of threads may read the same instance, provided it reached
 * them with a happens-before edge (a queue, a future, a volatile or final field), as any hand-off
 * between jevent loops has.
 */
public final class SharedBytes {
    /** Read-only; position 0 and limit = capacity = length, never changed after construction. */
    final ByteBuffer bytes;

    private SharedBytes(ByteBuffer readOnly) {
        this.bytes = readOnly;
    }

    /**
     * Copies {@code src} once into new direct memory (sockets write direct memory without another
     * copy). Allocates native memory that only the collector frees: for many small messages prefer
     * {@link #wrap} of slices of one larger direct buffer.
     *
     * @param src the bytes, copied
     * @return the shared bytes
     */
    public static SharedBytes copyOf(byte[] src) {
        return copyOf(src, 0, src.length);
    }

    /**
     * Copies {@code len} bytes of {@code src} from {@code off} into new direct memory; see
     * {@link #copyOf(byte[])}.
     *
     * @param src the bytes, copied
     * @param off index of the first byte
     * @param len how many bytes
     * @return the shared bytes
     * @throws IndexOutOfBoundsException if the range is not inside {@code src}
     */
    public static SharedBytes copyOf(byte[] src, int off, int len) {
        Objects.checkFromIndexSize(off, len, src.length);
        ByteBuffer direct = ByteBuffer.allocateDirect(len);
        direct.put(0, src, off, len);
        return new SharedBytes(direct.asReadOnlyBuffer());
    }

    /**
     * Shares the remaining bytes of {@code src} without copying them; {@code src}'s position and
     * limit are not changed. The caller promises that nobody changes those bytes from now on, through
     * {@code src} or any other view of the same memory, for as long as any buffer may still hold
     * them: this object only guards against writes through itself. A direct {@code src} is written to
     * sockets without a copy; a heap one is copied into a temporary direct buffer by the JDK on each
     * socket write.
     *
     * @param src the bytes from its position to its limit; not copied
     * @return the shared bytes
     */
    public static SharedBytes wrap(ByteBuffer src) {
        return new SharedBytes(src.asReadOnlyBuffer().slice());
    }

    /**
     * Number of bytes.
     *
     * @return the length
     */
    public int length() {
        return bytes.capacity();
    }

    /**
     * Copies the bytes out, for tests and diagnostics.
     *
     * @return a new array holding the bytes
     */
    public byte[] toByteArray() {
        byte[] copy = new byte[bytes.capacity()];
        bytes.get(0, copy);
        return copy;
    }

    /** A short description: the length, never the content. */
    @Override
    public String toString() {
        return "SharedBytes[length=" + bytes.capacity() + "]";
    }
}
