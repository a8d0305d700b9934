package io.jevent.chat.server;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import io.jevent.core.buffer.SharedBytes;

/**
 * Encodes event lines once into {@link SharedBytes} that every recipient's output references
 * ({@code EvBuffer.addShared}), so a line sent to a thousand connections costs one encode, and the
 * kernel reads the one copy straight from direct memory.
 *
 * <p>Small lines are packed into 64 KiB direct slabs, each line a read-only slice, instead of one
 * direct allocation per line: direct memory is freed only by the garbage collector, and one
 * allocation per message would churn it. A slab is written only forward, so bytes already handed out
 * never change (the promise {@link SharedBytes#wrap} asks for); it is freed once no output holds any
 * of its lines, so an output that holds an old line keeps at most one slab alive.
 *
 * <p>Threading: one per loop, used only by that loop's thread. The {@code SharedBytes} it returns are
 * immutable and may be handed to other loops through their task queues.
 */
final class SharedLines {
    static final int SLAB_BYTES = 64 * 1024;
    /** Longer lines get direct memory of their own, so a slab is not mostly wasted. */
    private static final int MAX_IN_SLAB = SLAB_BYTES / 8;

    private ByteBuffer slab;

    /** Loop thread: {@code line} as UTF-8, shareable by any number of outputs. */
    SharedBytes encode(String line) {
        return encodeLine(line).bytes();
    }

    /** Loop thread: {@code line} as UTF-8, with where it lies, so that neighbours can be {@link #join}ed. */
    Line encodeLine(String line) {
        byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > MAX_IN_SLAB) {
            return new Line(SharedBytes.copyOf(bytes), null, 0, bytes.length);
        }
        ByteBuffer s = slab;
        if (s == null || s.remaining() < bytes.length) {
            s = ByteBuffer.allocateDirect(SLAB_BYTES);
            slab = s;
        }
        int at = s.position();
        s.put(bytes);
        return new Line(SharedBytes.wrap(s.slice(at, bytes.length)), s, at, bytes.length);
    }

    /**
     * Encoded lines {@code first} to {@code last} as one {@code SharedBytes}, if they lie back to
     * back in one slab (see {@link Line#isFollowedBy}); any thread: it reads nothing that changes.
     */
    @SuppressWarnings("ReferenceEquality")   // the same line, not an equal one
    static SharedBytes join(Line first, Line last) {
        if (first == last) {
            return first.bytes();
        }
        return SharedBytes.wrap(first.slab().slice(first.at(), last.at() + last.length() - first.at()));
    }

    /**
     * An encoded line: its shared bytes, and the slab and offset they were written at ({@code slab}
     * null for a line with memory of its own). Immutable; the slab is only read through slices of
     * bytes already written, which never change.
     */
    record Line(SharedBytes bytes, ByteBuffer slab, int at, int length) {
        /** Whether {@code next} starts in the same slab right where this line ends. */
        @SuppressWarnings("ReferenceEquality")   // the same memory; ByteBuffer.equals compares contents
        boolean isFollowedBy(Line next) {
            return slab != null && next.slab == slab && next.at == at + length;
        }
    }
}
