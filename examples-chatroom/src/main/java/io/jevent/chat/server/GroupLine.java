package io.jevent.chat.server;

import java.util.concurrent.atomic.AtomicReference;

import io.jevent.chat.protocol.Events;
import io.jevent.chat.store.StoredMessage;
import io.jevent.core.buffer.SharedBytes;

/**
 * A committed group message on its way to every loop: one object per message, posted once to each
 * loop, whose GROUP line is encoded by the first loop that delivers it and shared by all the others.
 *
 * <p>Threading: made on the store's writer thread and handed to each loop through its task queue
 * (the happens-before edge for {@link #message}). The line is published through an
 * {@link AtomicReference}: two loops may race to encode it, the first to publish wins and the other
 * uses the winner's bytes, so every recipient on every loop shares one encoding.
 */
final class GroupLine {
    final StoredMessage message;
    private final AtomicReference<SharedLines.Line> line = new AtomicReference<>();

    GroupLine(StoredMessage message) {
        this.message = message;
    }

    /** Any loop thread: the GROUP line, encoded with {@code lines} (the caller's loop's) if no loop has yet. */
    SharedBytes line(SharedLines lines) {
        return encoded(lines).bytes();
    }

    /** Any loop thread: as {@link #line}, with where the bytes lie (see {@link SharedLines#join}). */
    SharedLines.Line encoded(SharedLines lines) {
        SharedLines.Line encoded = line.get();
        if (encoded == null) {
            encoded = lines.encodeLine(text());
            if (!line.compareAndSet(null, encoded)) {
                encoded = line.get();
            }
        }
        return encoded;
    }

    /** The GROUP line as text. */
    private String text() {
        return Events.group(message.senderName(), message.id(), message.tsMs(), message.body());
    }
}
