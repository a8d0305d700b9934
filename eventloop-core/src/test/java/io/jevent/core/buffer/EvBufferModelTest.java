package io.jevent.core.buffer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Property test: long random sequences of operations on two buffers, checked after every step
 * against a plain byte-array model. Seeded; the failing seed and step are in the failure message.
 */
class EvBufferModelTest {
    private static final int SEEDS = 12;
    private static final int STEPS = 600;
    /** Every EOL style, for the random operations to pick from. */
    private static final List<EolStyle> STYLES = List.of(EolStyle.values());

    @Test
    @DisplayName("random add/prepend/drain/remove/removeBuffer/addBuffer/copyOut/readLine/search sequences match a byte[] model")
    void randomSequencesMatchTheModel() {
        long[] seeds = new long[SEEDS + 1];
        for (int i = 0; i < SEEDS; i++) {
            seeds[i] = 1000L + i;
        }
        seeds[SEEDS] = System.nanoTime(); // one fresh seed per run; printed if it fails
        for (long seed : seeds) {
            new Run(seed).go();
        }
    }

    /** The model: a byte queue as a plain array. */
    private static final class Model {
        byte[] b = new byte[0];

        int len() {
            return b.length;
        }

        void add(byte[] x) {
            byte[] n = Arrays.copyOf(b, b.length + x.length);
            System.arraycopy(x, 0, n, b.length, x.length);
            b = n;
        }

        void prepend(byte[] x) {
            byte[] n = new byte[b.length + x.length];
            System.arraycopy(x, 0, n, 0, x.length);
            System.arraycopy(b, 0, n, x.length, b.length);
            b = n;
        }

        byte[] take(int n) {
            byte[] head = Arrays.copyOf(b, n);
            b = Arrays.copyOfRange(b, n, b.length);
            return head;
        }

        /** Independent EOL definition, written from libevent's documentation: {pos, len} or null. */
        long[] eol(EolStyle style, int from) {
            for (int i = from; i < b.length; i++) {
                byte c = b[i];
                switch (style) {
                    case LF -> {
                        if (c == '\n') {
                            return new long[] {i, 1};
                        }
                    }
                    case NUL -> {
                        if (c == 0) {
                            return new long[] {i, 1};
                        }
                    }
                    case CRLF -> {
                        if (c == '\n') {
                            return i > from && b[i - 1] == '\r' ? new long[] {i - 1, 2} : new long[] {i, 1};
                        }
                    }
                    case CRLF_STRICT -> {
                        if (c == '\r' && i + 1 < b.length && b[i + 1] == '\n') {
                            return new long[] {i, 2};
                        }
                    }
                    case ANY -> {
                        if (c == '\r' || c == '\n') {
                            int j = i;
                            while (j < b.length && (b[j] == '\r' || b[j] == '\n')) {
                                j++;
                            }
                            return new long[] {i, j - i};
                        }
                    }
                    default -> {
                        throw new AssertionError();
                    }
                }
            }
            return null;
        }

        long search(byte[] what, int from) {
            outer:
            for (int i = from; i + what.length <= b.length; i++) {
                for (int k = 0; k < what.length; k++) {
                    if (b[i + k] != what[k]) {
                        continue outer;
                    }
                }
                return i;
            }
            return -1;
        }
    }

    private static final class Run {
        private static final byte[] ALPHABET = {'a', 'b', '\r', '\n', 0, 'x', (byte) 0xC3};
        final long seed;
        final Random rnd;
        final EvBuffer buf = new EvBuffer();
        final EvBuffer other = new EvBuffer();
        final Model m = new Model();
        final Model mo = new Model();
        String op = "";

        Run(long seed) {
            this.seed = seed;
            this.rnd = new Random(seed);
        }

        byte[] bytes(int max) {
            int n = rnd.nextInt(4) == 0 ? rnd.nextInt(3 * EvBuffer.SEGMENT_SIZE) : rnd.nextInt(max + 1);
            byte[] x = new byte[n];
            for (int i = 0; i < n; i++) {
                x[i] = rnd.nextInt(3) == 0 ? (byte) rnd.nextInt(256) : ALPHABET[rnd.nextInt(ALPHABET.length)];
            }
            return x;
        }

        int upTo(int n) {
            return rnd.nextInt(n + 1);
        }

        void go() {
            try {
                for (int step = 0; step < STEPS; step++) {
                    op = "step " + step;
                    step();
                    buf.validate();
                    other.validate();
                    assertThat(buf.length()).isEqualTo(m.len());
                    assertThat(other.length()).isEqualTo(mo.len());
                    if (step % 50 == 0) {
                        byte[] all = new byte[m.len()];
                        assertThat(buf.copyOut(all)).isEqualTo(m.len());
                        assertThat(all).isEqualTo(m.b);
                    }
                }
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError("seed " + seed + ", " + op + ": " + e.getMessage(), e);
            } finally {
                buf.close();
                other.close();
            }
        }

        void step() {
            int choice = rnd.nextInt(19);
            switch (choice) {
                case 0, 1 -> {
                    byte[] x = bytes(100);
                    op += " add " + x.length;
                    buf.add(x);
                    m.add(x);
                }
                case 2 -> {
                    byte[] x = bytes(60);
                    op += " addInNewSegment";
                    if (x.length > 0 && x.length <= EvBuffer.SEGMENT_SIZE) {
                        buf.addInNewSegment(x, 0, x.length);
                        m.add(x);
                    }
                }
                case 3 -> {
                    byte[] x = bytes(40);
                    op += " add(ByteBuffer) " + x.length;
                    ByteBuffer bb = rnd.nextBoolean() ? ByteBuffer.wrap(x) : ByteBuffer.allocateDirect(x.length).put(x).flip();
                    buf.add(bb);
                    assertThat(bb.hasRemaining()).isFalse();
                    m.add(x);
                }
                case 4 -> {
                    String s = rnd.nextBoolean() ? "héllo\r\n" : "ok \uD83D\uDE00 \uD800?\n";
                    op += " add(text)";
                    buf.add(s, StandardCharsets.UTF_8);
                    m.add(s.getBytes(StandardCharsets.UTF_8));
                }
                case 5 -> {
                    byte[] x = bytes(50);
                    op += " prepend " + x.length;
                    if (rnd.nextBoolean()) {
                        buf.prepend(x);
                    } else {
                        buf.prepend(ByteBuffer.wrap(x));
                    }
                    m.prepend(x);
                }
                case 6 -> {
                    int n = upTo(m.len() + 10);
                    op += " drain " + n;
                    assertThat(buf.drain(n)).isEqualTo(Math.min(n, m.len()));
                    m.take(Math.min(n, m.len()));
                }
                case 7 -> {
                    int n = upTo(Math.min(m.len() + 10, 20000));
                    op += " remove " + n;
                    byte[] out = new byte[n + 2];
                    int got = buf.remove(out, 1, n);
                    assertThat(got).isEqualTo(Math.min(n, m.len()));
                    assertThat(Arrays.copyOfRange(out, 1, 1 + got)).isEqualTo(m.take(got));
                }
                case 8 -> {
                    int n = upTo(m.len() + 10);
                    op += " removeBuffer " + n;
                    long moved = buf.removeBuffer(other, n);
                    assertThat(moved).isEqualTo(Math.min(n, m.len()));
                    mo.add(m.take((int) moved));
                }
                case 9 -> {
                    op += " addBuffer";
                    if (rnd.nextBoolean()) {
                        buf.addBuffer(other);
                        m.add(mo.take(mo.len()));
                    } else {
                        other.addBuffer(buf);
                        mo.add(m.take(m.len()));
                    }
                }
                case 10 -> {
                    int from = upTo(m.len());
                    int n = upTo(m.len() + 5);
                    op += " copyOut " + from + "+" + n;
                    byte[] out = new byte[n];
                    int got = buf.copyOut(from, out, 0, n);
                    assertThat(got).isEqualTo(Math.min(n, m.len() - from));
                    assertThat(Arrays.copyOf(out, got)).isEqualTo(Arrays.copyOfRange(m.b, from, from + got));
                }
                case 11, 12 -> readLine();
                case 13 -> {
                    int from = upTo(m.len());
                    byte[] what = rnd.nextBoolean() && m.len() > 0 ? slice() : bytes(3);
                    op += " search " + what.length + " from " + from;
                    assertThat(buf.search(what, from)).isEqualTo(what.length == 0 && from <= m.len() ? from : m.search(what, from));
                }
                case 14 -> {
                    EolStyle style = STYLES.get(rnd.nextInt(STYLES.size()));
                    int from = upTo(m.len());
                    op += " searchEol " + style + " from " + from;
                    EolMatch match = new EolMatch();
                    long[] expected = m.eol(style, from);
                    assertThat(buf.searchEol(style, from, match)).isEqualTo(expected != null);
                    if (expected != null) {
                        assertThat(match.position()).isEqualTo(expected[0]);
                        assertThat(match.eolLength()).isEqualTo(expected[1]);
                    }
                }
                case 15 -> {
                    if (m.len() > 0) {
                        int i = rnd.nextInt(m.len());
                        op += " getByte " + i;
                        assertThat(buf.getByte(i)).isEqualTo(m.b[i]);
                    }
                }
                case 16 -> {
                    int n = upTo(Math.min(m.len() + 3, 3 * EvBuffer.SEGMENT_SIZE));
                    op += " pullUp " + n;
                    ByteBuffer view = buf.pullUp(n);
                    if (n > m.len()) {
                        assertThat(view).isNull();
                    } else {
                        assertThat(view.isReadOnly()).isTrue();
                        byte[] got = new byte[view.remaining()];
                        view.get(got);
                        assertThat(got).isEqualTo(Arrays.copyOf(m.b, n));
                    }
                }
                case 17 -> {
                    int from = upTo(m.len());
                    int n = upTo(m.len());
                    op += " peek " + from + "+" + n;
                    ByteBuffer[] views = new ByteBuffer[64];
                    int count = buf.peek(from, n, views);
                    int expectedBytes = Math.min(n, m.len() - from);
                    int seen = 0;
                    for (int i = 0; i < Math.min(count, views.length); i++) {
                        byte[] got = new byte[views[i].remaining()];
                        views[i].get(got);
                        assertThat(got).isEqualTo(Arrays.copyOfRange(m.b, from + seen, from + seen + got.length));
                        seen += got.length;
                    }
                    if (count <= views.length) {
                        assertThat(seen).isEqualTo(expectedBytes);
                    }
                }
                case 18 -> {
                    EolStyle style = STYLES.get(rnd.nextInt(STYLES.size()));
                    op += " discardLine " + style;
                    long[] e = m.eol(style, 0);
                    boolean done = buf.discardLine(style);
                    assertThat(done).isEqualTo(e != null);
                    if (e != null) {
                        m.take((int) (e[0] + e[1]));
                    } else {
                        int keep = (style == EolStyle.CRLF || style == EolStyle.CRLF_STRICT)
                                && m.len() > 0 && m.b[m.len() - 1] == '\r' ? 1 : 0;
                        m.take(m.len() - keep);
                    }
                }
                default -> throw new AssertionError(choice);
            }
        }

        byte[] slice() {
            int from = rnd.nextInt(m.len());
            int n = 1 + rnd.nextInt(Math.min(m.len() - from, 20000));
            return Arrays.copyOfRange(m.b, from, from + n);
        }

        void readLine() {
            EolStyle style = STYLES.get(rnd.nextInt(STYLES.size()));
            int max = rnd.nextBoolean() ? Integer.MAX_VALUE - 8 : rnd.nextInt(200);
            op += " readLineBytes " + style + " max " + max;
            long[] e = m.eol(style, 0);
            boolean crlf = style == EolStyle.CRLF || style == EolStyle.CRLF_STRICT;
            long partial = (long) m.len() - (crlf && m.len() > 0 && m.b[m.len() - 1] == '\r' ? 1 : 0);
            if (e != null ? e[0] > max : partial > max) {
                long before = buf.length();
                assertThatThrownBy(() -> buf.readLineBytes(style, max)).isInstanceOf(LineTooLongException.class);
                assertThat(buf.length()).isEqualTo(before);
                return;
            }
            byte[] line = buf.readLineBytes(style, max);
            if (e == null) {
                assertThat(line).isNull();
            } else {
                assertThat(line).isEqualTo(m.take((int) e[0]));
                m.take((int) e[1]);
            }
        }
    }
}
