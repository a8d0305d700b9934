package io.jevent.core.buffer;

/**
 * Where {@link EvBuffer#searchEol(EolStyle, long, EolMatch)} found an end of line; libevent's
 * {@code evbuffer_ptr} plus {@code eol_len_out}.
 *
 * <p>Mutable and reusable, so a caller scanning many lines can keep one instance and allocate
 * nothing. Not thread-safe: one thread at a time, like the buffer it describes.
 */
public final class EolMatch {
    private long position = -1;
    private long eolLength;

    /** Makes a match that reports "not found" until a search fills it. */
    public EolMatch() {
    }

    /**
     * Whether the last search found an end of line.
     *
     * @return {@code true} if it did
     */
    public boolean found() {
        return position >= 0;
    }

    /**
     * Where the end of line starts.
     *
     * @return the offset of its first byte from the buffer's start, or -1 if none was found
     */
    public long position() {
        return position;
    }

    /**
     * How many bytes the end of line spans (1 or 2, or the whole CR/LF run for
     * {@link EolStyle#ANY}).
     *
     * @return its length in bytes; 0 if none was found
     */
    public long eolLength() {
        return eolLength;
    }

    void set(long position, long eolLength) {
        this.position = position;
        this.eolLength = eolLength;
    }

    @Override
    public String toString() {
        return found() ? "EolMatch[position=" + position + ", eolLength=" + eolLength + "]" : "EolMatch[not found]";
    }
}
