package io.jevent.chat.cli;

import java.io.Console;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.util.concurrent.Callable;

import io.jevent.chat.client.ChatClient;
import io.jevent.chat.client.ClientOptions;
import io.jevent.chat.client.console.ClientConsole;
import io.jevent.chat.client.console.JLineConsole;
import io.jevent.chat.client.console.PlainConsole;
import io.jevent.chat.tls.ServerTrust;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code chatroom client}: the terminal chat client. On a terminal it uses JLine (line editing,
 * messages shown above the prompt, passwords not echoed); when stdin or stdout is not a terminal
 * (a pipe, a script) it reads and writes plain lines.
 *
 * <p>Exit status: 0 when the person quits, 2 for a usage error, {@link ChatClient#EXIT_UNTRUSTED} (1)
 * when it stopped because it could not trust the server's TLS certificate or read the trust store.
 */
@Command(name = "client", mixinStandardHelpOptions = true,
        description = "Terminal chat client (menus, or slash commands: type /help once connected).")
final class ClientCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Server host (default ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--port", defaultValue = "7777", description = "Server port, 1-65535 (default ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--plain", description = "Plain line input and output even on a terminal.")
    boolean plain;

    @Mixin
    ClientTlsOptions tls;

    @Override
    public Integer call() throws Exception {
        Options.require(spec, port >= 1 && port <= 65535, "--port must be 1-65535, not " + port);
        // Checked once here, so a typo is a usage error at once; the client itself resolves again at
        // each attempt (an address may change while it runs) and says so if it then fails.
        Options.require(spec, !new InetSocketAddress(host, port).isUnresolved(),
                "--host: cannot resolve host '" + host + "'");
        tls.validate(spec);
        ServerTrust trust;
        try {
            trust = tls.trust();
        } catch (IOException e) {
            PrintWriter err = spec.commandLine().getErr();
            err.println("chatroom client: " + Options.describe(e));
            err.flush();
            return ChatClient.EXIT_UNTRUSTED;
        }
        return ChatClient.run(ClientOptions.of(host, port).withTls(trust), console());
    }

    private ClientConsole console() throws IOException {
        // When stdin or stdout is redirected JLine could only offer a dumb terminal that echoes and
        // redraws badly, so plain lines serve scripts better.
        if (plain || !interactive()) {
            return new PlainConsole(System.in, System.out);
        }
        Terminal terminal = TerminalBuilder.builder().system(true).name("chatroom").build();
        return new JLineConsole(terminal);
    }

    /**
     * Whether stdin and stdout are a terminal. Before JDK 22 System.console() is null otherwise; from
     * 22 on it is never null and Console.isTerminal() (not in the Java 17 API, so looked up) tells.
     */
    @SuppressWarnings("SystemConsoleNull") // the null test is for JDK 17 to 21; isTerminal() covers 22+
    private static boolean interactive() {
        Console console = System.console();
        if (console == null) {
            return false;
        }
        try {
            return (Boolean) Console.class.getMethod("isTerminal").invoke(console);
        } catch (NoSuchMethodException e) {
            return true;    // JDK 17 to 21: a console exists only for a terminal
        } catch (ReflectiveOperationException e) {
            throw new LinkageError("cannot call Console.isTerminal()", e);
        }
    }
}
