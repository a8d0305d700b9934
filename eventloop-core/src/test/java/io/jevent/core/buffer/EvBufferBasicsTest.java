package io.jevent.core.buffer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class EvBufferBasicsTest {
    private final EvBuffer buf = new EvBuffer();
    private final EvBuffer other = new EvBuffer();

    @AfterEach
    void release() {
        buf.close();
        other.close();
    }

    private String contents(EvBuffer b) {
        byte[] all = new byte[(int) b.length()];
        b.copyOut(all);
        return new String(all, StandardCharsets.UTF_8);
    }

    @Test
    @DisplayName("test_evbuffer_prepend: prepends go before existing data, reusing the head's free space")
    void prepend() {
        buf.add("world".getBytes(StandardCharsets.US_ASCII));
        buf.prepend("hello ".getBytes(StandardCharsets.US_ASCII));
        assertThat(buf.segmentCount()).isEqualTo(2);
        buf.prepend(ByteBuffer.wrap(">> ".getBytes(StandardCharsets.US_ASCII)));
        assertThat(buf.segmentCount()).as("fits before the new head's first byte").isEqualTo(2);
        assertThat(contents(buf)).isEqualTo(">> hello world");
        buf.drain(3);
        buf.prepend("<".getBytes(StandardCharsets.US_ASCII));
        assertThat(buf.segmentCount()).isEqualTo(2);
        assertThat(contents(buf)).isEqualTo("<hello world");
        EvBuffer empty = new EvBuffer();
        empty.prepend("x".getBytes(StandardCharsets.US_ASCII));
        assertThat(contents(empty)).isEqualTo("x");
        empty.close();
    }

    @Test
    @DisplayName("add(CharSequence, UTF_8) encodes exactly as String.getBytes, surrogates included")
    void utf8Encoding() {
        String text = "a\u00e9\u4e16\uD83D\uDE00 lone \uD800 and \uDC00 end" + "x".repeat(EvBuffer.SEGMENT_SIZE);
        buf.add(text, StandardCharsets.UTF_8);
        byte[] expected = text.getBytes(StandardCharsets.UTF_8);
        assertThat(buf.length()).isEqualTo(expected.length);
        byte[] got = new byte[expected.length];
        buf.remove(got);
        assertThat(got).isEqualTo(expected);
        buf.add("caf\u00e9", StandardCharsets.ISO_8859_1);
        assertThat(buf.length()).isEqualTo(4);
    }

    @Test
    @DisplayName("add(ByteBuffer) consumes the source's remaining bytes, heap or direct")
    void addByteBuffer() {
        ByteBuffer heap = ByteBuffer.wrap("xxabcxx".getBytes(StandardCharsets.US_ASCII)).position(2).limit(5);
        buf.add(heap);
        assertThat(heap.position()).isEqualTo(5);
        ByteBuffer direct = ByteBuffer.allocateDirect(3).put("def".getBytes(StandardCharsets.US_ASCII)).flip();
        buf.add(direct);
        buf.addByte('!');
        assertThat(contents(buf)).isEqualTo("abcdef!");
    }

    @Test
    @DisplayName("test_evbuffer_peek: views cover exactly n bytes, read-only, count reported when the array is short")
    void peek() {
        byte[] data = new byte[2 * EvBuffer.SEGMENT_SIZE + 100];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 7);
        }
        buf.add(data);
        ByteBuffer[] one = new ByteBuffer[1];
        assertThat(buf.peek(one)).isEqualTo(3);
        assertThat(one[0].remaining()).isEqualTo(EvBuffer.SEGMENT_SIZE);
        assertThat(one[0].get(0)).isEqualTo(data[0]);
        ByteBuffer[] views = new ByteBuffer[4];
        assertThat(buf.peek(EvBuffer.SEGMENT_SIZE + 1, views)).isEqualTo(2);
        assertThat(views[1].remaining()).isEqualTo(1);
        assertThat(views[0].isReadOnly()).isTrue();
        assertThatThrownBy(() -> views[0].put(0, (byte) 1)).isInstanceOf(ReadOnlyBufferException.class);
        assertThat(buf.peek(10, 5, views)).isEqualTo(1);
        assertThat(views[0].get()).isEqualTo(data[10]);
        assertThat(buf.peek(0, views)).isZero();
        assertThat(buf.length()).isEqualTo(data.length);
    }

    @Test
    @DisplayName("pullUp makes bytes spanning segments contiguous; null when there are too few")
    void pullUp() {
        byte[] a = "abc".getBytes(StandardCharsets.US_ASCII);
        byte[] b = "defgh".getBytes(StandardCharsets.US_ASCII);
        buf.addInNewSegment(a, 0, 3);
        buf.addInNewSegment(b, 0, 5);
        ByteBuffer view = buf.pullUp(6);
        assertThat(view.remaining()).isEqualTo(6);
        byte[] got = new byte[6];
        view.get(got);
        assertThat(new String(got, StandardCharsets.US_ASCII)).isEqualTo("abcdef");
        buf.validate();
        assertThat(contents(buf)).isEqualTo("abcdefgh");
        assertThat(buf.pullUp(9)).isNull();
        assertThat(buf.pullUp(0).remaining()).isZero();
        assertThatThrownBy(() -> buf.pullUp(-2)).isInstanceOf(IllegalArgumentException.class);

        byte[] big = new byte[3 * EvBuffer.SEGMENT_SIZE];
        big[big.length - 1] = 9;
        other.add(big);
        ByteBuffer whole = other.pullUp(big.length);
        assertThat(whole.remaining()).isEqualTo(big.length);
        assertThat(whole.get(whole.position() + big.length - 1)).isEqualTo((byte) 9);
        assertThat(other.segmentCount()).isEqualTo(1);
    }

    @Test
    @DisplayName("small moved segments are compacted into the destination's tail; big ones are relinked")
    void compactionOfSmallMoves() {
        for (int i = 0; i < 100; i++) {
            other.add(new byte[] {(byte) i});
            buf.addBuffer(other);
        }
        assertThat(buf.segmentCount()).as("100 one-byte moves share one segment").isEqualTo(1);
        other.add(new byte[EvBuffer.SEGMENT_SIZE]);
        List<Segment> full = other.segmentsForTest();
        buf.addBuffer(other);
        assertThat(buf.segmentsForTest()).containsAll(full);
    }

    @Test
    @DisplayName("removeBuffer splitting a segment copies at most half of it")
    void removeBufferSplit() {
        byte[] data = new byte[EvBuffer.SEGMENT_SIZE];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) i;
        }
        buf.add(data);
        Segment original = buf.segmentsForTest().get(0);
        assertThat(buf.removeBuffer(other, 6000)).isEqualTo(6000);
        assertThat(other.segmentsForTest()).as("the bigger part moved").containsExactly(original);
        assertThat(buf.removeBuffer(other, 100)).isEqualTo(100);
        assertThat(buf.removeBuffer(other, 1_000_000)).isEqualTo(EvBuffer.SEGMENT_SIZE - 6100);
        byte[] got = new byte[data.length];
        assertThat(other.remove(got)).isEqualTo(data.length);
        assertThat(got).isEqualTo(data);
    }

    @Test
    @DisplayName("bad arguments fail clearly and change nothing")
    void badArguments() {
        buf.add("abc".getBytes(StandardCharsets.US_ASCII));
        assertThatThrownBy(() -> buf.drain(-2)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> buf.add(new byte[2], 1, 2)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> buf.remove(new byte[2], 0, 3)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> buf.copyOut(4, new byte[1], 0, 1)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> buf.getByte(3)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> buf.addBuffer(buf)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> buf.removeBuffer(buf, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> buf.removeBuffer(other, -1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> buf.search("a".getBytes(StandardCharsets.US_ASCII), -1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> buf.readFrom(null, -1)).isInstanceOf(IllegalArgumentException.class);
        assertThat(contents(buf)).isEqualTo("abc");
        assertThat(buf.getByte(2)).isEqualTo((byte) 'c');
    }

    @Test
    @DisplayName("close returns the segments, drops callbacks silently, and the buffer stays usable")
    void closeAndReuse() {
        int[] calls = {0};
        buf.addCallback((b, o, n) -> calls[0]++);
        buf.add(new byte[3 * EvBuffer.SEGMENT_SIZE]);
        assertThat(calls[0]).isEqualTo(1);
        buf.close();
        assertThat(calls[0]).as("close does not report").isEqualTo(1);
        assertThat(buf.length()).isZero();
        assertThat(buf.segmentCount()).isZero();
        buf.add("again".getBytes(StandardCharsets.US_ASCII));
        assertThat(calls[0]).as("callbacks were dropped").isEqualTo(1);
        assertThat(buf.toString()).isEqualTo("EvBuffer[length=5, segments=1]");
    }
}
