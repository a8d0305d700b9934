package io.jevent.bench.echo;

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

import io.jevent.bench.Processes;

/**
 * One echo server under test, in a JVM of its own: the same {@code java} binary as this JVM, the same
 * class path, the same heap for every server ({@link #HEAP_FLAGS}) and nothing else tuned. The server
 * prints {@code port N} once listening; later output goes to this process's standard error, prefixed
 * with the server's name.
 *
 * <p>Threading: start and stop from one thread; {@link #cpuTicks()} and the accessors from any.
 */
final class ServerProcess implements AutoCloseable {
    /** Fixed heap, identical for every server: no server gets more room than another. */
    static final List<String> HEAP_FLAGS = List.of("-Xms256m", "-Xmx256m");
    private static final long START_TIMEOUT_SECONDS = 30;
    private static final long STOP_TIMEOUT_SECONDS = 10;

    private final String name;
    private final Process process;
    private final CompletableFuture<Integer> port = new CompletableFuture<>();

    private ServerProcess(String name, Process process) {
        this.name = name;
        this.process = process;
        Thread reader = new Thread(this::readOutput, name + "-stdout");
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * Starts {@code mainClass} with {@code args} in a new JVM; does not wait for it to listen (see
     * {@link #port()}), so several servers start up in parallel.
     */
    /** SIGTERM to every server at once, so they shut down in parallel, then waits for each (SIGKILL after 10 s). */
    static void stopAll(List<ServerProcess> processes) {
        for (ServerProcess p : processes) {
            p.terminate();
        }
        for (ServerProcess p : processes) {
            int status = p.stop();
            if (status != 0 && status != 143) {     // 143: the JVM's status for SIGTERM (Netty's server)
                System.err.println(p.name() + " stopped with status " + status
                        + (status == -1 ? " (killed after 10 s)" : ""));
            }
        }
    }

    static ServerProcess start(String name, String mainClass, String... args) {
        return start(name, "", mainClass, args);
    }

    /**
     * As {@link #start(String, String, String...)}, with {@code classPathFirst} (empty: nothing) ahead of
     * this JVM's class path: an earlier build of some classes, to measure it beside the current one.
     */
    static ServerProcess start(String name, String classPathFirst, String mainClass, String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(HEAP_FLAGS);
        command.add("-cp");
        String classPath = System.getProperty("java.class.path");
        command.add(classPathFirst.isEmpty() ? classPath : classPathFirst + java.io.File.pathSeparator + classPath);
        command.add(mainClass);
        command.addAll(List.of(args));
        try {
            return new ServerProcess(name, new ProcessBuilder(command)
                    .redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name + ": " + command, e);
        }
    }

    String name() {
        return name;
    }

    long pid() {
        return process.pid();
    }

    /**
     * The port the server printed, waiting for it up to 30 s.
     *
     * @throws IllegalStateException if the server exited, or printed something else, or took too long
     */
    int port() throws InterruptedException {
        try {
            return port.get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException(name + " did not start: " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException(name + " printed no port within " + START_TIMEOUT_SECONDS + " s", e);
        }
    }

    /** CPU time the server's process has used so far (all its threads), in clock ticks. */
    long cpuTicks() {
        if (!process.isAlive()) {
            throw new IllegalStateException(name + " has exited with status " + process.exitValue());
        }
        return ProcCpu.ticks(process.pid());
    }

    /** Asks the server to stop (SIGTERM) without waiting. Idempotent. */
    void terminate() {
        process.destroy();
    }

    /**
     * Stops the server: SIGTERM, up to 10 s for it to exit, then SIGKILL. Idempotent.
     *
     * @return its exit status, or -1 if it had to be killed
     */
    int stop() {
        return Processes.stop(process, STOP_TIMEOUT_SECONDS);
    }

    @Override
    public void close() {
        stop();
    }

    private void readOutput() {
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String first = out.readLine();
            if (first == null) {
                port.completeExceptionally(new IllegalStateException("exited with status " + process.waitFor()
                        + " before printing its port"));
                return;
            }
            if (!first.matches("port \\d+")) {
                port.completeExceptionally(new IllegalStateException("printed '" + first + "', not 'port N'"));
            } else {
                port.complete(Integer.parseInt(first.substring("port ".length())));
            }
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                System.err.println("[" + name + "] " + line);
            }
        } catch (IOException | InterruptedException e) {
            port.completeExceptionally(e);
        }
    }
}
