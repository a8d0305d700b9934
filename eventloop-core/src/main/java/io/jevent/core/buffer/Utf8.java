package io.jevent.core.buffer;

import java.nio.ByteBuffer;

/**
 * Encodes text as UTF-8 straight into an {@link EvBuffer}'s segments, so
 * {@code add(text, UTF_8)} needs no intermediate {@code byte[]}. Unpaired surrogates become '?',
 * matching {@link String#getBytes(java.nio.charset.Charset)}.
 */
final class Utf8 {
    private Utf8() {
    }

    /** Appends {@code text} to {@code buffer}'s chain and returns the byte count; length is the caller's. */
    static long encode(CharSequence text, EvBuffer buffer) {
        long bytes = 0;
        int n = text.length();
        int i = 0;
        while (i < n) {
            char c = text.charAt(i);
            if (c < 0x80) {
                // ASCII run: write straight into the tail segment until it fills or the run ends.
                Segment t = buffer.writableTail();
                ByteBuffer d = t.data;
                int lim = t.limit;
                int cap = t.capacity();
                int start = lim;
                while (lim < cap && i < n && (c = text.charAt(i)) < 0x80) {
                    d.put(lim++, (byte) c);
                    i++;
                }
                t.limit = lim;
                bytes += lim - start;
            } else if (c < 0x800) {
                buffer.putByte(0xC0 | (c >> 6));
                buffer.putByte(0x80 | (c & 0x3F));
                bytes += 2;
                i++;
            } else if (!Character.isSurrogate(c)) {
                buffer.putByte(0xE0 | (c >> 12));
                buffer.putByte(0x80 | ((c >> 6) & 0x3F));
                buffer.putByte(0x80 | (c & 0x3F));
                bytes += 3;
                i++;
            } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(text.charAt(i + 1))) {
                int cp = Character.toCodePoint(c, text.charAt(i + 1));
                buffer.putByte(0xF0 | (cp >> 18));
                buffer.putByte(0x80 | ((cp >> 12) & 0x3F));
                buffer.putByte(0x80 | ((cp >> 6) & 0x3F));
                buffer.putByte(0x80 | (cp & 0x3F));
                bytes += 4;
                i += 2;
            } else {
                buffer.putByte('?');
                bytes++;
                i++;
            }
        }
        return bytes;
    }
}
