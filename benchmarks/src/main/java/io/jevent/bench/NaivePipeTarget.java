package io.jevent.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;

import io.jevent.core.Event;
import io.jevent.core.EventBase;

/**
 * The baseline the msgqueue is measured against: spserver's {@code event_msgqueue} of 2006 as it was,
 * built here on jevent's public core API only (it used to be the msgqueue's {@code NAIVE_PIPE} strategy,
 * which no application should pick). A mutex around a plain deque; every post writes one byte into a
 * pipe whose source is a READ|PERSIST event on the base (a {@code write(2)} per message); the event's
 * callback drains every queued task with no batch limit, taking the lock once per task.
 *
 * <p>Threads: {@code deque} is guarded by {@code lock}; the pipe's sink is written by any producer (the
 * JDK serialises concurrent writes); the source, the event and the base belong to the loop thread.
 */
final class NaivePipeTarget implements HandoffTarget {

    private static final byte[] ONE_BYTE = {1};

    private final ReentrantLock lock = new ReentrantLock();
    private final ArrayDeque<Runnable> deque = new ArrayDeque<>();
    private final LongAdder wakeups = new LongAdder();
    private final Pipe pipe;
    private final Thread thread;
    private volatile EventBase base;

    NaivePipeTarget() {
        try {
            pipe = Pipe.open();
            pipe.source().configureBlocking(false);
            // Non-blocking sink: a full pipe means the loop has unread bytes and will wake anyway, so a
            // write of 0 bytes loses nothing (this is how the numbers in docs/benchmarks.md were taken).
            pipe.sink().configureBlocking(false);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        CompletableFuture<Void> ready = new CompletableFuture<>();
        thread = new Thread(() -> {
            ByteBuffer scratch = ByteBuffer.allocateDirect(256);
            try (EventBase b = new EventBase()) {
                Event ev = b.newEvent(pipe.source(), Event.READ | Event.PERSIST, (e, what) -> {
                    swallow(scratch);
                    drain();
                });
                ev.add();
                base = b;
                ready.complete(null);
                b.loop(EventBase.LOOP_NO_EXIT_ON_EMPTY);
                ev.del();
                ev.free();
            } catch (Throwable t) {
                ready.completeExceptionally(t);
            }
        }, "jevent-naive-pipe-loop");
        thread.setDaemon(true);
        thread.start();
        ready.join();
    }

    @Override
    public boolean post(Runnable task) {
        lock.lock();
        try {
            deque.addLast(task);
        } finally {
            lock.unlock();
        }
        try {
            pipe.sink().write(ByteBuffer.wrap(ONE_BYTE));
        } catch (IOException e) {
            throw new UncheckedIOException("naive pipe: cannot signal the loop", e);
        }
        wakeups.increment();
        return true;
    }

    /** Loop thread: reads what is in the pipe so a level-triggered READ does not fire for old bytes. */
    private void swallow(ByteBuffer scratch) {
        try {
            int n;
            do {
                scratch.clear();
                n = pipe.source().read(scratch);
            } while (n > 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Loop thread: runs every queued task, one lock round per task, as the 2006 callback did. */
    private void drain() {
        while (true) {
            Runnable task;
            lock.lock();
            try {
                task = deque.pollFirst();
            } finally {
                lock.unlock();
            }
            if (task == null) {
                return;
            }
            task.run();
        }
    }

    @Override
    public long wakeups() {
        return wakeups.sum();
    }

    @Override
    public void close() {
        base.loopBreak();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            pipe.sink().close();
            pipe.source().close();
        } catch (IOException ignored) {
            // Closing a pipe end cannot usefully fail; the fds are released either way.
        }
    }
}
