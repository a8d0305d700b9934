package io.jevent.chat.client.console;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * The fallback when input is not a terminal (a pipe, a script, a test): reads UTF-8 lines from a
 * stream and writes whole lines to another.
 *
 * <p>Nothing echoes what a pipe sends, so after each read this console writes the prompt and the line
 * it read (a password as nothing), and the output reads as a transcript of the session:
 * <pre>
 * menu&gt; 2
 * Name: alice
 * Password:
 * Welcome, alice!
 * </pre>
 * A line printed while a read waits appears as its own line; there is no half-typed input to redraw.
 *
 * <h2>Threads</h2>
 * {@link #readLine} on the keyboard thread; output from any thread under one lock, one whole block
 * per {@code println}, so lines never interleave. The prompt is asked for when the line has been read,
 * so a relabel by the client's loop while the keyboard thread waited shows in the transcript.
 */
public final class PlainConsole implements ClientConsole {
    private final BufferedReader in;
    private final PrintStream out;

    /**
     * Creates a console over the streams (not closed by {@link #close()}: they belong to the caller).
     *
     * @param in  the lines to read, UTF-8
     * @param out where output goes, UTF-8
     */
    public PlainConsole(InputStream in, OutputStream out) {
        this.in = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        this.out = new PrintStream(out, true, StandardCharsets.UTF_8);
    }

    /** {@inheritDoc} Never throws {@link Interrupted}: a pipe has no Ctrl-C. */
    @Override
    public String readLine(java.util.function.Supplier<String> prompt, boolean secret) throws IOException {
        String line = in.readLine();
        if (line != null) {
            // Asked now, not before the read: the loop may have relabelled the prompt while we waited,
            // and the line answers the new one.
            String shown = prompt.get() + (secret ? "" : line);
            synchronized (out) {
                out.println(shown.stripTrailing());
            }
        }
        return line;
    }

    @Override
    public void printAbove(String text) {
        synchronized (out) {
            out.println(text);
        }
    }

    /** Nothing to redraw on a pipe: the echo after the read shows the current prompt anyway. */
    @Override
    public void setPrompt(String prompt) {
        // intentionally empty
    }

    @Override
    public void close() {
        out.flush();
    }
}
