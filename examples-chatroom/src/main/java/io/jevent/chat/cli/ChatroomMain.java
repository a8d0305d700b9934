package io.jevent.chat.cli;

import java.io.PrintWriter;

import io.jevent.chat.server.ChatServer;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Entry point of {@code chatroom.jar}: {@code java -jar chatroom.jar server|client [options]}.
 *
 * <p>Exit codes: 0 success (the server after a clean shutdown), 1 failure to start (port in use,
 * unusable database), 2 usage errors: an unknown option, a value out of range or not understood,
 * 3 the server stopped but its shutdown timed out on the database and abandoned unacknowledged
 * writes (a stalled disk),
 * 70 ({@link #EXIT_FAILED}) the server stopped on its own after an internal failure (an event loop
 * thread died).
 * A usage error prints one line saying what is wrong and a hint to {@code --help}, never a stack trace.
 */
@Command(name = "chatroom", mixinStandardHelpOptions = true, version = "jevent chatroom 0.1.0",
        description = "A multi-user chat room on the jevent event loop.",
        subcommands = {ServerCommand.class, ClientCommand.class})
public final class ChatroomMain implements Runnable {
    /** Exit status of a server that stopped after an internal failure (BSD {@code EX_SOFTWARE}). */
    public static final int EXIT_FAILED = ChatServer.EXIT_LOOP_DIED;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Without a subcommand: a usage error, exit 2. */
    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing subcommand: server or client");
    }

    /**
     * Runs the command line and exits with its code.
     *
     * @param args {@code server [--port N] ...} or {@code client [--host H] ...}
     */
    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /**
     * The command line, with its usage-error handling: what {@link #main} runs; tests run it in-process.
     *
     * @return a new command line; set its out and err writers before {@code execute} to capture them
     */
    public static CommandLine commandLine() {
        return new CommandLine(new ChatroomMain()).setParameterExceptionHandler(ChatroomMain::usageError);
    }

    /**
     * Picocli's default prints the whole usage after the message, burying it; this prints the message,
     * picocli's suggestions for a mistyped option, and a one-line hint instead.
     */
    private static int usageError(CommandLine.ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        PrintWriter err = cmd.getErr();
        err.println(cmd.getColorScheme().errorText(cmd.getCommandSpec().qualifiedName() + ": " + e.getMessage()));
        CommandLine.UnmatchedArgumentException.printSuggestions(e, err);
        err.println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help' for more information.");
        err.flush();
        return cmd.getCommandSpec().exitCodeOnInvalidInput();
    }
}
