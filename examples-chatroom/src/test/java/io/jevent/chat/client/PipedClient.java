package io.jevent.chat.client;

import java.time.Duration;
import java.time.ZoneOffset;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiFunction;

import io.jevent.chat.Transport;
import io.jevent.chat.client.console.ClientConsole;
import io.jevent.chat.client.console.PlainConsole;

/**
 * A {@link ChatClient} run in-process on a thread of its own (its keyboard thread), driven through
 * streams: the test types on {@link #keys} and reads {@link #screen}. Times are shown in UTC and
 * reconnects are quick (0.1 s doubling to 0.4 s) so tests stay short.
 */
final class PipedClient implements AutoCloseable {
    final Keyboard keys = new Keyboard();
    final Screen screen = new Screen();
    private final CompletableFuture<Integer> exit = new CompletableFuture<>();

    private PipedClient(ClientOptions options, BiFunction<Keyboard, Screen, ClientConsole> console) {
        ClientConsole c = console.apply(keys, screen);
        Thread t = new Thread(() -> {
            try {
                exit.complete(ChatClient.run(options, c));
            } catch (Throwable e) {
                exit.completeExceptionally(e);
            }
        }, "test-keyboard");
        t.setDaemon(true);
        t.start();
    }

    /** Options to connect to 127.0.0.1:{@code port} over plain TCP. */
    static ClientOptions options(int port) {
        return options(Transport.PLAIN, port);
    }

    /** Options to connect to 127.0.0.1:{@code port} over {@code transport}. */
    static ClientOptions options(Transport transport, int port) {
        return ClientOptions.of("127.0.0.1", port).withZone(ZoneOffset.UTC)
                .withRetry(Duration.ofMillis(100), Duration.ofMillis(400)).withTls(transport.clientTrust());
    }

    /** A client reading plain lines, as from a pipe, connecting to {@code port} over plain TCP. */
    static PipedClient plain(int port) {
        return plain(Transport.PLAIN, port);
    }

    /** A client reading plain lines, as from a pipe, connecting to {@code port} over {@code transport}. */
    static PipedClient plain(Transport transport, int port) {
        return new PipedClient(options(transport, port), PlainConsole::new);
    }

    /** A client reading plain lines, with {@code options}. */
    static PipedClient plain(ClientOptions options) {
        return new PipedClient(options, PlainConsole::new);
    }

    /** A client over a console built on the test's streams (the JLine test gives a virtual terminal). */
    static PipedClient over(Transport transport, int port, BiFunction<Keyboard, Screen, ClientConsole> console) {
        return new PipedClient(options(transport, port), console);
    }

    /** Types a line. */
    PipedClient line(String line) {
        keys.line(line);
        return this;
    }

    /** Waits for {@code text} on the screen after the previous expectation. */
    PipedClient expect(String text) throws InterruptedException {
        screen.expect(text);
        return this;
    }

    /** Waits until the client has returned from {@code run}, and gives its exit code. */
    int awaitExit() throws Exception {
        return exit.get(10, TimeUnit.SECONDS);
    }

    /**
     * Ends the input (the client quits) and waits for it to finish. An interrupt stops the wait and
     * is kept on the thread (close must not swallow it, as a try-with-resources would hide it).
     */
    @Override
    public void close() throws ExecutionException, TimeoutException {
        keys.close();
        try {
            exit.get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
