package io.jevent.msgqueue;

import org.jctools.queues.MessagePassingQueue;

import java.util.Locale;

/**
 * Which family of JCTools queues a {@link CoalescedMsgQueue} is built on.
 *
 * <p>{@link #UNSAFE}: {@code MpscUnboundedXaddArrayQueue} / {@code MpscArrayQueue}, the fastest, which
 * reach their fields through {@code sun.misc.Unsafe}. From JDK 24 on (JEP 498) the first such call
 * prints "WARNING: A terminally deprecated method in sun.misc.Unsafe has been called" unless the JVM
 * runs with {@code --sun-misc-unsafe-memory-access=allow}, and a later JDK will refuse the call.
 * {@link #ATOMIC}: {@code MpscLinkedAtomicQueue} / {@code MpscAtomicArrayQueue} from
 * {@code org.jctools.queues.atomic}, built on field updaters and atomic arrays only.
 *
 * <p>Both families satisfy what the wake-up protocol needs (see {@link CoalescedMsgQueue}): a producer
 * makes the queue non-empty by one atomic step (XADD or CAS on the producer index; XCHG of the
 * producer node in the linked queue) before it stores its message, and {@code isEmpty()} /
 * {@code poll()} compare exactly that state. Not the linked-<em>array</em> queues
 * ({@code MpscUnboundedAtomicArrayQueue}, {@code MpscChunkedAtomicArrayQueue}): their {@code isEmpty()}
 * says "empty" while a producer is resizing, and a message was lost that way before.
 *
 * <p>Each family lives in its own holder class, so choosing {@code ATOMIC} loads no JCTools class that
 * touches {@code org.jctools.util.UnsafeAccess}.
 */
enum QueueVariant {
    UNSAFE,
    ATOMIC;

    /** {@link MsgQueueBuilder#QUEUES_PROPERTY}'s value when it is not set. */
    static final String AUTO = "auto";

    /**
     * The variant the system property asks for; read each time a queue is built.
     *
     * @throws IllegalArgumentException if the property holds anything but unsafe, atomic or auto
     */
    static QueueVariant configured() {
        String value = System.getProperty(MsgQueueBuilder.QUEUES_PROPERTY, AUTO).trim().toLowerCase(Locale.ROOT);
        return switch (value) {
            case "unsafe" -> UNSAFE;
            case "atomic" -> ATOMIC;
            case AUTO -> forJdk(Runtime.version().feature());
            default -> throw new IllegalArgumentException("system property " + MsgQueueBuilder.QUEUES_PROPERTY
                    + " must be unsafe, atomic or auto, got '" + value + "'");
        };
    }

    /** {@code auto}: JEP 498 warns about Unsafe's memory access from JDK 24 on. */
    static QueueVariant forJdk(int feature) {
        return feature >= 24 ? ATOMIC : UNSAFE;
    }

    /** A new queue; {@code capacity} is {@link MsgQueue#UNBOUNDED} or at least 4, a power of two or not. */
    <T> MessagePassingQueue<T> newQueue(int capacity) {
        return this == UNSAFE ? UnsafeQueues.create(capacity) : AtomicQueues.create(capacity);
    }

    /** Only loaded when chosen: its queues initialise {@code UnsafeAccess}. */
    private static final class UnsafeQueues {
        static <T> MessagePassingQueue<T> create(int capacity) {
            return capacity == MsgQueue.UNBOUNDED
                    ? new org.jctools.queues.MpscUnboundedXaddArrayQueue<>(1024)
                    : new org.jctools.queues.MpscArrayQueue<>(capacity);
        }
    }

    /** Only loaded when chosen; nothing in it reaches {@code sun.misc.Unsafe}. */
    private static final class AtomicQueues {
        static <T> MessagePassingQueue<T> create(int capacity) {
            // A node per message, where the XADD queue fills chunks: slower (see docs/benchmarks.md),
            // but JCTools 4.0.7 has no atomic XADD queue and its atomic linked-array queues fail the
            // protocol (class comment).
            return capacity == MsgQueue.UNBOUNDED
                    ? new org.jctools.queues.atomic.MpscLinkedAtomicQueue<>()
                    : new org.jctools.queues.atomic.MpscAtomicArrayQueue<>(capacity);
        }
    }
}
