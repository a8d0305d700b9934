package io.jevent.chat.server;

import io.jevent.chat.protocol.ProtocolError;
import io.jevent.chat.protocol.Replies;
import io.jevent.chat.store.StoreException;

/**
 * Turns a failed store request into its reply line. Whatever the failure, the store did nothing, so
 * the reply can say so: 503 for a full queue or a closing store (retry later), 500 with SQLite's text
 * for a database failure. CONFLICT and NOT_FOUND mean something different per command, so callers map
 * them first.
 */
final class StoreReplies {
    private StoreReplies() {
    }

    /** @param error why the request failed @return the {@code ERR} line */
    static String of(StoreException error) {
        return switch (error.kind()) {
            case BUSY -> ProtocolError.BUSY.line();
            case CLOSED -> ProtocolError.SHUTTING_DOWN.line();
            case NOT_FOUND -> ProtocolError.NO_SUCH_USER.line();
            default -> {
                String text = error.getMessage() == null || error.getMessage().isBlank()
                        ? "database error" : error.getMessage();
                yield Replies.err(ProtocolError.INTERNAL, text);
            }
        };
    }
}
