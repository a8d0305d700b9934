package io.jevent.msgqueue;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * {@link WakeupStrategy#NAIVE_PIPE}: spserver's {@code event_msgqueue} of 2006, kept as it was so the
 * benchmarks can show what the coalesced design buys. A mutex around a plain deque; every push writes
 * one byte into the pipe (a {@code write(2)} per message); the READ callback drains every queued message,
 * taking the lock once per message, with no batch limit — a flood starves I/O, which is the point.
 *
 * <p>Threads: {@code deque} and {@code closed} are guarded by {@code lock}; {@code closeStarted} belongs to
 * the loop thread.
 */
final class NaivePipeMsgQueue<T> extends AbstractMsgQueue<T> {

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notFull = lock.newCondition();
    private final ArrayDeque<T> deque = new ArrayDeque<>();
    private final int capacity;
    private boolean closed;             // guarded by lock
    private volatile boolean closedView; // mirrors closed for isClosed() without the lock

    NaivePipeMsgQueue(MsgQueueBuilder<T> b) {
        super(b);
        this.capacity = b.capacity();
    }

    @Override
    public boolean push(T msg) {
        Objects.requireNonNull(msg, "msg");
        lock.lock();
        try {
            if (!enqueueLocked(msg)) {
                return false;
            }
        } finally {
            lock.unlock();
        }
        ring();
        return true;
    }

    private boolean enqueueLocked(T msg) {
        if (closed || (capacity != UNBOUNDED && deque.size() >= capacity)) {
            return false;
        }
        deque.addLast(msg);
        return true;
    }

    @Override
    public boolean push(T msg, Duration wait) throws InterruptedException {
        Objects.requireNonNull(msg, "msg");
        Objects.requireNonNull(wait, "wait");
        if (base.inLoopThread()) {
            throw new IllegalStateException("push(msg, wait) would block the loop thread; use push(msg) there");
        }
        long left;
        try {
            left = wait.toNanos();
        } catch (ArithmeticException e) {
            left = Long.MAX_VALUE;
        }
        lock.lockInterruptibly();
        try {
            while (!closed && capacity != UNBOUNDED && deque.size() >= capacity) {
                if (left <= 0) {
                    return false;
                }
                left = notFull.awaitNanos(left);
            }
            if (!enqueueLocked(msg)) {
                return false;
            }
        } finally {
            lock.unlock();
        }
        ring();
        return true;
    }

    /** The 2006 design has no lazy path: without its byte a message would wait for the next push. */
    @Override
    public boolean pushLazy(T msg) {
        return push(msg);
    }

    @Override
    public int pushAll(Collection<? extends T> msgs) {
        Objects.requireNonNull(msgs, "msgs");
        for (T m : msgs) {
            Objects.requireNonNull(m, "msgs contains a null message");
        }
        int n = 0;
        for (T m : msgs) {
            if (!push(m)) {
                break;
            }
            n++;
        }
        return n;
    }

    @Override
    void drainTurn() {
        if (closeStarted) {
            return;
        }
        int n = 0;
        while (!closeStarted) {
            T m;
            lock.lock();
            try {
                m = deque.pollFirst();
                if (m == null) {
                    break;
                }
                notFull.signal();
            } finally {
                lock.unlock();
            }
            deliver(m);
            n++;
        }
        countBatch(n);
    }

    @Override
    List<T> finish(boolean deliver) {
        List<T> rest;
        lock.lock();
        try {
            // Under the lock, a push either got in before this (and is in `rest`) or sees closed.
            closed = true;
            closedView = true;
            rest = new ArrayList<>(deque);
            deque.clear();
            notFull.signalAll();
        } finally {
            lock.unlock();
        }
        try {
            if (deliver) {
                for (T m : rest) {
                    deliver(m);
                }
                countBatch(rest.size());
                return List.of();
            }
            return rest;
        } finally {
            doorbell.close();
        }
    }

    @Override
    public boolean isClosed() {
        return closedView;
    }

    @Override
    public int pending() {
        lock.lock();
        try {
            return deque.size();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int capacity() {
        return capacity;
    }
}
