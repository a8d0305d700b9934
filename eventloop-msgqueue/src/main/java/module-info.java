/**
 * Hand work to an {@link io.jevent.core.EventBase} from other threads.
 *
 * <p>{@link io.jevent.msgqueue.MsgQueue} is the modern form of libevent's socketpair message queue:
 * a lock-free multi-producer queue whose consumer runs on the loop thread, with a wake-up that costs at
 * most one signal per sleep of the loop. {@link io.jevent.msgqueue.EventLoopThread} and
 * {@link io.jevent.msgqueue.EventLoopGroup} build executors on top of it.
 */
module io.jevent.msgqueue {
    requires transitive io.jevent.core;
    // JCTools 4.0.7 ships a real module-info naming itself org.jctools.core.
    requires org.jctools.core;

    exports io.jevent.msgqueue;
}
