package io.jevent.core.buffer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Behaviours 14, 15 and 16 of the libevent map, ported from libevent's test/regress_buffer.c. */
class EvBufferLibeventRegressTest {
    private final EvBuffer evb = new EvBuffer();
    private final EvBuffer tmp = new EvBuffer();

    @AfterEach
    void release() {
        evb.close();
        tmp.close();
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private String line(EolStyle style) {
        byte[] b = evb.readLineBytes(style);
        evb.validate();
        return b == null ? null : new String(b, StandardCharsets.ISO_8859_1);
    }

    @Test
    @DisplayName("behaviour 14, test_evbuffer_readln: EOL_ANY consumes the whole CR/LF run")
    void readlnAny() {
        evb.add(ascii("complex silly newline\r\n\n\r\n\n\rmore\0\n"));
        assertThat(line(EolStyle.ANY)).isEqualTo("complex silly newline");
        assertThat(line(EolStyle.ANY)).isEqualTo("more\0");
        assertThat(evb.length()).isZero();

        evb.add(ascii("\nno newline"));
        assertThat(line(EolStyle.ANY)).isEmpty();
        assertThat(line(EolStyle.ANY)).isNull();
        assertThat(evb.length()).as("partial line kept").isEqualTo("no newline".length());
    }

    @Test
    @DisplayName("behaviour 14, test_evbuffer_readln: EOL_CRLF takes LF with an optional CR")
    void readlnCrlf() {
        evb.add(ascii("a\r\nb\n"));
        assertThat(line(EolStyle.CRLF)).isEqualTo("a");
        assertThat(line(EolStyle.CRLF)).isEqualTo("b");
        assertThat(line(EolStyle.CRLF)).isNull();

        evb.add(ascii("Line with\rin the middle\nLine with good crlf\r\n\nfinal\n"));
        assertThat(line(EolStyle.CRLF)).isEqualTo("Line with\rin the middle");
        assertThat(line(EolStyle.CRLF)).isEqualTo("Line with good crlf");
        assertThat(line(EolStyle.CRLF)).isEmpty();
        assertThat(line(EolStyle.CRLF)).isEqualTo("final");
        evb.add(ascii("x"));
        assertThat(line(EolStyle.CRLF)).isNull();
        assertThat(evb.length()).as("partial line kept").isEqualTo(1);
    }

    @Test
    @DisplayName("behaviour 14, test_evbuffer_readln: EOL_CRLF_STRICT needs CR LF, also across chains")
    void readlnCrlfStrict() {
        evb.add(ascii("x and a bad crlf\nand a good one\r\n\r\nMore\r"));
        assertThat(line(EolStyle.CRLF_STRICT)).isEqualTo("x and a bad crlf\nand a good one");
        assertThat(line(EolStyle.CRLF_STRICT)).isEmpty();
        assertThat(line(EolStyle.CRLF_STRICT)).isNull();
        evb.add(ascii("\n"));
        assertThat(line(EolStyle.CRLF_STRICT)).isEqualTo("More");
        assertThat(evb.length()).isZero();

        evb.add(ascii("An internal CR\r is not an eol\r\nNor is a lack of one"));
        assertThat(line(EolStyle.CRLF_STRICT)).isEqualTo("An internal CR\r is not an eol");
        assertThat(line(EolStyle.CRLF_STRICT)).isNull();
        evb.add(ascii("\r\n"));
        assertThat(line(EolStyle.CRLF_STRICT)).isEqualTo("Nor is a lack of one");
        assertThat(evb.length()).isZero();

        // "across boundaries": each piece in a segment of its own, so CR and LF sit in different ones.
        for (String piece : new String[] {" and a bad crlf\nand a good one\r", "\n\r", "\nMore\r"}) {
            byte[] b = ascii(piece);
            evb.addInNewSegment(b, 0, b.length);
        }
        assertThat(evb.segmentCount()).isEqualTo(3);
        assertThat(line(EolStyle.CRLF_STRICT)).isEqualTo(" and a bad crlf\nand a good one");
        assertThat(line(EolStyle.CRLF_STRICT)).isEmpty();
        assertThat(line(EolStyle.CRLF_STRICT)).isNull();
        evb.add(ascii("\n"));
        assertThat(line(EolStyle.CRLF_STRICT)).isEqualTo("More");
        assertThat(evb.length()).isZero();
    }

    @Test
    @DisplayName("behaviour 14, test_evbuffer_readln: EOL_LF keeps a CR as data")
    void readlnLf() {
        evb.add(ascii("An\rand a nl\n\nText"));
        assertThat(line(EolStyle.LF)).isEqualTo("An\rand a nl");
        assertThat(line(EolStyle.LF)).isEmpty();
        assertThat(line(EolStyle.LF)).isNull();
        evb.add(ascii("\n"));
        assertThat(line(EolStyle.LF)).isEqualTo("Text");

        // "memory problem" case: lines that came in through addBuffer.
        tmp.add(ascii("one line\ntwo line\nblue line"));
        evb.addBuffer(tmp);
        assertThat(line(EolStyle.LF)).isEqualTo("one line");
        assertThat(line(EolStyle.LF)).isEqualTo("two line");
        assertThat(line(EolStyle.LF)).isNull();
    }

    @Test
    @DisplayName("behaviour 14, test_evbuffer_readln: EOL_NUL splits on NUL bytes")
    void readlnNul() {
        evb.add(ascii("NUL\n\0\0The all-zeros character which may serve\0to accomplish time fill\0and media fill"));
        assertThat(line(EolStyle.NUL)).isEqualTo("NUL\n");
        assertThat(line(EolStyle.NUL)).isEmpty();
        assertThat(line(EolStyle.NUL)).isEqualTo("The all-zeros character which may serve");
        assertThat(line(EolStyle.NUL)).isEqualTo("to accomplish time fill");
        assertThat(line(EolStyle.NUL)).isNull();
        assertThat(evb.readUtf8(100)).isEqualTo("and media fill");
    }

    @Test
    @DisplayName("behaviour 14, test_evbuffer_search_eol: positions and EOL lengths from a start offset")
    void searchEol() {
        evb.add(ascii("string! \r\n\r\nx\n"));
        EolMatch m = new EolMatch();
        assertThat(evb.searchEol(EolStyle.CRLF, 0, m)).isTrue();
        assertThat(m.position()).isEqualTo(8);
        assertThat(m.eolLength()).isEqualTo(2);
        evb.searchEol(EolStyle.CRLF, 8, m);
        assertThat(m.position()).isEqualTo(8);
        assertThat(m.eolLength()).isEqualTo(2);
        evb.searchEol(EolStyle.CRLF, 9, m);
        assertThat(m.position()).as("the CR before the start is not part of the EOL").isEqualTo(9);
        assertThat(m.eolLength()).isEqualTo(1);
        evb.searchEol(EolStyle.CRLF_STRICT, 9, m);
        assertThat(m.position()).isEqualTo(10);
        assertThat(m.eolLength()).isEqualTo(2);
        evb.searchEol(EolStyle.LF, 0, m);
        assertThat(m.position()).isEqualTo(9);
        assertThat(m.eolLength()).isEqualTo(1);
        evb.searchEol(EolStyle.LF, 10, m);
        assertThat(m.position()).isEqualTo(11);
        assertThat(evb.searchEol(EolStyle.LF, evb.length(), m)).isFalse();
        assertThat(m.position()).isEqualTo(-1);
        assertThat(m.eolLength()).isZero();
        assertThat(evb.searchEol(EolStyle.ANY, 0).eolLength()).isEqualTo(4);
    }

    @Test
    @DisplayName("behaviour 15, test_evbuffer_search: matches across chains, continued and bounded searches")
    void search() {
        assertThat(evb.search(ascii("x"), 0)).isEqualTo(-1);
        for (String piece : new String[] {"hello", "foo", "cat", "attack"}) {
            byte[] b = ascii(piece);
            evb.addInNewSegment(b, 0, b.length);
        }
        assertThat(evb.segmentCount()).isEqualTo(4);
        assertThat(evb.search(ascii("attack"), 0)).isEqualTo(11);
        assertThat(evb.search(ascii("attacker"), 0)).isEqualTo(-1);
        long pos = evb.search(ascii("oc"), 0);
        assertThat(pos).isEqualTo(7);
        assertThat(evb.search(ascii("cat"), pos)).isEqualTo(8);
        assertThat(evb.search(ascii("tacking"), 8)).isEqualTo(-1);
        assertThat(evb.search(ascii("foo"), 5)).isEqualTo(5);
        assertThat(evb.search(ascii("tat"), 7)).isEqualTo(10);
        // bounded: the match must end at or before 'to' (12 = the first t of "attack")
        assertThat(evb.search(ascii("foo"), 0, 12)).isEqualTo(5);
        assertThat(evb.search(ascii("foocata"), 0, 12)).isEqualTo(5);
        assertThat(evb.search(ascii("foocatat"), 0, 12)).isEqualTo(-1);
        assertThat(evb.search(ascii("ack"), 0, 12)).isEqualTo(-1);
        assertThat(evb.search(ascii("attack"), 11, 17)).isEqualTo(11);
        assertThat(evb.search(ascii("attack"), 17, 17)).isEqualTo(-1);
        assertThat(evb.length()).as("search is non-destructive").isEqualTo(17);
    }

    @Test
    @DisplayName("behaviour 16, test_evbuffer (add_buffer): addBuffer moves everything and empties the source")
    void addBufferMoves() {
        byte[] big = new byte[3 * EvBuffer.SEGMENT_SIZE + 123];
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) i;
        }
        evb.add(ascii("head:"));
        tmp.add(big);
        List<Segment> moved = tmp.segmentsForTest();
        evb.addBuffer(tmp);
        evb.validate();
        tmp.validate();
        assertThat(tmp.length()).isZero();
        assertThat(evb.length()).isEqualTo(5 + big.length);
        assertThat(evb.segmentsForTest()).as("full segments are relinked, not copied")
                .containsAll(moved.subList(0, 3));
        byte[] out = new byte[big.length];
        evb.drain(5);
        assertThat(evb.remove(out)).isEqualTo(big.length);
        assertThat(out).isEqualTo(big);

        tmp.add(ascii("again"));
        evb.addBuffer(tmp);
        assertThat(evb.readUtf8(10)).isEqualTo("again");
        assertThat(tmp.isEmpty()).isTrue();
    }

    @Test
    @DisplayName("test_evbuffer, test_evbuffer_pullup_with_empty: a count of -1 means the whole buffer")
    void minusOneMeansAll() {
        evb.addInNewSegment(ascii("else"), 0, 4);
        evb.addInNewSegment(ascii("something"), 0, 9);
        evb.validate();
        ByteBuffer all = evb.pullUp(-1);
        evb.validate();
        byte[] got = new byte[all.remaining()];
        all.get(got);
        assertThat(new String(got, StandardCharsets.ISO_8859_1)).isEqualTo("elsesomething");
        assertThat(evb.length()).as("pullUp moves nothing out").isEqualTo(13);

        assertThat(evb.drain(-1)).isEqualTo(13);
        evb.validate();
        assertThat(evb.isEmpty()).isTrue();
        assertThat(evb.drain(-1)).as("draining an empty buffer").isZero();
        assertThat(evb.pullUp(-1).remaining()).as("pulling up an empty buffer").isZero();
    }

    @Test
    @DisplayName("behaviour 16, test_evbuffer_copyout: non-destructive, returns min(n, len), spans chains")
    void copyOut() {
        String string = "Still they skirmish to and fro, men my messmates on the snow "
                + "When we headed off the aurochs turn for turn; "
                + "When the rich Allobrogenses never kept amanuenses, "
                + "And our only plots were piled in lakes at Berne.";
        byte[] s = ascii(string);
        assertThat(s).hasSize(206);
        evb.addInNewSegment(s, 0, 80);
        evb.addInNewSegment(s, 80, 80);
        evb.add(s, 160, 206 - 160);
        byte[] out = new byte[1024];
        assertThat(evb.copyOut(out, 0, 10)).isEqualTo(10);
        assertThat(new String(out, 0, 10, StandardCharsets.ISO_8859_1)).isEqualTo("Still they");
        assertThat(evb.copyOut(out, 0, 100)).isEqualTo(100);
        assertThat(evb.copyOut(out, 0, 230)).isEqualTo(206);
        assertThat(java.util.Arrays.copyOf(out, 206)).isEqualTo(s);
        assertThat(evb.length()).isEqualTo(206);
        for (int n : new int[] {10, 65, 90, 160}) {
            assertThat(evb.copyOut(15, out, 0, n)).isEqualTo(n);
            assertThat(java.util.Arrays.copyOf(out, n)).isEqualTo(java.util.Arrays.copyOfRange(s, 15, 15 + n));
        }
        assertThat(evb.copyOut(15, out, 0, 999)).isEqualTo(206 - 15);
        assertThat(evb.copyOut(206, out, 0, 10)).isZero();
        assertThat(evb.length()).as("that was supposed to be nondestructive, too").isEqualTo(206);
    }

    @Test
    @DisplayName("test_evbuffer_callbacks: (old, new) after each change; a self-draining callback nests")
    void callbacks() {
        List<String> log = new ArrayList<>();
        ChangeCallback logger = (b, o, n) -> log.add(o + "->" + n);
        evb.addCallback(logger);
        evb.add(ascii("The NSA is my friend"));
        evb.add(new byte[0]);
        evb.drain(0);
        evb.drain(4);
        evb.prepend(ascii("X"));
        tmp.add(ascii("12345"));
        evb.addBuffer(tmp);
        evb.removeBuffer(tmp, 3);
        assertThat(log).containsExactly("0->20", "20->16", "16->17", "17->22", "22->19");

        ChangeCallback selfDraining = (b, o, n) -> {
            if (n > o) {
                b.drain(n);
            }
        };
        evb.addCallback(selfDraining);
        log.clear();
        evb.add(ascii("abc"));
        // logger sees the add first; the drain made by the second callback is reported nested.
        assertThat(log).containsExactly("19->22", "22->0");
        assertThat(evb.length()).isZero();
        assertThat(evb.removeCallback(selfDraining)).isTrue();
        assertThat(evb.removeCallback(logger)).isTrue();
        assertThat(evb.removeCallback(logger)).isFalse();
        log.clear();
        evb.add(ascii("quiet"));
        assertThat(log).isEmpty();
    }
}
