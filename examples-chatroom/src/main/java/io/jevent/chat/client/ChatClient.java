package io.jevent.chat.client;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.jevent.chat.client.Input.Prompt;
import io.jevent.chat.client.Input.Typed;
import io.jevent.chat.client.console.ClientConsole;
import io.jevent.msgqueue.EventLoopThread;
import io.jevent.msgqueue.MsgQueue;

/**
 * The terminal chat client: {@link #run} connects to a server and talks to a person through a
 * {@link ClientConsole} until they quit.
 *
 * <h2>Threads and who owns what</h2>
 * <ul>
 *   <li>The <b>loop thread</b> ({@code chat-client}, an {@link EventLoopThread}) owns the socket (a
 *       {@code BufferEvent} in {@link ServerLink}), the reconnect timer and the whole state machine
 *       ({@link ClientSession}). Nothing else touches them.</li>
 *   <li>The <b>keyboard thread</b> — the thread that calls {@link #run} — only reads lines. It waits for
 *       the loop to ask for a line (a {@link Prompt} on a blocking queue), reads it with the console,
 *       and pushes it into a {@link MsgQueue} on the loop's base, whose consumer hands it to the
 *       session on the loop thread. That is libevent's message-queue pattern: the blocking read stays
 *       off the loop, and the loop sleeps in {@code select} until a line (or the server) wakes it.</li>
 *   <li><b>Output</b> from both threads goes through the console, which serialises it
 *       ({@code LineReader.printAbove} holds JLine's lock; the plain console its own).</li>
 * </ul>
 */
public final class ChatClient {
    /**
     * Exit status when the client stopped because it could not trust the server: its TLS
     * certificate changed, did not match {@code --fingerprint}, was refused by the trust store, or
     * the person did not accept it on first contact.
     */
    public static final int EXIT_UNTRUSTED = 1;

    private ChatClient() {
    }

    /**
     * Runs the client until the person quits (menu 0 when logged out, {@code /quit}, end of input or
     * Ctrl-C). Blocks the calling thread, which becomes the keyboard thread. Not being able to reach
     * the server is not an error: the client says so and keeps trying, with backoff, until the person
     * quits.
     *
     * @param options where to connect and how to show times
     * @param console where to read and print; closed before returning
     * @return the exit code: 0, or {@link #EXIT_UNTRUSTED} if it stopped because the server's
     *         certificate was not trusted
     * @throws InterruptedException if the calling thread is interrupted while waiting for a prompt
     */
    public static int run(ClientOptions options, ClientConsole console) throws InterruptedException {
        BlockingQueue<Prompt> prompts = new LinkedBlockingQueue<>();
        EventLoopThread loop = new EventLoopThread("chat-client");
        // Built on the loop thread (the queue and the session belong to it); published to this thread
        // by the future's completion.
        CompletableFuture<Started> started = new CompletableFuture<>();
        CompletableFuture<Void> init = loop.start(base -> {
            ClientSession session = new ClientSession(options, console, base, prompts);
            MsgQueue<Typed> lines = MsgQueue.<Typed>builder(base, session::typed).build();
            started.complete(new Started(session, lines));
            session.start();
        });
        Started s;
        try {
            // If init throws before completing started (the session could not be built), only init's
            // future reports it — and the loop has shut itself down; waiting on started alone would hang.
            s = init.thenCompose(v -> started).join();
        } catch (CompletionException e) {
            console.close();
            throw e;
        }
        try {
            readKeyboard(console, prompts, s.lines);
            return s.session.finished().getNow(0);
        } finally {
            try {
                loop.submit(() -> {
                    s.lines.close();
                    return null;
                }).get();
            } catch (Exception e) {
                // The loop has stopped already; nothing is left queued that matters.
            }
            try {
                loop.shutdown(Duration.ZERO, Duration.ofSeconds(5)).get(10, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException e) {
                // The loop thread died (it logged why) or would not stop: the person quit, exit anyway.
            }
            console.close();
        }
    }

    private record Started(ClientSession session, MsgQueue<Typed> lines) {
    }

    /** The keyboard thread's whole job: read a line when asked, hand it to the loop. */
    private static void readKeyboard(ClientConsole console, BlockingQueue<Prompt> prompts, MsgQueue<Typed> lines)
            throws InterruptedException {
        while (true) {
            Prompt p = prompts.take();
            if (p == Prompt.STOP) {
                return;
            }
            Typed typed;
            try {
                String line = console.readLine(p::text, p.secret());
                typed = line == null ? Typed.END : Typed.line(line);
            } catch (ClientConsole.Interrupted e) {
                typed = Typed.INTERRUPTED;
            } catch (IOException e) {
                typed = Typed.END;
            }
            if (!lines.push(typed)) {
                return;   // the loop is gone
            }
        }
    }
}
