package io.jevent.chat.cli;

import java.util.concurrent.Callable;

import picocli.CommandLine.Command;

/** Placeholder for the terminal client (a later issue): says so and exits 2. */
@Command(name = "client", description = "Terminal chat client (not yet available; use nc 127.0.0.1 7777).")
final class ClientCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.err.println("chatroom client: not yet available; until then talk to the server with: nc 127.0.0.1 7777");
        return 2;
    }
}
