package io.jevent.core.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.jevent.core.Event;
import io.jevent.core.EventBase;
import io.jevent.core.EventConfig;
import io.jevent.core.bufferevent.BufferEvent;

/**
 * 1,000 concurrent clients against the {@link EchoServer}, the server on its own loop thread, the clients
 * all BufferEvents on one client loop (the test thread): two threads for two cores.
 *
 * <p>Sizes: the issue asks for 100 messages of 1 B to 64 KiB per client. Uniform sizes would average
 * 32 KiB, 3.2 GB each way, far over the budget of a loaded 2-core machine. So each message is 1 B-2 KiB
 * with probability 0.9 and 1 B-64 KiB otherwise: about 4.2 KiB on average, ~420 MB each way in total,
 * still with thousands of messages that span many segments and partial socket writes.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class EchoLoopbackTest {
    private static final int CLIENTS = 1000;
    private static final int MESSAGES = 100;

    static int drawSize(Random rnd) {
        return 1 + (rnd.nextInt(10) == 0 ? rnd.nextInt(64 * 1024) : rnd.nextInt(2048));
    }

    /** One client: sends a message, checks its echo byte by byte, sends the next; closes after the last. */
    private static final class Client {
        final Random rnd;
        final BufferEvent bev;
        final List<String> problems;
        final int[] finished;
        final byte[] scratch;
        byte[] message;
        int matched;
        int sent;
        long bytes;

        Client(EventBase base, InetSocketAddress server, int id, List<String> problems, int[] finished, byte[] scratch) {
            this.rnd = new Random(id);
            this.problems = problems;
            this.finished = finished;
            this.scratch = scratch;
            this.bev = BufferEvent.connect(base, server);
            bev.setCallbacks(b -> onEcho(), null, (b, what, cause) -> {
                if (what == BufferEvent.CONNECTED) {
                    return;
                }
                problems.add("client " + id + ": status " + Integer.toHexString(what) + " " + cause);
                b.close();
                finished[0]++;
            });
            bev.enable(Event.READ);
            sendNext();         // queued now, written once connected
        }

        void sendNext() {
            if (sent == MESSAGES) {
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

    @Test
    @DisplayName("1,000 concurrent clients each echo 100 random messages (1 B-64 KiB): every byte comes back "
            + "in order, and the server's open connections return to zero")
    void thousandClientsEchoInOrder() throws Exception {
        List<String> problems = new CopyOnWriteArrayList<>();
        List<Throwable> callbackFailures = new CopyOnWriteArrayList<>();
        try (EchoServer.Running server = EchoServer.startInThread(0);
             EventBase base = new EventBase(EventConfig.builder()
                     .exceptionHandler((ev, e) -> callbackFailures.add(e)).build())) {
            InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port());
            int[] finished = {0};
            byte[] scratch = new byte[64 * 1024];
            long start = System.nanoTime();
            List<Client> clients = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                clients.add(new Client(base, address, i, problems, finished, scratch));
            }
            boolean[] expired = {false};
            Event guard = base.newTimer((ev, what) -> expired[0] = true);
            guard.add(Duration.ofSeconds(80));
            while (finished[0] < CLIENTS && !expired[0] && callbackFailures.isEmpty()) {
                base.loop(EventBase.LOOP_ONCE);
            }
            guard.free();
            long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            long total = clients.stream().mapToLong(c -> c.bytes).sum();
            System.out.printf("echo: %d clients x %d messages, %.1f MB each way in %d ms%n",
                    CLIENTS, MESSAGES, total / 1e6, elapsedMs);

            assertThat(callbackFailures).isEmpty();
            assertThat(problems).isEmpty();
            assertThat(finished[0]).isEqualTo(CLIENTS);
            assertThat(clients).allSatisfy(c -> assertThat(c.sent).isEqualTo(MESSAGES));
            assertThat(server.acceptedConnections()).isEqualTo(CLIENTS);
            await().atMost(Duration.ofSeconds(10)).until(() -> server.openConnections() == 0);
        }
    }
}
