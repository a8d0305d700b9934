/**
 * jevent's reactor: {@link io.jevent.core.EventBase}, {@link io.jevent.core.Event} and buffered I/O.
 *
 * <p>No runtime dependency beyond the JDK. {@code jdk.unsupported} supplies {@code sun.misc.Signal},
 * which is how signal events are delivered; it ships with every JDK.
 */
// "module": javac warns that io.jevent.msgqueue, named in the qualified export below, is not among the
// modules it compiles against; it never is, since msgqueue depends on core and not the other way round.
@SuppressWarnings("module")
module io.jevent.core {
    requires jdk.unsupported;

    exports io.jevent.core;
    exports io.jevent.core.buffer;
    exports io.jevent.core.bufferevent;
    exports io.jevent.core.listener;
    // The loop-observer seam the message queue is built on: internal, not API (see LoopObserver).
    exports io.jevent.core.spi to io.jevent.msgqueue;
}
