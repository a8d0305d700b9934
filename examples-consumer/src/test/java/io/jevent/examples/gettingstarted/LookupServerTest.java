package io.jevent.examples.gettingstarted;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.jevent.msgqueue.EventLoopThread;

/**
 * The hand-off example: answers come back on the loop in request order, and an answer for a client
 * that has left is dropped without an error. The "workers" here are a queue the test drains itself,
 * so the test decides when, and in which order, each lookup completes.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class LookupServerTest {
    private final BlockingQueue<Runnable> lookups = new LinkedBlockingQueue<>();
    private final EventLoopThread loop = new EventLoopThread("lookup");
    private LookupServer server;
    private InetSocketAddress address;

    private void startWith(Executor workers) throws Exception {
        loop.start();
        server = loop.submit(() -> LookupServer.listen(loop, new InetSocketAddress("127.0.0.1", 0), workers,
                s -> s.toUpperCase(Locale.ROOT))).get();
        address = loop.submit(() -> server.listener().localAddress()).get();
    }

    @AfterEach
    void stop() {
        loop.close();
    }

    private Socket connect() throws Exception {
        return new Socket(address.getAddress(), address.getPort());
    }

    /** The next lookup the server handed to its workers, waited for (bounded by the test's timeout). */
    private Runnable nextLookup() throws InterruptedException {
        Runnable lookup = lookups.poll(20, TimeUnit.SECONDS);
        assertNotNull(lookup, "the server handed no lookup to its workers");
        return lookup;
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrderWhenWorkersFinishOutOfOrder() throws Exception {
        startWith(lookups::add);
        try (Socket client = connect();
             BufferedReader in = new BufferedReader(new InputStreamReader(client.getInputStream(), UTF_8))) {
            client.getOutputStream().write("one\ntwo\nthree\n".getBytes(UTF_8));
            List<Runnable> pending = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                pending.add(nextLookup());
            }
            // Finish them last first: the third answer reaches the loop before the first two.
            pending.get(2).run();
            pending.get(0).run();
            pending.get(1).run();

            assertEquals("ONE", in.readLine());
            assertEquals("TWO", in.readLine());
            assertEquals("THREE", in.readLine());
        }
    }

    @Test
    void clientThatLeavesBeforeTheAnswerIsDroppedWithoutAnError() throws Exception {
        startWith(lookups::add);
        try (JulCapture log = new JulCapture()) {
            Runnable lookup;
            try (Socket client = connect()) {
                client.getOutputStream().write("question\n".getBytes(UTF_8));
                lookup = nextLookup();
            }
            awaitNoConnections();

            lookup.run();                                   // the answer arrives for a closed connection
            loop.submit(() -> null).get();                  // runs after the answer's task, queued before by this thread

            assertTrue(log.records.isEmpty(), () -> "jevent logged " + log.records.get(0).getMessage()
                    + ": " + log.records.get(0).getThrown());
            assertEquals(0, loop.submit(server::connections).get());
        }
    }

    @Test
    void manyRequestsBeyondTheInFlightLimitAreAllAnsweredInOrder() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            startWith(pool);
            try (Socket client = connect();
                 BufferedReader in = new BufferedReader(new InputStreamReader(client.getInputStream(), UTF_8))) {
                StringBuilder requests = new StringBuilder();
                for (int i = 0; i < 100; i++) {
                    requests.append("r").append(i).append('\n');
                }
                client.getOutputStream().write(requests.toString().getBytes(UTF_8));
                for (int i = 0; i < 100; i++) {
                    assertEquals("R" + i, in.readLine());
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private void awaitNoConnections() throws Exception {
        // The server sees the client's EOF on its loop; ask the loop until it has (bounded by @Timeout).
        while (loop.submit(server::connections).get() != 0) {
            Thread.onSpinWait();
        }
    }
}
