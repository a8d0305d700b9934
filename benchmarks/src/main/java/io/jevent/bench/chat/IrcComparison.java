package io.jevent.bench.chat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.jevent.bench.Machine;
import io.jevent.bench.Processes;

/**
 * The 1,000-user group cell driven by {@code benchmarks/c/chat-group-load} (one epoll thread in C)
 * against the chat server and against ngircd, an in-memory IRC server with everyone in one channel,
 * in interleaved rounds; then each round's ratios. The chat server runs exactly as in
 * {@link ChatReport} ({@link ChatServerProcess}, users seeded by {@link SeedUsers}); ngircd runs
 * with {@code nodelay.so} preloaded so that its sockets are {@code TCP_NODELAY} like the chat
 * server's.
 *
 * <p>Usage (what {@code benchmarks/run.sh chat-irc} runs once it has built the C tools):
 * {@code IrcComparison <chatroom.jar> <chat-group-load> <nodelay.so> <ngircd> [rounds] [msgs/s]}.
 *
 * <p>Everything runs on the main thread; servers are stopped on failure too.
 */
public final class IrcComparison {
    private static final int USERS = 1000;
    private static final int SENDERS = 20;
    private static final int WARMUP_SECONDS = 5;
    private static final int WINDOW_SECONDS = 10;
    /** The load generator's own bound is 120 s of logins, the window and 10 s of drain. */
    private static final long LOAD_TIMEOUT_SECONDS = 180;
    private static final Pattern RESULT = Pattern.compile(
            ".* p50 ([0-9.]+) / p99 ([0-9.]+) / .* server CPU ([0-9.]+) us/delivery.*");

    private IrcComparison() {
    }

    /** One run's delivery p50 and p99 (ms) and server CPU per delivery (µs). */
    private record Run(String line, double p50, double p99, double cpu) {
        static Run parse(String line) {
            Matcher m = RESULT.matcher(line);
            if (!m.matches()) {
                throw new IllegalStateException("not a chat-group-load result: " + line);
            }
            return new Run(line, Double.parseDouble(m.group(1)), Double.parseDouble(m.group(2)),
                    Double.parseDouble(m.group(3)));
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 4 || args.length > 6) {
            System.err.println("usage: IrcComparison <chatroom.jar> <chat-group-load> <nodelay.so> <ngircd> [rounds] [msgs/s]");
            System.exit(2);
        }
        Path jar = Path.of(args[0]);
        Path load = Path.of(args[1]);
        Path nodelay = Path.of(args[2]).toAbsolutePath();
        Path ngircd = Path.of(args[3]);
        int rounds = args.length > 4 ? Integer.parseInt(args[4]) : 3;
        int rate = args.length > 5 ? Integer.parseInt(args[5]) : 200;

        Path dir = Files.createTempDirectory("chat-irc");
        Path seeded = dir.resolve("seed.db");
        Path db = dir.resolve("chat.db");
        int ircPort = freePort();
        Path ircConfig = writeNgircdConfig(dir, ircPort);
        SeedUsers.seed(seeded, USERS, ChatReport.SEED_ITERATIONS);

        System.out.printf(Locale.ROOT, "== group cell, %d users, %d senders at %d msgs/s together, load from"
                + " chat-group-load (C); window %d s after %d s warm-up; %d interleaved rounds%n",
                USERS, SENDERS, rate, WINDOW_SECONDS, WARMUP_SECONDS, rounds);
        List<Run[]> results = new ArrayList<>();
        try {
            for (int r = 0; r < rounds; r++) {
                SeedUsers.copy(seeded, db);
                Run chat;
                try (ChatServerProcess server = ChatServerProcess.start(jar, db, ChatReport.SEED_ITERATIONS, 1)) {
                    chat = runLoad(load, "chat", server.port(), server.pid(), rate);
                }
                System.out.println(chat.line());
                Run irc = runIrc(load, ngircd, ircConfig, nodelay, ircPort, rate);
                System.out.println(irc.line());
                results.add(new Run[] {chat, irc});
            }
        } finally {
            for (String name : new String[] {"ngircd.conf", "ngircd.pid"}) {
                Files.deleteIfExists(dir.resolve(name));
            }
            SeedUsers.delete(seeded);
            SeedUsers.delete(db);
            Files.deleteIfExists(dir);
        }

        System.out.println("== chat server / ngircd, per round (below 1: the chat server is faster or cheaper)");
        for (int r = 0; r < results.size(); r++) {
            Run chat = results.get(r)[0];
            Run irc = results.get(r)[1];
            System.out.printf(Locale.ROOT, "round %d: delivery p50 %.2fx, p99 %.2fx, server CPU per delivery %.2fx%n",
                    r + 1, chat.p50() / irc.p50(), chat.p99() / irc.p99(), chat.cpu() / irc.cpu());
        }
        System.out.println(Machine.describe() + ", " + firstLine(ngircd.toString(), "--version"));
    }

    private static Run runIrc(Path load, Path ngircd, Path config, Path nodelay, int port, int rate)
            throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(ngircd.toString(), "-n", "-f", config.toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("LD_PRELOAD", nodelay.toString());
        Process server = pb.start();
        try {
            awaitListening(port, server);
            return runLoad(load, "irc", port, server.pid(), rate);
        } finally {
            Processes.stop(server, 15);
        }
    }

    /** Runs chat-group-load once against the server on {@code port}; its result line. */
    private static Run runLoad(Path load, String protocol, int port, long serverPid, int rate)
            throws IOException, InterruptedException {
        Process p = new ProcessBuilder(load.toString(), protocol, Integer.toString(port), Integer.toString(USERS),
                Integer.toString(SENDERS), Integer.toString(rate), Integer.toString(WARMUP_SECONDS),
                Integer.toString(WINDOW_SECONDS), SeedUsers.PASSWORD, Long.toString(serverPid))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out;
        try {
            out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(LOAD_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                throw new IllegalStateException("chat-group-load did not finish in " + LOAD_TIMEOUT_SECONDS + " s");
            }
        } finally {
            p.destroyForcibly();
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException("chat-group-load against " + protocol + " failed (lost or reordered"
                    + " deliveries, or an error above): " + out);
        }
        return Run.parse(out);
    }

    /**
     * ngircd's settings for the cell: loopback only, no connection limits, no DNS or ident lookups,
     * and an operator account the senders use to lift IRC's flood throttling (user mode {@code +F}).
     */
    private static Path writeNgircdConfig(Path dir, int port) throws IOException {
        String config = String.join("\n",
                "[Global]",
                "\tName = irc.load.test",
                "\tInfo = chat benchmark baseline",
                "\tListen = 127.0.0.1",
                "\tPorts = " + port,
                "\tPidFile = " + dir.resolve("ngircd.pid"),
                // As whoever runs the benchmark: started as root, ngircd would otherwise change user.
                "\tServerUID = " + Files.getAttribute(dir, "unix:uid"),
                "\tServerGID = " + Files.getAttribute(dir, "unix:gid"),
                "\tMotdPhrase = load",
                "[Limits]",
                "\tMaxConnections = 0",
                "\tMaxConnectionsIP = 0",
                "\tMaxJoins = 0",
                "\tPingTimeout = 3600",
                "\tPongTimeout = 3600",
                "[Options]",
                "\tDNS = no",
                "\tIdent = no",
                "\tPAM = no",
                "[Operator]",
                "\tName = load",
                "\tPassword = load",
                "");
        Path file = dir.resolve("ngircd.conf");
        Files.writeString(file, config);
        return file;
    }

    /** Waits up to 30 s for {@code port} to accept a connection; fails if {@code server} exits first. */
    private static void awaitListening(int port, Process server) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() - deadline < 0) {
            if (!server.isAlive()) {
                throw new IllegalStateException("ngircd exited with status " + server.exitValue());
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
                return;
            } catch (IOException notYet) {
                Thread.sleep(100);   // polling a port that is not listening yet: nothing to wait on
            }
        }
        throw new IllegalStateException("ngircd not listening on port " + port + " after 30 s");
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static String firstLine(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor();
            return out.lines().findFirst().orElse("").strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }
}
