package io.jevent.core.buffer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** readLine wherever the segment boundaries fall, and the over-long line path. */
class EvBufferLineTest {
    private static final String MIXED = "a\r\nb\nc\rd\0e\r\r\n\nf";

    /** What each style makes of MIXED: the lines, then what stays as a partial line. */
    private static final Map<EolStyle, List<String>> EXPECTED = Map.of(
            EolStyle.LF, List.of("a\r", "b", "c\rd\0e\r\r", "", "rest:f"),
            EolStyle.CRLF, List.of("a", "b", "c\rd\0e\r", "", "rest:f"),
            EolStyle.CRLF_STRICT, List.of("a", "b\nc\rd\0e\r", "rest:\nf"),
            EolStyle.NUL, List.of("a\r\nb\nc\rd", "rest:e\r\r\n\nf"),
            EolStyle.ANY, List.of("a", "b", "c", "d\0e", "rest:f"));

    private final EvBuffer buf = new EvBuffer();

    @AfterEach
    void release() {
        buf.close();
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** Loads MIXED with segments ending at the given cut offsets. */
    private void loadWithCuts(int... cuts) {
        byte[] b = ascii(MIXED);
        int start = 0;
        for (int cut : cuts) {
            buf.addInNewSegment(b, start, cut - start);
            start = cut;
        }
        buf.addInNewSegment(b, start, b.length - start);
    }

    private List<String> readAll(EolStyle style) {
        List<String> lines = new ArrayList<>();
        String line;
        while ((line = buf.readLine(style, StandardCharsets.ISO_8859_1)) != null) {
            buf.validate();
            lines.add(line);
        }
        lines.add("rest:" + buf.readString(buf.length(), StandardCharsets.ISO_8859_1));
        return lines;
    }

    @ParameterizedTest
    @EnumSource(EolStyle.class)
    @DisplayName("behaviour 14 (test_evbuffer_readln across chains): every one- and two-cut segmentation gives the same lines")
    void everySegmentationGivesTheSameLines(EolStyle style) {
        int n = MIXED.length();
        for (int i = 1; i < n; i++) {
            loadWithCuts(i);
            assertThat(readAll(style)).as("cut at %d", i).isEqualTo(EXPECTED.get(style));
            for (int j = i + 1; j < n; j++) {
                loadWithCuts(i, j);
                assertThat(buf.segmentCount()).isEqualTo(3);
                assertThat(readAll(style)).as("cuts at %d, %d", i, j).isEqualTo(EXPECTED.get(style));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(EolStyle.class)
    @DisplayName("behaviour 14: CR LF split across two segments, with the LF already there")
    void crlfSplitAcrossSegments(EolStyle style) {
        byte[] first = ascii("hello\r");
        byte[] second = ascii("\nworld\r\n");
        buf.addInNewSegment(first, 0, first.length);
        buf.addInNewSegment(second, 0, second.length);
        List<String> expected = switch (style) {
            case LF -> List.of("hello\r", "world\r", "rest:");
            case NUL -> List.of("rest:hello\r\nworld\r\n");
            default -> List.of("hello", "world", "rest:");
        };
        assertThat(readAll(style)).isEqualTo(expected);
    }

    @Test
    @DisplayName("behaviour 14: CR LF whose LF has not arrived yet, per style")
    void crlfWhoseLfArrivesLater() {
        for (EolStyle style : new EolStyle[] {EolStyle.CRLF, EolStyle.CRLF_STRICT, EolStyle.LF}) {
            buf.add(ascii("hello\r"));
            assertThat(buf.readLine(style)).as("%s waits for the LF", style).isNull();
            assertThat(buf.length()).isEqualTo(6);
            buf.add(ascii("\n"));
            assertThat(buf.readLine(style)).isEqualTo(style == EolStyle.LF ? "hello\r" : "hello");
            assertThat(buf.isEmpty()).isTrue();
        }
        // ANY takes a lone CR as the end of line (libevent does the same): the late LF is an empty line.
        buf.add(ascii("hello\r"));
        assertThat(buf.readLine(EolStyle.ANY)).isEqualTo("hello");
        buf.add(ascii("\n"));
        assertThat(buf.readLine(EolStyle.ANY)).isEmpty();
    }

    @Test
    @DisplayName("readLine decodes UTF-8 across a segment boundary inside a multi-byte character")
    void utf8AcrossSegments() {
        byte[] b = "grüße, 世界\n".getBytes(StandardCharsets.UTF_8);
        for (int cut = 1; cut < b.length; cut++) {
            buf.addInNewSegment(b, 0, cut);
            buf.addInNewSegment(b, cut, b.length - cut);
            assertThat(buf.readLine(EolStyle.LF)).isEqualTo("grüße, 世界");
        }
    }

    @Test
    @DisplayName("LineTooLongException: complete over-long line, buffer unchanged")
    void completeLineTooLong() {
        buf.add(ascii("0123456789\r\nok\r\n"));
        assertThatThrownBy(() -> buf.readLine(EolStyle.CRLF, 9))
                .isInstanceOfSatisfying(LineTooLongException.class, e -> assertThat(e.maxLength()).isEqualTo(9))
                .hasMessageContaining("9");
        assertThatThrownBy(() -> buf.readLineBytes(EolStyle.CRLF, 9)).isInstanceOf(LineTooLongException.class);
        assertThat(buf.length()).isEqualTo(16);
        assertThat(buf.readLine(EolStyle.CRLF, 10)).as("exactly maxLength is fine").isEqualTo("0123456789");
        assertThat(buf.readLine(EolStyle.CRLF, 10)).isEqualTo("ok");
    }

    @ParameterizedTest
    @EnumSource(EolStyle.class)
    @DisplayName("LineTooLongException: a partial line already longer than the limit is refused before its EOL arrives")
    void partialLineTooLong(EolStyle style) {
        buf.add(ascii("0123456789"));
        assertThat(buf.readLine(style, 10)).as("10 bytes may still become a valid line").isNull();
        buf.add(ascii("A"));
        assertThatThrownBy(() -> buf.readLine(style, 10)).isInstanceOf(LineTooLongException.class);
        assertThat(buf.length()).isEqualTo(11);
    }

    @Test
    @DisplayName("LineTooLongException: a trailing CR may be half a CRLF, so it does not count yet")
    void trailingCrIsNotCounted() {
        buf.add(ascii("0123456789\r"));
        assertThat(buf.readLine(EolStyle.CRLF_STRICT, 10)).isNull();
        assertThat(buf.readLine(EolStyle.CRLF, 10)).isNull();
        assertThatThrownBy(() -> buf.readLine(EolStyle.LF, 10)).isInstanceOf(LineTooLongException.class);
        buf.add(ascii("\n"));
        assertThat(buf.readLine(EolStyle.CRLF_STRICT, 10)).isEqualTo("0123456789");
    }

    @Test
    @DisplayName("discardLine: a chat server answers 413 and skips the rest of a line still arriving")
    void discardLineAcrossArrivals() {
        int max = 100;
        List<String> accepted = new ArrayList<>();
        List<String> replies = new ArrayList<>();
        boolean discarding = false;
        String[] arrivals = {"hi\r\n" + "x".repeat(150), "y".repeat(20000) + "\r", "\nafter\r\nnext"};
        for (String arrival : arrivals) {
            buf.add(ascii(arrival));
            while (true) {
                if (discarding) {
                    if (!buf.discardLine(EolStyle.CRLF_STRICT)) {
                        break; // the rest of the long line is still to come
                    }
                    discarding = false;
                }
                try {
                    String line = buf.readLine(EolStyle.CRLF_STRICT, max);
                    if (line == null) {
                        break;
                    }
                    accepted.add(line);
                } catch (LineTooLongException e) {
                    replies.add("ERR 413 line too long (max " + e.maxLength() + ")");
                    discarding = true;
                }
            }
            assertThat(buf.length()).as("the long line is never held").isLessThanOrEqualTo(max + 2);
        }
        assertThat(accepted).containsExactly("hi", "after");
        assertThat(replies).containsExactly("ERR 413 line too long (max 100)");
        assertThat(buf.readUtf8(100)).isEqualTo("next");
    }

    @Test
    @DisplayName("discardLine returns true and drains through the EOL when it is there")
    void discardCompleteLine() {
        buf.add(ascii("drop me\r\n\r\nkeep\n"));
        assertThat(buf.discardLine(EolStyle.ANY)).isTrue();
        assertThat(buf.readLine(EolStyle.ANY)).isEqualTo("keep");
        buf.add(ascii("partial"));
        assertThat(buf.discardLine(EolStyle.LF)).isFalse();
        assertThat(buf.isEmpty()).isTrue();
    }

    @Test
    @DisplayName("readLine with a negative limit fails clearly and changes nothing")
    void negativeLimit() {
        buf.add(ascii("a\n"));
        assertThatThrownBy(() -> buf.readLine(EolStyle.LF, -1)).isInstanceOf(IllegalArgumentException.class);
        assertThat(buf.readLine(EolStyle.LF)).isEqualTo("a");
    }
}
