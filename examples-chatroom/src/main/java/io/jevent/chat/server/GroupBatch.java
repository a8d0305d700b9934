package io.jevent.chat.server;

import java.util.ArrayList;
import java.util.List;

import io.jevent.core.buffer.SharedBytes;

/**
 * The group messages a loop takes in one go, in id order, as the shared spans each recipient's output
 * gets: lines encoded back to back in one slab are joined, so a recipient is handed one span for the
 * whole batch (one buffer segment, one iovec of its write) instead of one per message. A recipient who
 * sent some of the lines gets the others: the spans between its own lines.
 *
 * <p>Threading: made and used on one loop thread; the lines may have been encoded by another loop
 * (see {@link GroupLine}), whose slab bytes never change once written.
 */
final class GroupBatch {
    private final SharedLines.Line[] lines;
    private final long[] senders;
    /** What a recipient who sent none of the lines gets. */
    private final SharedBytes[] all;

    private GroupBatch(SharedLines.Line[] lines, long[] senders) {
        this.lines = lines;
        this.senders = senders;
        this.all = spans(-1);
    }

    /** Loop thread: the batch of {@code group} (in id order), encoding with {@code encoder} any line no loop has yet. */
    static GroupBatch of(List<GroupLine> group, SharedLines encoder) {
        SharedLines.Line[] lines = new SharedLines.Line[group.size()];
        long[] senders = new long[lines.length];
        for (int i = 0; i < lines.length; i++) {
            GroupLine g = group.get(i);
            lines[i] = g.encoded(encoder);
            senders[i] = g.message.senderId();
        }
        return new GroupBatch(lines, senders);
    }

    /**
     * The spans, in order, for the user {@code userId}: every line but those the user sent. An array,
     * shared by the recipients who sent none of the lines: callers only read it.
     */
    SharedBytes[] forRecipient(long userId) {
        for (long sender : senders) {
            if (sender == userId) {
                return spans(userId);
            }
        }
        return all;
    }

    /** The lines not sent by {@code except}, neighbours in memory joined. */
    private SharedBytes[] spans(long except) {
        List<SharedBytes> out = new ArrayList<>(1);
        SharedLines.Line first = null;
        SharedLines.Line last = null;
        for (int i = 0; i < lines.length; i++) {
            SharedLines.Line line = lines[i];
            if (senders[i] == except) {
                if (first != null) {
                    out.add(SharedLines.join(first, last));
                    first = null;
                }
            } else if (first == null) {
                first = line;
                last = line;
            } else if (last.isFollowedBy(line)) {
                last = line;
            } else {
                out.add(SharedLines.join(first, last));
                first = line;
                last = line;
            }
        }
        if (first != null) {
            out.add(SharedLines.join(first, last));
        }
        return out.toArray(new SharedBytes[0]);
    }
}
