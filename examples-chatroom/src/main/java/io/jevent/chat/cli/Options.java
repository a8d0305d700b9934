package io.jevent.chat.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/** What the commands share to check option values and to put failures in words. */
final class Options {
    private Options() {
    }

    /**
     * Fails as a usage error (exit 2, one line and the help hint) unless {@code ok}.
     *
     * @throws ParameterException with {@code message} when {@code ok} is false
     */
    static void require(CommandSpec spec, boolean ok, String message) {
        if (!ok) {
            throw new ParameterException(spec.commandLine(), message);
        }
    }

    /** A failure in words: its message, or its kind when it has none (never "null"). */
    static String describe(Throwable t) {
        String message = t.getMessage();
        return message == null || message.isBlank() ? t.getClass().getSimpleName() : message;
    }
}
