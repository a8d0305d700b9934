package io.jevent.core;

/**
 * The FIFO of active events of one priority: an intrusive doubly-linked list through the events
 * themselves, so activation and removal are O(1) and allocate nothing. Loop thread only.
 */
final class ActiveQueue {
    Event head;
    Event tail;
    int size;

    boolean isEmpty() {
        return head == null;
    }

    void addLast(Event ev) {
        ev.activeNext = null;
        ev.activePrev = tail;
        if (tail == null) {
            head = ev;
        } else {
            tail.activeNext = ev;
        }
        tail = ev;
        size++;
    }

    void remove(Event ev) {
        if (ev.activePrev == null) {
            head = ev.activeNext;
        } else {
            ev.activePrev.activeNext = ev.activeNext;
        }
        if (ev.activeNext == null) {
            tail = ev.activePrev;
        } else {
            ev.activeNext.activePrev = ev.activePrev;
        }
        ev.activeNext = ev.activePrev = null;
        size--;
    }
}
