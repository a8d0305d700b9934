package io.jevent.chat.store;

/**
 * A committed message.
 *
 * @param id            message id; ids increase in commit order
 * @param tsMs          time the writer stored it, epoch milliseconds (ids, not times, define order)
 * @param senderId      sender's user id
 * @param senderName    sender's registered name
 * @param recipientId   recipient's user id, or 0 for a group message
 * @param recipientName recipient's registered name, or null for a group message
 * @param body          the text, exactly as sent
 */
public record StoredMessage(long id, long tsMs, long senderId, String senderName,
                            long recipientId, String recipientName, String body) {
    /**
     * Whether this is a group ({@code SAY}) message.
     *
     * @return true if it has no recipient
     */
    public boolean isGroup() {
        return recipientName == null;
    }
}
