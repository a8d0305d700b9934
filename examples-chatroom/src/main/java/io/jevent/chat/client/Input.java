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
     * A request for one line. Made on the loop thread and handed to the keyboard thread through a
     * queue (which publishes it); the loop may later {@link #relabel} it while the keyboard thread
     * reads, and the keyboard thread reads {@link #text()} whenever it shows the prompt, so a change
     * made at any moment is never overwritten by the older label.
     */
    static final class Prompt {
        /** Not a prompt: the keyboard thread ends. */
        static final Prompt STOP = new Prompt("", false);

        /** Written by the loop thread, read by the keyboard thread: volatile. */
        private volatile String text;
        private final boolean secret;

        Prompt(String text, boolean secret) {
            this.text = text;
            this.secret = secret;
        }

        /** The label to show now. Any thread. */
        String text() {
            return text;
        }

        /** Whether to read without echo. */
        boolean secret() {
            return secret;
        }

        /** Loop thread: the mode changed under this read; the line typed answers the new label. */
        void relabel(String newText) {
            this.text = newText;
        }
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
