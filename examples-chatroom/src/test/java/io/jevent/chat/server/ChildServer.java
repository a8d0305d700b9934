package io.jevent.chat.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.jevent.chat.cli.ChatroomMain;

/**
 * The server as a separate JVM, started exactly as {@code java -jar chatroom.jar server} would start
 * it (same main class, on the test class path), so a test can kill it or send it SIGTERM.
 */
final class ChildServer implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile(
            "chat server listening on ([0-9.]+):(\\d+)(?: \\(plain text\\) and ([0-9.]+):(\\d+) \\(TLS\\))?, database (.+)");

    final Process process;
    final InetSocketAddress address;
    /** The TLS listener's address when a plain-text one runs too, else null. */
    final InetSocketAddress tlsAddress;
    final String startLine;
    private final BufferedReader out;

    private ChildServer(Process process, BufferedReader out, InetSocketAddress address, InetSocketAddress tlsAddress,
                        String startLine) {
        this.process = process;
        this.out = out;
        this.address = address;
        this.tlsAddress = tlsAddress;
        this.startLine = startLine;
    }

    /** Starts {@code chatroom server --port 0 --db <db> ...} and waits for its start line. */
    static ChildServer start(Path db, String... extraArgs) throws IOException {
        return startMain(ChatroomMain.class, ProcessBuilder.Redirect.INHERIT, List.of(), serverArgs(db, extraArgs));
    }

    /**
     * As {@link #start(Path, String...)}, with extra JVM options (system properties) before the class
     * path and the child's standard error (its log) sent to {@code stderr}: a test that makes the
     * server log on purpose reads the log from a file rather than printing it into the build's output.
     */
    static ChildServer start(Path db, ProcessBuilder.Redirect stderr, List<String> jvmArgs, String... extraArgs)
            throws IOException {
        return startMain(ChatroomMain.class, stderr, jvmArgs, serverArgs(db, extraArgs));
    }

    private static List<String> serverArgs(Path db, String... extraArgs) {
        List<String> args = new ArrayList<>(List.of("server", "--port", "0", "--db", db.toString(),
                "--pbkdf2-iterations", "1000", "--log-level", "WARNING",
                "--send-rate", "0"));   // the tests pipeline hundreds of messages from one user on purpose
        args.addAll(List.of(extraArgs));
        return args;
    }

    /**
     * Starts {@code main} from the test class path (a test's own variant of the server's main) and
     * waits for its start line, which must look like the server's.
     */
    static ChildServer startMain(Class<?> main, ProcessBuilder.Redirect stderr, List<String> jvmArgs, List<String> args)
            throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx128m"));
        cmd.addAll(jvmArgs);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
        cmd.addAll(args);
        Process p = new ProcessBuilder(cmd).redirectError(stderr).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line = out.readLine();
        assertThat(line).as("start line of the child server").isNotNull();
        Matcher m = LISTENING.matcher(line);
        assertThat(m.matches()).as("start line: " + line).isTrue();
        InetSocketAddress tls = m.group(3) == null ? null : new InetSocketAddress(m.group(3), Integer.parseInt(m.group(4)));
        return new ChildServer(p, out, new InetSocketAddress(m.group(1), Integer.parseInt(m.group(2))), tls, line);
    }

    /** Sends a line to the child's standard input (for test mains that take commands there). */
    void tell(String line) throws IOException {
        process.getOutputStream().write((line + "\n").getBytes(StandardCharsets.UTF_8));
        process.getOutputStream().flush();
    }

    /** The child's next line of standard output, or null at its end. */
    String readLine() throws IOException {
        return out.readLine();
    }

    /** Waits for the process to exit and returns its exit code. */
    int awaitExit() throws InterruptedException {
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("child server exited").isTrue();
        return process.exitValue();
    }

    /**
     * Kills the process and waits for it to exit. An interrupt stops the wait and is kept on the
     * thread (close must not swallow it, as a try-with-resources would hide it).
     */
    @Override
    public void close() {
        process.destroyForcibly();
        try {
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
