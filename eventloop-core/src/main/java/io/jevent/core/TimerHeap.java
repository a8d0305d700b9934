package io.jevent.core;

import java.util.Arrays;

/**
 * A binary min-heap of timer entries ordered by (deadline, sequence). Each entry keeps its own index,
 * so removal and re-keying are O(log n) without a search. Loop thread only; allocation happens only
 * when the array grows.
 */
final class TimerHeap {
    private TimerEntry[] heap = new TimerEntry[64];
    private int size;

    int size() {
        return size;
    }

    TimerEntry peek() {
        return size == 0 ? null : heap[0];
    }

    void add(TimerEntry e) {
        if (size == heap.length) {
            heap = Arrays.copyOf(heap, size * 2);
        }
        e.heapIndex = size++;
        heap[e.heapIndex] = e;
        siftUp(e.heapIndex);
    }

    void remove(TimerEntry e) {
        int i = e.heapIndex;
        TimerEntry last = heap[--size];
        heap[size] = null;
        e.heapIndex = -1;
        if (last != e) {
            heap[i] = last;
            last.heapIndex = i;
            update(last);
        }
    }

    /** Restores order after {@code e}'s key changed in either direction. */
    void update(TimerEntry e) {
        int i = e.heapIndex;
        if (i > 0 && e.before(heap[(i - 1) >>> 1])) {
            siftUp(i);
        } else {
            siftDown(i);
        }
    }

    /** Visits every entry, in heap (not deadline) order. */
    void forEach(java.util.function.Consumer<TimerEntry> action) {
        for (int i = 0; i < size; i++) {
            action.accept(heap[i]);
        }
    }

    private void siftUp(int i) {
        TimerEntry e = heap[i];
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            TimerEntry p = heap[parent];
            if (!e.before(p)) {
                break;
            }
            heap[i] = p;
            p.heapIndex = i;
            i = parent;
        }
        heap[i] = e;
        e.heapIndex = i;
    }

    private void siftDown(int i) {
        TimerEntry e = heap[i];
        int half = size >>> 1;
        while (i < half) {
            int child = 2 * i + 1;
            int right = child + 1;
            if (right < size && heap[right].before(heap[child])) {
                child = right;
            }
            if (!heap[child].before(e)) {
                break;
            }
            heap[i] = heap[child];
            heap[i].heapIndex = i;
            i = child;
        }
        heap[i] = e;
        e.heapIndex = i;
    }
}
