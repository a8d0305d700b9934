package io.jevent.chat.client;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Matches server lines to the requests waiting for them. The server answers requests in order, each
 * with data lines and exactly one final {@code OK}/{@code ERR}, and sends events only between answers;
 * so a FIFO of handlers is enough: data lines collect for the oldest request, its final line completes
 * it. Loop thread only.
 */
final class PendingReplies {
    private record Pending(String request, Consumer<Reply> handler, List<String> data) {
    }

    private final ArrayDeque<Pending> queue = new ArrayDeque<>();

    /** Registers the handler of a request just sent. */
    void expect(String request, Consumer<Reply> handler) {
        queue.addLast(new Pending(request, handler, new ArrayList<>()));
    }

    /** @return whether any request is waiting */
    boolean isEmpty() {
        return queue.isEmpty();
    }

    /**
     * Offers a line that is not an event.
     *
     * @return false if no request is waiting (the line is unexpected)
     */
    boolean offer(String line) {
        Pending head = queue.peekFirst();
        if (head == null) {
            return false;
        }
        Reply reply = Reply.parseFinal(head.data, line);
        if (reply == null) {
            head.data.add(line);
            return true;
        }
        queue.removeFirst();
        head.handler.accept(reply);
        return true;
    }

    /** The connection is gone: every waiting request gets {@link Reply#lost()}, oldest first. */
    void failAll() {
        while (!queue.isEmpty()) {
            queue.removeFirst().handler.accept(Reply.lost());
        }
    }
}
