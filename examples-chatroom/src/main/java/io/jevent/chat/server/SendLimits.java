package io.jevent.chat.server;

import io.jevent.chat.protocol.Protocol;

/**
 * Per-user flood control for SAY and MSG: two token buckets, one counting messages and one counting
 * bytes of message text, both of which a message must pass; a message that does not is refused with
 * {@code ERR 429 slow down} and neither stored nor sent. The buckets belong to the user, not to the
 * connection, so logging in again does not refill them.
 *
 * <p>Why: without it one client sending as fast as its link allows makes every reader that is slower
 * than that a slow consumer (they are disconnected) while the sender itself is never slowed down.
 * The defaults are far above what a person types or pastes.
 *
 * @param messagesPerSecond sustained messages per second; 0 (with every other field 0) turns the
 *                          limit off
 * @param messageBurst      messages that may be sent at once after a quiet spell
 * @param bytesPerSecond    sustained bytes of message text (UTF-8) per second
 * @param byteBurst         bytes of text that may be sent at once; at least one longest line
 *                          ({@value Protocol#MAX_LINE_BYTES} bytes), so any valid message can pass
 */
public record SendLimits(double messagesPerSecond, int messageBurst, long bytesPerSecond, long byteBurst) {
    /** 20 messages a second with bursts of 50; 64 KiB of text a second with bursts of 128 KiB. */
    public static final SendLimits DEFAULTS = new SendLimits(20, 50, 64 * 1024, 128 * 1024);
    /** No limit at all. */
    public static final SendLimits OFF = new SendLimits(0, 0, 0, 0);

    /**
     * Checks that the limits are either all off or all usable.
     *
     * @throws IllegalArgumentException otherwise
     */
    public SendLimits {
        boolean off = messagesPerSecond == 0 && messageBurst == 0 && bytesPerSecond == 0 && byteBurst == 0;
        if (!off) {
            if (!(messagesPerSecond > 0) || Double.isInfinite(messagesPerSecond) || messageBurst < 1
                    || bytesPerSecond < 1) {
                throw new IllegalArgumentException("send limits must be positive (or all 0 for no limit)");
            }
            if (byteBurst < Protocol.MAX_LINE_BYTES) {
                throw new IllegalArgumentException("the byte burst must be at least " + Protocol.MAX_LINE_BYTES
                        + " bytes (one longest line), not " + byteBurst);
            }
        }
    }

    /** @return whether messages are limited at all */
    public boolean enabled() {
        return messagesPerSecond > 0;
    }
}
