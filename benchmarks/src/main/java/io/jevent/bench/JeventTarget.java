package io.jevent.bench;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.jevent.core.EventBase;
import io.jevent.msgqueue.MsgQueue;
import io.jevent.msgqueue.WakeupStrategy;

/**
 * A jevent loop on its own thread, fed through a {@link MsgQueue} of the given strategy. The loop
 * thread owns the base and the queue; producers only call {@link MsgQueue#push}.
 */
final class JeventTarget implements HandoffTarget {
    static final int BOUNDED_CAPACITY = 8192;

    private final Thread thread;
    private final MsgQueue<Runnable> queue;
    private volatile EventBase base;

    JeventTarget(WakeupStrategy strategy, boolean bounded) {
        CompletableFuture<MsgQueue<Runnable>> ready = new CompletableFuture<>();
        thread = new Thread(() -> {
            try (EventBase b = new EventBase()) {
                var builder = MsgQueue.<Runnable>builder(b, Runnable::run).wakeup(strategy);
                MsgQueue<Runnable> q = (bounded ? builder.bounded(BOUNDED_CAPACITY) : builder.unbounded()).build();
                base = b;
                ready.complete(q);
                b.loop(EventBase.LOOP_NO_EXIT_ON_EMPTY);
                q.close();
            } catch (Throwable t) {
                ready.completeExceptionally(t);
            }
        }, "jevent-loop");
        thread.setDaemon(true);
        thread.start();
        queue = ready.join();
    }

    @Override
    public boolean post(Runnable task) {
        return queue.push(task);
    }

    @Override
    public long wakeups() {
        return queue.wakeupsSent();
    }

    MsgQueue<Runnable> queue() {
        return queue;
    }

    @Override
    public void close() {
        base.loopBreak();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
