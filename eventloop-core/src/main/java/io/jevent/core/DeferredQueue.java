package io.jevent.core;

/**
 * The FIFO of scheduled {@link Deferred} tasks: an intrusive doubly-linked list through the tasks
 * themselves, like {@link ActiveQueue}, so scheduling and cancelling are O(1) and allocate nothing.
 * Loop thread only.
 */
final class DeferredQueue {
    Deferred head;
    Deferred tail;
    int size;

    void addLast(Deferred d) {
        d.next = null;
        d.prev = tail;
        if (tail == null) {
            head = d;
        } else {
            tail.next = d;
        }
        tail = d;
        size++;
    }

    void remove(Deferred d) {
        if (d.prev == null) {
            head = d.next;
        } else {
            d.prev.next = d.next;
        }
        if (d.next == null) {
            tail = d.prev;
        } else {
            d.next.prev = d.prev;
        }
        d.prev = d.next = null;
        size--;
    }
}
