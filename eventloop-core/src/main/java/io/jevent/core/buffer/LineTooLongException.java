package io.jevent.core.buffer;

/**
 * Thrown by the {@code maxLength} variants of {@link EvBuffer#readLine(EolStyle, int)} when the
 * line at the front of the buffer, not counting its end of line, is longer than the limit,
 * whether or not its end of line has arrived yet. The buffer is left unchanged: the caller decides,
 * typically by answering an error and calling {@link EvBuffer#discardLine(EolStyle)} until it
 * returns {@code true}.
 */
public final class LineTooLongException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The limit the line exceeded, in bytes without the end of line. */
    private final int maxLength;

    /**
     * Reports a line longer than {@code maxLength} bytes.
     *
     * @param maxLength the limit the line exceeded
     */
    public LineTooLongException(int maxLength) {
        super("line longer than " + maxLength + " bytes");
        this.maxLength = maxLength;
    }

    /**
     * The limit the line exceeded.
     *
     * @return the limit, in bytes without the end of line
     */
    public int maxLength() {
        return maxLength;
    }
}
