package io.jevent.chat.protocol;

import java.util.Objects;

/**
 * One valid, fully validated client command, as produced by {@link CommandParser}.
 *
 * <p>Which fields are set depends on the verb; the others are {@code null} (or 0 for
 * {@code count}):
 * <ul>
 *   <li>{@code REGISTER}, {@code LOGIN}: {@code name}, {@code password}</li>
 *   <li>{@code RESUME}: {@code name}, {@code password} holding the resume token (43 characters of
 *       base64url, see {@link Protocol#RESUME_TOKEN_CHARS})</li>
 *   <li>{@code MSG}: {@code name} (recipient), {@code text}</li>
 *   <li>{@code SAY}: {@code text}</li>
 *   <li>{@code HISTORY}: {@code count} (1–500, default 20), {@code name} (peer) or null</li>
 *   <li>{@code SEEN}: {@code messageId} (positive)</li>
 *   <li>{@code PASSWORD}: {@code password} (the current password, 1–128 UTF-8 bytes), {@code text}
 *       (the new password, 8–128 bytes)</li>
 *   <li>{@code HELP}, {@code WHO}, {@code LOGOUT}, {@code QUIT}, {@code PING}: none</li>
 * </ul>
 * Names match {@code [A-Za-z0-9_.-]{1,32}} exactly as typed (case is preserved; the store compares
 * names case-insensitively). Text never contains control characters and keeps its inner and
 * trailing spaces. Immutable: may be handed to any thread.
 *
 * @param verb     the command
 * @param name     user name argument, or null
 * @param password password argument (8–128 UTF-8 bytes, no spaces), or null
 * @param text     message text (non-empty), or null
 * @param count    HISTORY count, otherwise 0
 * @param messageId SEEN message id, otherwise 0
 */
public record Command(Verb verb, String name, String password, String text, int count, long messageId)
        implements ParseResult {

    /** Requires a verb; the parser guarantees the per-verb field rules above. */
    public Command {
        Objects.requireNonNull(verb, "verb");
    }

    /**
     * A command without a message id (every verb but SEEN).
     *
     * @param verb     the command
     * @param name     user name argument, or null
     * @param password password argument, or null
     * @param text     message text, or null
     * @param count    HISTORY count, otherwise 0
     */
    public Command(Verb verb, String name, String password, String text, int count) {
        this(verb, name, password, text, count, 0);
    }

    /** Never prints the password: commands end up in logs. */
    @Override
    public String toString() {
        return "Command[" + verb
                + (name != null ? " name=" + name : "")
                + (password != null ? " password=***" : "")
                + (text != null && verb != Verb.PASSWORD ? " text=" + text.length() + " chars" : "")
                + (verb == Verb.PASSWORD ? " new password=***" : "")
                + (verb == Verb.HISTORY ? " count=" + count : "")
                + (verb == Verb.SEEN ? " id=" + messageId : "")
                + "]";
    }
}
