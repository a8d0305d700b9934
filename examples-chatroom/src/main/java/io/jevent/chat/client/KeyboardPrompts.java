package io.jevent.chat.client;

import java.util.concurrent.BlockingQueue;

import io.jevent.chat.client.Input.Prompt;
import io.jevent.chat.client.console.ClientConsole;

/**
 * The loop's side of the one-line-at-a-time exchange with the keyboard thread ({@link Input}).
 *
 * <h2>Threads</h2>
 * Every field belongs to the client's loop thread. The only channel to the keyboard thread is
 * {@code prompts}: the loop puts one {@link Prompt} there each time it wants a line, and never a
 * second before the first was answered ({@link #answered}); when the mode changes under a read in
 * progress it only updates the prompt on screen. So the keyboard thread is never asked two things at
 * once, and {@link Prompt#STOP} is only sent while it waits on {@code prompts}, not in a read.
 */
final class KeyboardPrompts {
    private final BlockingQueue<Prompt> prompts;
    private final ClientConsole console;
    /** The prompt the keyboard thread holds (taken or queued), or null when it has answered. */
    private Prompt outstanding;
    /** The mode {@link #outstanding} was asked for (a relabel does not change it). */
    private ClientMode outstandingFor;
    /**
     * A read that had a half-typed line when it was relabelled into the "log in again?" question:
     * its line was meant for something else, so it is not taken as the answer.
     */
    private Prompt typedBeforeQuestion;

    KeyboardPrompts(BlockingQueue<Prompt> prompts, ClientConsole console) {
        this.prompts = prompts;
        this.console = console;
    }

    /**
     * Asks the keyboard thread for a line in {@code mode}, shown as {@code prompt}; if it is reading
     * already, re-labels that read instead (the line being typed then answers the new label).
     */
    void ask(ClientMode mode, Prompt prompt) {
        if (outstanding == null) {
            outstanding = prompt;
            outstandingFor = mode;
            prompts.add(prompt);
            return;
        }
        if (mode == ClientMode.RELOGIN_ASK && outstandingFor != ClientMode.RELOGIN_ASK && console.hasPartialLine()) {
            typedBeforeQuestion = outstanding;
        }
        outstanding.relabel(prompt.text());   // first the label the keyboard thread will show or echo,
        console.setPrompt(prompt.text());     // then the redraw of a read already on screen
    }

    /**
     * The keyboard thread answered the outstanding prompt: the next {@link #ask} sends a new one.
     *
     * @return whether the answer was half-typed before the read was relabelled into a question, so
     *         it is not the question's answer
     */
    boolean answered() {
        boolean beforeQuestion = outstanding != null && outstanding == typedBeforeQuestion;
        outstanding = null;
        typedBeforeQuestion = null;
        return beforeQuestion;
    }

    /** Ends the keyboard thread. Only between prompts: it answered the last one and reads no more. */
    void stop() {
        prompts.add(Prompt.STOP);
    }
}
