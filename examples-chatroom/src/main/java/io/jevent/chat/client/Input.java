package io.jevent.chat.client;

/**
 * What passes between the keyboard thread and the loop, in both directions.
 *
 * <p>The loop asks for each line with a {@link Prompt}; the keyboard thread answers with one
 * {@link Typed}. Reading only when asked keeps the prompt in step with the menus, makes a piped script
 * deterministic (line n+1 is read only once line n has been dealt with), and lets the loop stop the
 * keyboard thread cleanly ({@link Prompt#STOP}) at a moment it is known not to be reading.
 */
final class Input {
    private Input() {
    }

    /**
     * A request for one line.
     *
     * @param text   the prompt
     * @param secret read without echo
     */
    record Prompt(String text, boolean secret) {
        /** Not a prompt: the keyboard thread ends. */
        static final Prompt STOP = new Prompt("", false);
    }

    /**
     * One answer from the keyboard.
     *
     * @param line the line, or {@code null} for end of input or an interrupt
     * @param kind what happened
     */
    record Typed(String line, Kind kind) {
        enum Kind { LINE, END_OF_INPUT, INTERRUPT }

        static final Typed END = new Typed(null, Kind.END_OF_INPUT);
        static final Typed INTERRUPTED = new Typed(null, Kind.INTERRUPT);

        static Typed line(String line) {
            return new Typed(line, Kind.LINE);
        }
    }
}
