/**
 * docs/getting-started.md's examples, as a user's module would hold them: it requires only
 * io.jevent.msgqueue, which brings io.jevent.core with it. Transitively, because the exported
 * examples take and return jevent's types (EventBase, EventLoopThread, ConnectionListener).
 */
module io.jevent.examples.gettingstarted {
    requires transitive io.jevent.msgqueue;
    // JulLevels tunes jevent's loggers through java.util.logging, the default System.Logger backend.
    requires java.logging;

    exports io.jevent.examples.gettingstarted;
}
