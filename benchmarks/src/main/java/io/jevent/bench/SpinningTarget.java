package io.jevent.bench;

import java.util.concurrent.TimeUnit;

import org.jctools.queues.MpscUnboundedArrayQueue;

/**
 * The ceiling: the same JCTools queue jevent uses, drained by a consumer that never sleeps, so no
 * wake-up is ever needed. Burns a core; no real loop can do better on this hand-off.
 */
final class SpinningTarget implements HandoffTarget {
    private final MpscUnboundedArrayQueue<Runnable> queue = new MpscUnboundedArrayQueue<>(1024);
    private volatile boolean running = true;
    private final Thread consumer;

    SpinningTarget() {
        consumer = new Thread(() -> {
            while (running) {
                Runnable r = queue.relaxedPoll();
                if (r != null) {
                    r.run();
                } else {
                    Thread.onSpinWait();
                }
            }
        }, "spinning-consumer");
        consumer.setDaemon(true);
        consumer.start();
    }

    @Override
    public boolean post(Runnable task) {
        return queue.offer(task);
    }

    @Override
    public void close() {
        running = false;
        try {
            consumer.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
