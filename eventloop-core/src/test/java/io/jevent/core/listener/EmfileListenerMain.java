package io.jevent.core.listener;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.jevent.core.EventBase;
import io.jevent.core.LoopObserver;

/**
 * Run in a child JVM under a low {@code ulimit -n} by {@link ConnectionListenerTest}: exhausts the
 * file descriptors with its own clients so that {@code accept()} fails with EMFILE, and prints what
 * the listener did. Not a test by itself.
 */
public final class EmfileListenerMain {
    private EmfileListenerMain() {
    }

    public static void main(String[] args) throws IOException {
        Duration pause = Duration.ofMillis(Long.parseLong(args[0]));
        List<SocketChannel> clients = new ArrayList<>();
        List<SocketChannel> accepted = new ArrayList<>();
        List<Long> failureTimes = new ArrayList<>();
        int[] reported = {0};
        try (EventBase base = new EventBase()) {
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
            long[] lastFailures = {0};
            boolean[] freed = {false};
            base.addLoopObserver(new LoopObserver() {
                @Override
                public boolean beforePoll() {
                    return false;
                }

                @Override
                public void afterPoll() {
                }
            });
            // A persistent checker: record failure times, then free descriptors and watch recovery.
            base.newEvent(null, io.jevent.core.Event.PERSIST, (ev, w) -> {
                long f = listener.failureCount();
                while (lastFailures[0] < f) {
                    failureTimes.add(System.nanoTime());
                    lastFailures[0]++;
                }
                if (!freed[0] && f >= 5) {
                    freed[0] = true;
                    long acceptedBefore = listener.acceptedCount();
                    System.out.println("FAILURES " + f + " REPORTED " + reported[0] + " ACCEPTED " + acceptedBefore);
                    for (SocketChannel ch : accepted) {
                        closeQuietly(ch);
                    }
                    accepted.clear();
                    for (int i = 0; i < 20 && !clients.isEmpty(); i++) {
                        closeQuietly(clients.remove(clients.size() - 1));
                    }
                } else if (freed[0] && !accepted.isEmpty()) {
                    long first = failureTimes.get(0);
                    long fifth = failureTimes.get(4);
                    System.out.println("SPAN_NANOS " + (fifth - first));
                    System.out.println("RESUMED " + accepted.size());
                    base.loopBreak();
                }
            }).add(Duration.ofMillis(2));
            base.loopExit(Duration.ofSeconds(60));
            base.dispatch();
            listener.close();
        }
        clients.forEach(EmfileListenerMain::closeQuietly);
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
            while (accepted.isEmpty()) {
                base.loop(EventBase.LOOP_ONCE);
            }
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
