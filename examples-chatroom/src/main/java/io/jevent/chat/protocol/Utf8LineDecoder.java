package io.jevent.chat.protocol;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Strict UTF-8 decoding of one raw request line.
 *
 * <p>Rejects everything the JDK's UTF-8 decoder reports as malformed: overlong encodings, encoded
 * surrogates (lone or paired, CESU-8 style), code points above U+10FFFF, stray continuation bytes
 * and sequences truncated by the end of the line. Errors come back as a {@code null} result, not
 * as exceptions: {@link CharsetDecoder#decode(ByteBuffer, CharBuffer, boolean)} reports them with
 * a {@link CoderResult}, so a flood of bad lines costs no stack-trace construction.
 *
 * <p>Not thread-safe: it reuses one decoder and one output buffer. Give each loop thread (or each
 * connection) its own instance and use it only from that thread.
 */
public final class Utf8LineDecoder {
    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    /** UTF-8 never yields more chars than bytes, so MAX_LINE_BYTES chars hold any legal line. */
    private CharBuffer chars = CharBuffer.allocate(Protocol.MAX_LINE_BYTES);

    /** Creates a decoder; call only from the thread that will own it. */
    public Utf8LineDecoder() {
    }

    /**
     * Decodes the remaining bytes of {@code line} (the line's content, with or without its
     * terminator; the parser ignores a trailing {@code \r\n}).
     *
     * @param line raw bytes; its position is advanced to its limit whether or not decoding succeeds
     * @return the decoded text, or {@code null} if the bytes are not valid UTF-8 (reply
     *         {@link ProtocolError#INVALID_UTF8})
     */
    public String decode(ByteBuffer line) {
        int length = line.remaining();
        if (chars.capacity() < length) {
            chars = CharBuffer.allocate(length);   // only for callers that allow longer lines
        }
        chars.clear();
        decoder.reset();
        CoderResult result = decoder.decode(line, chars, true);
        if (!result.isError()) {
            result = decoder.flush(chars);
        }
        line.position(line.limit());
        if (result.isError()) {
            return null;
        }
        chars.flip();
        return chars.toString();
    }

    /**
     * Decodes {@code length} bytes of {@code bytes} starting at {@code offset}.
     *
     * @param bytes  source array (not modified)
     * @param offset first byte
     * @param length number of bytes
     * @return the decoded text, or {@code null} if the bytes are not valid UTF-8
     * @throws IndexOutOfBoundsException if the range is outside the array
     */
    public String decode(byte[] bytes, int offset, int length) {
        return decode(ByteBuffer.wrap(bytes, offset, length));
    }
}
