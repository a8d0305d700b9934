package io.jevent.bench.chat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.jevent.bench.Processes;
import io.jevent.bench.echo.ProcCpu;

/**
 * The chat server under test, {@code java -jar chatroom.jar server}, in a JVM of its own so its CPU
 * time can be read from {@code /proc/<pid>/stat}. Settings: a free port, a fixed 512 MiB heap, no send
 * limits ({@code --send-rate 0}: the cells send far faster than a person), no keepalive probes and a
 * long idle timeout (the storm's clients wait minutes for PBKDF2 without having logged in); the login
 * and registration limits, durability ({@code synchronous=FULL}) and everything else stay at their
 * defaults. {@code pbkdf2Iterations}: the count for the dummy hash and for re-hashing; it must not be
 * above the seeded hashes' count, or every LOGIN would re-hash. {@code ioThreads}: its event loops.
 * The system property {@code chat.serverJvmArgs} (space-separated) adds options to the server's JVM
 * only, e.g. {@code -Dchat.serverJvmArgs=-XX:StartFlightRecording=filename=server.jfr} to profile it.
 *
 * <p>Threading: start and stop from one thread; {@link #cpuTicks()} from any.
 */
final class ChatServerProcess implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("chat server listening on .*:(\\d+), database .*");
    private static final long START_TIMEOUT_SECONDS = 30;
    /** The server's own shutdown timeout is 10 s; a second more for the database. */
    private static final long STOP_TIMEOUT_SECONDS = 15;

    private final Process process;
    private final CompletableFuture<Integer> port = new CompletableFuture<>();

    private ChatServerProcess(Process process) {
        this.process = process;
        Thread reader = new Thread(this::readOutput, "chat-server-stdout");
        reader.setDaemon(true);
        reader.start();
    }

    static ChatServerProcess start(Path jar, Path db, Integer pbkdf2Iterations, int ioThreads) {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xms512m", "-Xmx512m"));
        String extra = System.getProperty("chat.serverJvmArgs", "").strip();
        if (!extra.isEmpty()) {
            command.addAll(List.of(extra.split("\\s+")));
        }
        command.addAll(List.of("-jar", jar.toString(), "server", "--port", "0", "--db", db.toString(), "--send-rate", "0",
                "--keepalive", "0", "--idle-timeout", "3600", "--log-level", "warn", "--io-threads",
                Integer.toString(ioThreads)));
        if (pbkdf2Iterations != null) {
            command.add("--pbkdf2-iterations");
            command.add(pbkdf2Iterations.toString());
        }
        try {
            return new ChatServerProcess(new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the chat server: " + command, e);
        }
    }

    /** The port it listens on, waiting up to 30 s for its start-up line. */
    int port() throws InterruptedException {
        try {
            return port.get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("chat server did not start: " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("chat server not listening after " + START_TIMEOUT_SECONDS + " s", e);
        }
    }

    /** The server's process id, for tools outside this JVM that read its CPU time. */
    long pid() {
        return process.pid();
    }

    /** CPU time of the whole server process so far, in clock ticks. */
    long cpuTicks() {
        if (!process.isAlive()) {
            throw new IllegalStateException("the chat server has exited with status " + process.exitValue());
        }
        return ProcCpu.ticks(process.pid());
    }

    /** SIGTERM, then up to 15 s for a clean exit, then SIGKILL; its exit status, or -1 if killed. Idempotent. */
    int stop() {
        return Processes.stop(process, STOP_TIMEOUT_SECONDS);
    }

    /**
     * SIGKILL, for a server whose clean shutdown would only cost time: one still hashing hundreds of
     * LOGINs would wait out its 10 s shutdown timeout for them.
     */
    void kill() {
        process.destroyForcibly();
        try {
            process.waitFor(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        stop();
    }

    private void readOutput() {
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                Matcher m = LISTENING.matcher(line);
                if (!port.isDone() && m.matches()) {
                    port.complete(Integer.parseInt(m.group(1)));
                } else {
                    System.err.println("[chat server] " + line);
                }
            }
            port.completeExceptionally(new IllegalStateException("exited with status " + process.waitFor()));
        } catch (IOException | InterruptedException e) {
            port.completeExceptionally(e);
        }
    }
}
