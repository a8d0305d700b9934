package io.jevent.bench;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/** A single-thread JDK executor: a LinkedBlockingQueue whose consumer parks when it is empty. */
final class ExecutorTarget implements HandoffTarget {
    private final ExecutorService executor = Executors.newSingleThreadExecutor();

    @Override
    public boolean post(Runnable task) {
        executor.execute(task);
        return true;
    }

    @Override
    public void close() {
        executor.shutdownNow();
        try {
            executor.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
