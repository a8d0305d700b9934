package io.jevent.examples.gettingstarted;

import java.net.InetSocketAddress;
import java.time.Duration;

import io.jevent.core.Event;
import io.jevent.core.EventBase;
import io.jevent.core.bufferevent.BufferEvent;
import io.jevent.core.listener.ConnectionListener;

/**
 * getting-started's "A TCP echo server in one loop". The region between the {@code tag}/{@code end}
 * comments is the document's code block, character for character (GettingStartedDocTest).
 */
public final class EchoServer {
    private EchoServer() {
    }

    // tag::echo[]
    // Call on the base's loop thread; every connection is served on that loop.
    public static ConnectionListener listen(EventBase base, InetSocketAddress address) {
        return ConnectionListener.bind(base, address, (listener, channel) -> {
            BufferEvent bev = BufferEvent.socket(base, channel);
            bev.setCallbacks(
                    b -> b.write(b.input()),                    // read: move the input to the output, no copy
                    null,                                       // write: nothing to do when drained
                    (b, what, cause) -> b.close());             // EOF, error or timeout: close
            bev.setTimeouts(Duration.ofMinutes(5), Duration.ofSeconds(30));
            bev.enable(Event.READ);
        });
    }

    public static void main(String[] args) {
        try (EventBase base = new EventBase()) {                // the base belongs to this thread
            listen(base, new InetSocketAddress("127.0.0.1", 7000));
            base.dispatch();                                    // runs until loopBreak() or loopExit()
        }
    }
    // end::echo[]
}
