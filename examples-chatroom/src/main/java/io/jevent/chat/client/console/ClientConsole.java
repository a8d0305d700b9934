package io.jevent.chat.client.console;

import java.io.IOException;

/**
 * The person's side of the client: where lines are read and where everything is shown.
 *
 * <h2>Threads</h2>
 * Exactly one thread, the <em>keyboard thread</em>, calls {@link #readLine}; any thread may call
 * {@link #printAbove} and {@link #setPrompt} at any time, also while a read is in progress. That is
 * the whole point of this interface: a message arriving while the person is half-way through a line
 * is printed above the prompt, and the half-typed line is redrawn below it, unchanged.
 * Implementations serialise output themselves, so lines from different threads never interleave.
 */
public interface ClientConsole extends AutoCloseable {
    /**
     * Shows {@code prompt} and reads one line. Keyboard thread only; blocks.
     *
     * @param prompt the prompt shown before the input, asked for each time it is shown: the loop may
     *               change it while the read waits
     * @param secret true to read without echo (passwords)
     * @return the line without its terminator, or {@code null} at end of input (Ctrl-D, end of a pipe)
     * @throws Interrupted  if the person pressed Ctrl-C
     * @throws IOException  if the input cannot be read
     */
    String readLine(java.util.function.Supplier<String> prompt, boolean secret) throws IOException;

    /**
     * Prints {@code text} (one or more lines, no terminator needed) above the prompt, keeping any
     * half-typed input intact. Any thread.
     *
     * @param text what to show
     */
    void printAbove(String text);

    /**
     * Changes the prompt of the read in progress (if any) and redraws it; the person's input stays.
     * Any thread. Consoles that cannot redraw ignore it.
     *
     * @param prompt the new prompt
     */
    void setPrompt(String prompt);

    /**
     * Whether the person has typed part of a line in the read in progress, not yet ended with Enter.
     * Any thread; a snapshot (the next key may change it). The client asks before turning a read in
     * progress into a yes/no question, so that a half-typed chat line is never taken as the answer.
     * Consoles that get whole lines (a pipe) return false.
     *
     * @return true if a read is in progress and its line is not empty
     */
    default boolean hasPartialLine() {
        return false;
    }

    /** Releases the terminal. Keyboard thread, after the last read. */
    @Override
    void close();

    /** Thrown by {@link #readLine} when the person interrupts the read (Ctrl-C). */
    final class Interrupted extends IOException {
        private static final long serialVersionUID = 1L;

        /** Creates the exception. */
        public Interrupted() {
            super("interrupted by the user");
        }
    }
}
