package io.jevent.chat.server;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

import io.jevent.chat.store.StoreFaults;

/**
 * A child-process server for {@link ProcessLifecycleTest}: started and stopped like
 * {@code chatroom server} (SIGTERM handled, exit status from {@link ChatServer#awaitExitStatus()}),
 * with one fault it can be told to inject on standard input: {@code stall} makes the disk stop
 * answering (the store's writer blocks for good); it answers {@code stalled} on standard output.
 *
 * <p>Arguments: the database file and the shutdown timeout in seconds.
 */
public final class StalledDiskServer {
    private StalledDiskServer() {
    }

    public static void main(String[] args) throws Exception {
        ServerConfig config = ServerFixture.config(Path.of(args[0]))
                .withSignals(true)
                .withShutdownTimeout(Duration.ofSeconds(Long.parseLong(args[1])));
        ChatServer server = ChatServer.start(config);
        System.out.println("chat server listening on " + server.address().getAddress().getHostAddress() + ":"
                + server.address().getPort() + ", database " + config.database());
        System.out.flush();
        Thread commands = new Thread(() -> {
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            try {
                String line;
                while ((line = in.readLine()) != null) {
                    if (line.equals("stall")) {
                        StoreFaults.stallWriter(server.store());
                        System.out.println("stalled");
                        System.out.flush();
                    }
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException("reading test commands from stdin", e);
            }
        }, "test-commands");
        commands.setDaemon(true);
        commands.start();
        System.exit(server.awaitExitStatus());
    }
}
