package io.jevent.examples.echo;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import io.jevent.core.Event;
import io.jevent.core.EventBase;
import io.jevent.core.EventConfig;
import io.jevent.core.bufferevent.BufferEvent;

/**
 * Many echo clients at once, all BufferEvents on one client loop run by the calling thread: each sends
 * a random message, checks its echo byte by byte, sends the next, and closes after the last.
 *
 * <p>Sizes: 1 B-2 KiB with probability 0.9 and 1 B-64 KiB otherwise, about 4.2 KiB on average, so
 * thousands of messages span many segments and partial socket writes without the 3.2 GB a uniform
 * 1 B-64 KiB draw would cost 1,000 clients of 100 messages.
 */
final class EchoClients {
    /** What a run saw; {@code problems} and {@code callbackFailures} are empty when all went well. */
    record Outcome(int finished, List<Integer> sentPerClient, long bytesEchoed, long elapsedMs,
                   List<String> problems, List<Throwable> callbackFailures) {
    }

    private EchoClients() {
    }

    static int drawSize(Random rnd) {
        return 1 + (rnd.nextInt(10) == 0 ? rnd.nextInt(64 * 1024) : rnd.nextInt(2048));
    }

    /**
     * Runs {@code clients} clients of {@code messages} messages each against {@code server} until all
     * have finished or {@code budget} has passed. Calling thread: it creates and loops the client base.
     */
    static Outcome run(InetSocketAddress server, int clients, int messages, Duration budget) {
        List<String> problems = new CopyOnWriteArrayList<>();
        List<Throwable> callbackFailures = new CopyOnWriteArrayList<>();
        try (EventBase base = new EventBase(EventConfig.builder()
                .exceptionHandler((ev, e) -> callbackFailures.add(e)).build())) {
            int[] finished = {0};
            byte[] scratch = new byte[64 * 1024];
            long start = System.nanoTime();
            List<Client> all = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                all.add(new Client(base, server, i, messages, problems, finished, scratch));
            }
            boolean[] expired = {false};
            Event guard = base.newTimer((ev, what) -> expired[0] = true);
            guard.add(budget);
            while (finished[0] < clients && !expired[0] && callbackFailures.isEmpty()) {
                base.loop(EventBase.LOOP_ONCE);
            }
            guard.free();
            for (Client c : all) {
                c.bev.close();              // idempotent; closes what a timeout or failure left open
            }
            long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            return new Outcome(finished[0], all.stream().map(c -> c.sent).toList(),
                    all.stream().mapToLong(c -> c.bytes).sum(), elapsedMs, problems, callbackFailures);
        }
    }

    /** One client: sends a message, checks its echo byte by byte, sends the next; closes after the last. */
    private static final class Client {
        final Random rnd;
        final BufferEvent bev;
        final int messages;
        final List<String> problems;
        final int[] finished;
        final byte[] scratch;
        byte[] message;
        int matched;
        int sent;
        long bytes;

        Client(EventBase base, InetSocketAddress server, int id, int messages, List<String> problems,
               int[] finished, byte[] scratch) {
            this.rnd = new Random(id);
            this.messages = messages;
            this.problems = problems;
            this.finished = finished;
            this.scratch = scratch;
            this.bev = BufferEvent.connect(base, server);
            bev.setCallbacks(b -> onEcho(), null, (b, what, cause) -> {
                if (what == BufferEvent.CONNECTED) {
                    return;
                }
                problems.add("client " + id + ": status " + BufferEvent.describe(what) + " " + cause);
                b.close();
                finished[0]++;
            });
            bev.enable(Event.READ);
            sendNext();         // queued now, written once connected
        }

        void sendNext() {
            if (sent == messages) {
                bev.close();
                finished[0]++;
                return;
            }
            message = new byte[drawSize(rnd)];
            rnd.nextBytes(message);
            matched = 0;
            sent++;
            bev.write(message);
        }

        void onEcho() {
            while (!bev.isClosed() && !bev.input().isEmpty()) {
                int n = bev.input().remove(scratch, 0, Math.min(scratch.length, message.length - matched));
                for (int i = 0; i < n; i++) {
                    if (scratch[i] != message[matched + i]) {
                        problems.add("message " + sent + " differs at byte " + (matched + i));
                        bev.close();
                        finished[0]++;
                        return;
                    }
                }
                matched += n;
                bytes += n;
                if (matched == message.length) {
                    if (!bev.input().isEmpty()) {
                        problems.add("echo longer than message " + sent);
                    }
                    sendNext();
                }
            }
        }
    }
}
