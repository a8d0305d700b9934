package io.jevent.chat.client.console;

import java.io.IOException;

import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.reader.impl.LineReaderImpl;
import org.jline.terminal.Terminal;

/**
 * A console on a real (or virtual) terminal through JLine's {@link LineReader}: line editing, history,
 * no echo for passwords, and {@link LineReader#printAbove(String)} for output, which erases the prompt
 * and the half-typed line, prints, and redraws both — under JLine's own lock, so it is safe from any
 * thread while the keyboard thread is inside {@code readLine}.
 */
public final class JLineConsole implements ClientConsole {
    private final Terminal terminal;
    private final LineReaderImpl reader;

    /**
     * Wraps {@code terminal}, which this console then owns and closes.
     *
     * @param terminal a system terminal, or in tests one built over streams
     */
    public JLineConsole(Terminal terminal) {
        this.terminal = terminal;
        this.reader = (LineReaderImpl) LineReaderBuilder.builder()
                .terminal(terminal)
                .appName("chatroom")
                // No "!" history expansion or "\" escapes: people type chat text, not shell commands.
                .option(LineReader.Option.DISABLE_EVENT_EXPANSION, true)
                .variable(LineReader.HISTORY_SIZE, 500)
                .build();
    }

    @Override
    public String readLine(java.util.function.Supplier<String> prompt, boolean secret) throws IOException {
        try {
            String label = prompt.get();
            return secret ? reader.readLine(label, LineReaderImpl.NULL_MASK) : reader.readLine(label);
        } catch (EndOfFileException e) {
            return null;
        } catch (UserInterruptException e) {
            throw new Interrupted();
        } catch (java.io.IOError e) {
            throw new IOException("terminal input failed", e);
        }
    }

    @Override
    public void printAbove(String text) {
        reader.printAbove(text);
    }

    @Override
    public void setPrompt(String prompt) {
        reader.setPrompt(prompt);
        try {
            reader.callWidget(LineReader.REDRAW_LINE);
            reader.callWidget(LineReader.REDISPLAY);
        } catch (IllegalStateException notReading) {
            // No read in progress: the next readLine shows its own prompt anyway.
        }
    }

    @Override
    public boolean hasPartialLine() {
        // Read from another thread than the reader's: a stale answer only shifts which keystroke
        // counts as "before the question", it cannot corrupt the buffer.
        return reader.isReading() && reader.getBuffer().length() > 0;
    }

    @Override
    public void close() {
        try {
            terminal.close();
        } catch (IOException e) {
            // Nothing useful left to do with a terminal that cannot be restored.
        }
    }
}
