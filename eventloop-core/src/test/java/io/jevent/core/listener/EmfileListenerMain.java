package io.jevent.core.listener;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import io.jevent.core.EventBase;
import io.jevent.core.EventConfig;

/**
 * Run in a child JVM under a low {@code ulimit -n} by {@link ConnectionListenerTest}: exhausts the
 * file descriptors with its own clients so that {@code accept()} fails with EMFILE, then drives the
 * loop by hand on a manual clock and prints what the listener did. Time never decides the outcome:
 * "no spin" is shown as "no accept attempt while the clock stands still". Not a test by itself.
 */
public final class EmfileListenerMain {
    private static final int MAX_ITERATIONS = 10_000;

    private EmfileListenerMain() {
    }

    public static void main(String[] args) throws IOException {
        Duration pause = Duration.ofMillis(Long.parseLong(args[0]));
        AtomicLong clock = new AtomicLong(1_000_000_000L);
        List<SocketChannel> clients = new ArrayList<>();
        List<SocketChannel> accepted = new ArrayList<>();
        int[] reported = {0};
        try (EventBase base = new EventBase(EventConfig.builder().clock(clock::get).build())) {
            ConnectionListener listener = ConnectionListener.bind(base,
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                    (l, ch) -> accepted.add(ch),
                    new ConnectionListener.Options().retryPause(pause).onError((l, e) -> reported[0]++));
            warmUp(base, listener, accepted);
            // Fill the descriptor table with connections the kernel completes from the backlog.
            try {
                while (clients.size() < 10_000) {
                    clients.add(SocketChannel.open(listener.localAddress()));
                }
            } catch (IOException expected) {
                // EMFILE: the table is full.
            }
            clients.remove(clients.size() - 1).close();   // one free slot: one accept works, then EMFILE

            iterateUntil(base, () -> listener.failureCount() >= 1);
            for (int round = 2; round <= 5; round++) {
                // While the clock stands still the listener must not try again, however often the loop turns.
                for (int i = 0; i < 1_000; i++) {
                    base.loop(EventBase.LOOP_NONBLOCK);
                }
                if (listener.failureCount() != round - 1) {
                    System.out.println("SPIN failures=" + listener.failureCount() + " before pause " + round);
                }
                clock.addAndGet(pause.toNanos());
                long want = round;
                iterateUntil(base, () -> listener.failureCount() >= want);
            }
            System.out.println("FAILURES " + listener.failureCount() + " REPORTED " + reported[0]);

            for (SocketChannel ch : accepted) {
                closeQuietly(ch);
            }
            accepted.clear();
            for (int i = 0; i < 20 && !clients.isEmpty(); i++) {
                closeQuietly(clients.remove(clients.size() - 1));
            }
            clock.addAndGet(pause.toNanos());
            iterateUntil(base, () -> !accepted.isEmpty());
            System.out.println("RESUMED " + accepted.size());
            accepted.forEach(EmfileListenerMain::closeQuietly);
            listener.close();
        }
        clients.forEach(EmfileListenerMain::closeQuietly);
    }

    private static void iterateUntil(EventBase base, java.util.function.BooleanSupplier done) {
        for (int i = 0; i < MAX_ITERATIONS && !done.getAsBoolean(); i++) {
            base.loop(EventBase.LOOP_NONBLOCK);
        }
        if (!done.getAsBoolean()) {
            System.out.println("STUCK after " + MAX_ITERATIONS + " iterations");
            System.exit(3);
        }
    }

    /**
     * Runs every I/O path once while descriptors are free, so that no JDK class that opens a
     * descriptor in its static initialiser is first loaded after the table is full.
     */
    private static void warmUp(EventBase base, ConnectionListener listener, List<SocketChannel> accepted)
            throws IOException {
        try {
            Class.forName("sun.nio.ch.FileDispatcherImpl");
        } catch (ClassNotFoundException ignored) {
            // another JDK layout: the warm-up below covers it
        }
        try (SocketChannel c = SocketChannel.open(listener.localAddress())) {
            iterateUntil(base, () -> !accepted.isEmpty());
            c.write(java.nio.ByteBuffer.wrap(new byte[] {1}));
            accepted.get(0).read(java.nio.ByteBuffer.allocate(1));
        }
        accepted.remove(0).close();
    }

    private static void closeQuietly(SocketChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // test tool: nothing to do
        }
    }
}
