package io.jevent.chat.client;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * What a test "types": an input stream fed from the test thread, blocking until something is typed,
 * at end of input after {@link #close()}. (java.io's piped streams fail when the writing thread is
 * not alive, which a test cannot promise.)
 *
 * <p>One reading thread (the client's keyboard thread, or JLine's input pump). Nothing here holds a
 * monitor while it blocks: JLine may call {@link #available()} from another thread while its pump is
 * blocked in {@link #read}, and must not wait for it.
 */
final class Keyboard extends InputStream {
    private static final byte[] EOF = new byte[0];
    private final LinkedBlockingQueue<byte[]> chunks = new LinkedBlockingQueue<>();
    private byte[] current = new byte[0];
    private int pos;
    private boolean ended;

    /** Types {@code text} as it is (no newline added). */
    void type(String text) {
        chunks.add(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Types {@code line} and Enter. */
    void line(String line) {
        type(line + "\n");
    }

    /** End of input (Ctrl-D / the end of a pipe). */
    @Override
    public void close() {
        chunks.add(EOF);
    }

    @Override
    public int read() throws java.io.IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws java.io.IOException {
        if (len == 0) {
            return 0;
        }
        while (pos == current.length) {
            if (ended) {
                return -1;
            }
            try {
                current = chunks.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException();
            }
            pos = 0;
            if (current == EOF) {
                ended = true;
            }
        }
        int n = Math.min(len, current.length - pos);
        System.arraycopy(current, pos, b, off, n);
        pos += n;
        return n;
    }

    /** Always 0 ("a read may block"): safe from any thread, and true often enough. */
    @Override
    public int available() {
        return 0;
    }
}
