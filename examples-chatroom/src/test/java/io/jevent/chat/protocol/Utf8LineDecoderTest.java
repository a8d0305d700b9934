package io.jevent.chat.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class Utf8LineDecoderTest {
    private final Utf8LineDecoder decoder = new Utf8LineDecoder();

    private static byte[] hex(String hex) {
        String[] parts = hex.trim().split("\\s+", -1);
        byte[] out = new byte[parts.length];
        for (int i = 0; i < parts.length; i++) {
            out[i] = (byte) Integer.parseInt(parts[i], 16);
        }
        return out;
    }

    @Test
    void decodesValidMultibyteText() {
        String text = "SAY h\u00e9llo \u4f60\u597d \ud83d\ude00 \u20ac";
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        assertThat(decoder.decode(bytes, 0, bytes.length)).isEqualTo(text);
    }

    @Test
    void decodesTheLargestCodePoint() {
        assertThat(decoder.decode(hex("F4 8F BF BF"), 0, 4)).isEqualTo(new String(Character.toChars(0x10FFFF)));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "C0 AF",            // overlong '/'
        "C1 BF",            // overlong
        "E0 80 AF",         // overlong 3-byte '/'
        "F0 80 80 AF",      // overlong 4-byte '/'
        "ED A0 80",         // lone high surrogate U+D800
        "ED BF BF",         // lone low surrogate U+DFFF
        "ED A0 BD ED B8 80",// surrogate pair encoded CESU-8 style
        "F4 90 80 80",      // above U+10FFFF
        "F8 88 80 80 80",   // 5-byte form
        "80",               // lone continuation byte
        "41 E4 BD",         // truncated 3-byte sequence at end of line
        "F0 9F 98",         // truncated 4-byte sequence
        "C3",               // truncated 2-byte sequence
        "E4 41 A0",         // continuation replaced by ASCII
        "FF",               // never valid
    })
    void rejectsMalformedSequences(String bytes) {
        byte[] b = hex(bytes);
        assertThat(decoder.decode(b, 0, b.length)).as(bytes).isNull();
    }

    @Test
    void isReusableAfterAnError() {
        byte[] bad = hex("C0 AF");
        byte[] good = "PING".getBytes(StandardCharsets.UTF_8);
        assertThat(decoder.decode(bad, 0, bad.length)).isNull();
        assertThat(decoder.decode(good, 0, good.length)).isEqualTo("PING");
        assertThat(decoder.decode(hex("F0 9F 98"), 0, 3)).isNull();
        assertThat(decoder.decode(hex("F0 9F 98 80"), 0, 4)).isEqualTo("\ud83d\ude00");
    }

    @Test
    void consumesTheBufferAndHandlesFullAndOverlongLines() {
        ByteBuffer max = ByteBuffer.wrap("\u00e9".repeat(Protocol.MAX_LINE_BYTES / 2).getBytes(StandardCharsets.UTF_8));
        assertThat(decoder.decode(max)).hasSize(Protocol.MAX_LINE_BYTES / 2);
        assertThat(max.hasRemaining()).isFalse();
        byte[] longer = "a".repeat(Protocol.MAX_LINE_BYTES * 2).getBytes(StandardCharsets.US_ASCII);
        assertThat(decoder.decode(longer, 0, longer.length)).hasSize(longer.length);
        assertThat(decoder.decode(new byte[0], 0, 0)).isEmpty();
    }
}
