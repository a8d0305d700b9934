package io.jevent.core;

/**
 * Something that sits in a base's {@link TimerHeap}: an {@link Event} with its own deadline, or a
 * {@link CommonTimeout} queue standing for its earliest event. Loop thread only.
 */
abstract class TimerEntry {
    /** When it is due, on the base's clock. Compare with subtraction: nanoTime may wrap. */
    long deadline;
    /** Tie-breaker: entries due at the same time run in the order they were scheduled. */
    long seq;
    /** Position in the heap array, or -1 when not in the heap; makes removal O(log n). */
    int heapIndex = -1;

    final boolean inHeap() {
        return heapIndex >= 0;
    }

    /** {@code true} when this entry is due strictly before {@code o} (deadline, then sequence). */
    final boolean before(TimerEntry o) {
        long d = deadline - o.deadline;
        return d < 0 || (d == 0 && seq < o.seq);
    }
}
