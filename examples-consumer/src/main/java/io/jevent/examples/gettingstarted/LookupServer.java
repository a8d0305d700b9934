package io.jevent.examples.gettingstarted;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.UnaryOperator;

import io.jevent.core.Event;
import io.jevent.core.buffer.EolStyle;
import io.jevent.core.bufferevent.BufferEvent;
import io.jevent.core.listener.ConnectionListener;
import io.jevent.msgqueue.EventLoopThread;

/**
 * getting-started's "Handing work to the loop from other threads": a line server whose slow part
 * (a lookup) runs on worker threads while one loop owns every socket. The region between the
 * {@code tag}/{@code end} comments is the document's code block, character for character
 * (GettingStartedDocTest).
 *
 * <p>Threads: the loop thread owns the listener, every connection and all their fields; the workers
 * touch nothing but the request text and hand the answer back with {@link EventLoopThread#execute}.
 */
public final class LookupServer {
    private final EventLoopThread loop;
    private final Executor workers;
    private final UnaryOperator<String> slowLookup;
    private final ConnectionListener listener;

    private LookupServer(EventLoopThread loop, InetSocketAddress address, Executor workers,
                         UnaryOperator<String> slowLookup) {
        this.loop = loop;
        this.workers = workers;
        this.slowLookup = slowLookup;
        this.listener = ConnectionListener.bind(loop.base(), address,
                (l, channel) -> new Connection(BufferEvent.socket(loop.base(), channel)));
    }

    /**
     * Serves on {@code loop}: each request line is answered with {@code slowLookup(line)} and a newline,
     * the lookup running on {@code workers}. Call on the loop thread (e.g. in a task given to it).
     *
     * @param address where to listen
     * @param workers runs the lookups; any {@link Executor}, e.g. a fixed thread pool
     * @return the server, whose listener is accepting
     */
    public static LookupServer listen(EventLoopThread loop, InetSocketAddress address, Executor workers,
                                      UnaryOperator<String> slowLookup) {
        return new LookupServer(loop, address, workers, slowLookup);
    }

    /** Serves on 127.0.0.1:7000 until the process is stopped. */
    public static void main(String[] args) throws Exception {
        // tag::start[]
        EventLoopThread loop = new EventLoopThread("io");
        loop.start();
        ExecutorService workers = Executors.newFixedThreadPool(4);
        InetSocketAddress address = new InetSocketAddress("127.0.0.1", 7000);
        loop.submit(() -> LookupServer.listen(loop, address, workers, LookupServer::slowLookup)).get();
        // end::start[]
    }

    /** Stands for the slow part: a database query, a computation, a call to another service. */
    static String slowLookup(String key) {
        return key.toUpperCase(Locale.ROOT);
    }

    /** The listener, e.g. for its bound address. Loop thread only. */
    public ConnectionListener listener() {
        return listener;
    }

    /** How many connections are open. Loop thread only. */
    public int connections() {
        return connections;
    }

    private int connections;                                    // loop thread only

    // tag::handoff[]
    // One per connection, made on the loop when it is accepted; it and its fields belong to the loop
    // thread. Requests are lines; each is looked up on a worker, and the answers go back in the order
    // the requests came, whatever order the workers finish in.
    private final class Connection {
        private static final int MAX_IN_FLIGHT = 16;            // reading pauses at this many requests
        private final BufferEvent bev;
        private long nextRequest;                               // number of the next request read
        private long nextAnswer;                                // number of the next answer to write
        private final Map<Long, String> early = new HashMap<>();  // answers that overtook an earlier one
        private boolean paused;

        Connection(BufferEvent bev) {
            this.bev = bev;
            connections++;
            bev.setCallbacks(b -> readRequests(), null, (b, what, cause) -> {
                b.close();                                      // EOF, error: answers still running are dropped
                connections--;
            });
            bev.enable(Event.READ);
        }

        private void readRequests() {
            String request;
            while (nextRequest - nextAnswer < MAX_IN_FLIGHT
                    && (request = bev.input().readLine(EolStyle.LF)) != null) {
                long number = nextRequest++;
                String r = request;
                workers.execute(() -> {
                    String answer = slowLookup.apply(r);                            // a worker thread
                    try {
                        loop.execute(() -> answered(number, answer));               // back on the loop thread
                    } catch (RejectedExecutionException stopping) {
                        // The loop is shutting down, and closes this connection: nobody to answer.
                    }
                });
            }
            paused = nextRequest - nextAnswer >= MAX_IN_FLIGHT;
            if (paused) {
                bev.disable(Event.READ);
            }
        }

        private void answered(long number, String answer) {
            if (bev.isClosed()) {
                return;                                         // the client left while the worker ran
            }
            early.put(number, answer);
            for (String next; (next = early.remove(nextAnswer)) != null; nextAnswer++) {
                bev.write(next + "\n", UTF_8);
            }
            if (paused && nextRequest - nextAnswer < MAX_IN_FLIGHT) {
                bev.enable(Event.READ);
                readRequests();                                 // requests already read are waiting
            }
        }
    }
    // end::handoff[]
}
