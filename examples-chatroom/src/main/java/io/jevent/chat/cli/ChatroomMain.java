package io.jevent.chat.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Entry point of {@code chatroom.jar}: {@code java -jar chatroom.jar server|client [options]}.
 *
 * <p>Exit codes: 0 success (the server after a clean shutdown), 1 failure to start (port in use,
 * unusable database), 2 usage errors and the not-yet-available client.
 */
@Command(name = "chatroom", mixinStandardHelpOptions = true, version = "jevent chatroom 0.1.0",
        description = "A multi-user chat room on the jevent event loop.",
        subcommands = {ServerCommand.class, ClientCommand.class})
public final class ChatroomMain implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Without a subcommand: print usage, exit 2. */
    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing subcommand: server or client");
    }

    /**
     * Runs the command line and exits with its code.
     *
     * @param args {@code server [--port N] ...} or {@code client}
     */
    public static void main(String[] args) {
        System.exit(new CommandLine(new ChatroomMain()).execute(args));
    }
}
