package io.jevent.msgqueue;

import io.jevent.core.Event;
import io.jevent.core.EventBase;

/**
 * {@link WakeupStrategy#SELECTOR}: the drain event is a channel-less persistent event that the queue
 * activates itself; ringing is {@link EventBase#wakeup()}, which is safe from any thread and cheap when
 * the selector is already woken.
 */
final class SelectorWakeup implements WakeupStrategy {

    @Override
    public Doorbell install(EventBase base, Runnable drain) {
        Event event = base.newEvent(null, Event.PERSIST, (ev, what) -> drain.run());
        // Added with no timeout: it stays pending, so the loop lives as long as the queue is open.
        event.add();
        return new Doorbell() {
            private boolean closed; // loop thread only

            @Override
            public Event event() {
                return event;
            }

            @Override
            public void ring() {
                base.wakeup();
            }

            @Override
            public void close() {
                if (!closed) {
                    closed = true;
                    event.del();
                    event.free();
                }
            }
        };
    }

    @Override
    public String toString() {
        return "SELECTOR";
    }
}
