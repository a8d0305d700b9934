package io.jevent.core.bufferevent;

import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Where TLS delegated tasks run unless {@link TlsOptions} names an executor: one pool for the JVM of
 * at most as many daemon threads as processors (at least two), made on first use; idle threads end
 * after a minute, so a process that stopped handshaking holds none. Daemon threads never keep the JVM
 * alive.
 */
final class DefaultTaskExecutor {
    static final Executor INSTANCE = create();

    private DefaultTaskExecutor() {
    }

    private static Executor create() {
        int threads = Math.max(2, Runtime.getRuntime().availableProcessors());
        AtomicInteger count = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "jevent-tls-task-" + count.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }
}
