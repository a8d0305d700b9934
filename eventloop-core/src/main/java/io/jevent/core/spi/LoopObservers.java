package io.jevent.core.spi;

import io.jevent.core.EventBase;

import java.util.Objects;

/**
 * Installs and removes {@link LoopObserver}s on an {@link EventBase}.
 *
 * <p><b>Not supported API</b>, like the whole package: exported only to {@code io.jevent.msgqueue};
 * reachable on the class path, but it may change in any release.
 */
public final class LoopObservers {

    /**
     * How this class reaches the observer list of a base, which {@link EventBase} keeps private. The
     * base hands its implementation over once, from its static initialiser: a base must exist before
     * anyone can ask to observe it, so the bridge is always set by the time {@link #add} runs.
     */
    public interface Bridge {
        /**
         * Adds {@code observer} to {@code base}; see {@link LoopObservers#add}.
         *
         * @param base     the base to observe
         * @param observer the hook
         */
        void add(EventBase base, LoopObserver observer);

        /**
         * Removes {@code observer} from {@code base}; see {@link LoopObservers#remove}.
         *
         * @param base     the observed base
         * @param observer the hook
         */
        void remove(EventBase base, LoopObserver observer);
    }

    private static volatile Bridge bridge;

    private LoopObservers() {
    }

    /**
     * Called once by {@link EventBase}'s static initialiser; not for anyone else.
     *
     * @param b the base's implementation
     * @throws IllegalStateException if a bridge is already set
     */
    public static synchronized void setBridge(Bridge b) {
        if (bridge != null) {
            throw new IllegalStateException("the LoopObservers bridge is set once, by EventBase");
        }
        bridge = Objects.requireNonNull(b, "b");
    }

    /**
     * Adds a hook around each poll of {@code base}, after those already added. Observers are called in
     * the order they were added.
     *
     * <p>The base's thread only (its creator before the loop runs, then the loop thread).
     *
     * @param base     the base to observe
     * @param observer the hook
     * @throws IllegalStateException off the base's thread, or after the base was closed
     * @throws NullPointerException  if an argument is null
     */
    public static void add(EventBase base, LoopObserver observer) {
        bridge.add(Objects.requireNonNull(base, "base"), observer);
    }

    /**
     * Removes a hook; does nothing if it is not there.
     *
     * <p>The base's thread only.
     *
     * @param base     the observed base
     * @param observer the hook
     * @throws IllegalStateException off the base's thread
     * @throws NullPointerException  if {@code base} is null
     */
    public static void remove(EventBase base, LoopObserver observer) {
        bridge.remove(Objects.requireNonNull(base, "base"), observer);
    }
}
