package io.jevent.core;

import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.Arrays;

/**
 * One channel's registration with a base's selector, shared by every event that watches the channel
 * (say one READ and one WRITE event). It merges their interests into one set of interest ops and
 * touches the key only when that set changes, so steady-state re-adds cost no syscall.
 *
 * <p>Owned by the loop thread; it is the selection key's attachment.
 */
final class ChannelRegistration {
    private static final Event[] NONE = new Event[0];

    final SelectableChannel channel;
    private SelectionKey key;
    private Event[] events = NONE;
    private int count;
    private int interestOps;

    ChannelRegistration(SelectableChannel channel) {
        this.channel = channel;
    }

    /** Finds the registration of {@code ch} with {@code selector}, registering it on first use. */
    static ChannelRegistration of(SelectableChannel ch, Selector selector, EventBase base) {
        SelectionKey k = ch.keyFor(selector);
        if (k != null && k.isValid()) {
            return (ChannelRegistration) k.attachment();
        }
        if (k != null) {
            // A key we cancelled is dropped by the selector's next poll; until then register() throws.
            base.flushCancelledKeys();
        }
        ChannelRegistration reg = new ChannelRegistration(ch);
        reg.register(selector);
        return reg;
    }

    private void register(Selector selector) {
        try {
            if (channel.isBlocking()) {
                channel.configureBlocking(false);
            }
            key = channel.register(selector, 0, this);
        } catch (ClosedChannelException e) {
            throw new IllegalStateException("channel is closed: " + channel, e);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot make channel non-blocking: " + channel, e);
        }
    }

    /**
     * Registers the channel with {@code selector}, keeping the interest ops and this attachment: the
     * move of {@link EventBase#rebuildSelector()}. The old key is left to the old selector's close.
     * A channel closed meanwhile keeps no key, so its events fail on their next add like any closed
     * channel's.
     */
    void moveTo(Selector selector) {
        if (key == null) {
            return;                     // no event watches the channel: nothing to carry over
        }
        try {
            key = channel.register(selector, interestOps, this);
        } catch (ClosedChannelException e) {
            key = null;
        }
    }

    void attach(Event ev) {
        if (count == events.length) {
            events = Arrays.copyOf(events, Math.max(2, count * 2));
        }
        events[count++] = ev;
    }

    /** Removes {@code ev}; cancels the key when no event is left, as the channel needs no slot. */
    void detach(Event ev) {
        for (int i = 0; i < count; i++) {
            if (events[i] == ev) {
                events[i] = events[--count];
                events[count] = null;
                break;
            }
        }
        if (count == 0 && key != null) {
            key.cancel();
            key = null;
            interestOps = 0;
        }
    }

    /** Recomputes the interest ops from the events that are added; writes the key only on change. */
    void update() {
        int want = 0;
        for (int i = 0; i < count; i++) {
            Event ev = events[i];
            if (ev.isInserted()) {
                want |= ev.events;
            }
        }
        int ops = toOps(want);
        if (ops == interestOps) {
            return;
        }
        if (key == null || !key.isValid()) {
            if (!channel.isOpen()) {
                throw new IllegalStateException("channel is closed: " + channel);
            }
            throw new IllegalStateException("channel's registration was cancelled: " + channel);
        }
        try {
            key.interestOps(ops);
        } catch (CancelledKeyException e) {
            throw new IllegalStateException("channel is closed: " + channel, e);
        }
        interestOps = ops;
    }

    /** Maps READ/WRITE onto what this channel supports: accept for servers, connect while pending. */
    private int toOps(int what) {
        int valid = channel.validOps();
        int ops = 0;
        if ((what & Event.READ) != 0) {
            ops |= valid & (SelectionKey.OP_READ | SelectionKey.OP_ACCEPT);
        }
        if ((what & Event.WRITE) != 0) {
            boolean connecting = channel instanceof SocketChannel sc && sc.isConnectionPending();
            ops |= connecting ? SelectionKey.OP_CONNECT : (valid & SelectionKey.OP_WRITE);
        }
        return ops;
    }

    /** Activates the added events that match the ready ops; called from the selector's action. */
    void ready(SelectionKey k, EventBase base) {
        int ready;
        try {
            ready = k.readyOps();
        } catch (CancelledKeyException e) {
            return;
        }
        int what = 0;
        if ((ready & (SelectionKey.OP_READ | SelectionKey.OP_ACCEPT)) != 0) {
            what |= Event.READ;
        }
        if ((ready & (SelectionKey.OP_WRITE | SelectionKey.OP_CONNECT)) != 0) {
            what |= Event.WRITE;
        }
        for (int i = 0; i < count; i++) {
            Event ev = events[i];
            int fired = what & ev.events;
            if (fired != 0 && ev.isInserted()) {
                base.activateInternal(ev, fired);
            }
        }
    }
}
