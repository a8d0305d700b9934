package io.jevent.core;

import java.nio.channels.spi.SelectorProvider;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * How an {@link EventBase} is set up; libevent's {@code event_config} plus
 * {@code event_base_priority_init}. Immutable; build one with {@link #builder()}.
 *
 * <p>Thread-safe: a config may be shared by any number of bases on any threads.
 */
public final class EventConfig {
    /** The most priorities a base may have, as in libevent ({@code EVENT_MAX_PRIORITIES}). */
    public static final int MAX_PRIORITIES = 256;

    private static final EventConfig DEFAULT = builder().build();

    private final int priorities;
    private final int maxCallbacksPerIteration;
    private final LongSupplier clock;
    private final CallbackExceptionHandler exceptionHandler;
    private final SelectorProvider selectorProvider;

    private EventConfig(Builder b) {
        this.priorities = b.priorities;
        this.maxCallbacksPerIteration = b.maxCallbacksPerIteration;
        this.clock = b.clock;
        this.exceptionHandler = b.exceptionHandler;
        this.selectorProvider = b.selectorProvider;
    }

    /**
     * The default: one priority, no callback limit, {@link System#nanoTime()}, errors logged.
     *
     * @return the shared default configuration
     */
    public static EventConfig defaults() {
        return DEFAULT;
    }

    /**
     * Starts a builder holding the defaults.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Number of priority levels; events get {@code priorities() / 2} unless set otherwise.
     *
     * @return at least 1
     */
    public int priorities() {
        return priorities;
    }

    /**
     * How many callbacks one iteration runs before the loop polls I/O again.
     *
     * @return at least 1; {@link Integer#MAX_VALUE} for no limit
     */
    public int maxCallbacksPerIteration() {
        return maxCallbacksPerIteration;
    }

    /**
     * The monotonic nanosecond clock that timers are measured on.
     *
     * @return the clock
     */
    public LongSupplier clock() {
        return clock;
    }

    /**
     * Where callback failures go.
     *
     * @return the handler
     */
    public CallbackExceptionHandler exceptionHandler() {
        return exceptionHandler;
    }

    /**
     * Where the base gets its selector, at creation and at {@link EventBase#rebuildSelector()}.
     *
     * @return the provider
     */
    public SelectorProvider selectorProvider() {
        return selectorProvider;
    }

    /** Collects settings for an {@link EventConfig}. Not thread-safe; use it from one thread. */
    public static final class Builder {
        private int priorities = 1;
        private int maxCallbacksPerIteration = Integer.MAX_VALUE;
        private LongSupplier clock = System::nanoTime;
        private CallbackExceptionHandler exceptionHandler = CallbackExceptionHandler.LOG;
        private SelectorProvider selectorProvider = SelectorProvider.provider();

        private Builder() {
        }

        /**
         * Sets the number of priorities: 0 is the most urgent, {@code n - 1} the least. Each loop
         * iteration runs only the most urgent non-empty priority's active callbacks, so lower ones
         * wait while higher ones keep firing (libevent's semantics).
         *
         * @param n the number of priority levels
         * @return this builder
         * @throws IllegalArgumentException unless {@code 1 <= n <= MAX_PRIORITIES}
         */
        public Builder priorities(int n) {
            if (n < 1 || n > MAX_PRIORITIES) {
                throw new IllegalArgumentException("priorities must be 1.." + MAX_PRIORITIES + ", got " + n);
            }
            this.priorities = n;
            return this;
        }

        /**
         * Caps the callbacks one iteration runs before polling I/O again (libevent's
         * {@code max_dispatch_callbacks}), so a flood of active events cannot starve the sockets.
         *
         * @param n most callbacks per iteration
         * @return this builder
         * @throws IllegalArgumentException if {@code n < 1}
         */
        public Builder maxCallbacksPerIteration(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("maxCallbacksPerIteration must be >= 1, got " + n);
            }
            this.maxCallbacksPerIteration = n;
            return this;
        }

        /**
         * Replaces the timer clock, for tests that drive time by hand. It must be monotonic and
         * thread-safe ({@link EventBase#loopExit} reads it from any thread). The poll still waits in
         * real time: a test with a fake clock runs the loop with {@link EventBase#LOOP_NONBLOCK}.
         *
         * @param nanoClock the clock, in nanoseconds with an arbitrary origin
         * @return this builder
         * @throws NullPointerException if {@code nanoClock} is null
         */
        public Builder clock(LongSupplier nanoClock) {
            this.clock = Objects.requireNonNull(nanoClock, "clock");
            return this;
        }

        /**
         * Sets where callback failures go; default {@link CallbackExceptionHandler#LOG}.
         *
         * @param handler called on the loop thread with each failure
         * @return this builder
         * @throws NullPointerException if {@code handler} is null
         */
        public Builder exceptionHandler(CallbackExceptionHandler handler) {
            this.exceptionHandler = Objects.requireNonNull(handler, "handler");
            return this;
        }

        /**
         * Sets where the base opens its {@link java.nio.channels.Selector}; default the JVM's
         * {@link SelectorProvider#provider()}. Its selectors must accept the channels the base will
         * watch, which in practice means selectors of the provider those channels come from (the JDK's
         * own): a provider that wraps the default one is how a test injects a failing selector. Netty
         * offers the same choice.
         *
         * @param provider the selector provider
         * @return this builder
         * @throws NullPointerException if {@code provider} is null
         */
        public Builder selectorProvider(SelectorProvider provider) {
            this.selectorProvider = Objects.requireNonNull(provider, "provider");
            return this;
        }

        /**
         * Builds the immutable config; the builder can go on being used.
         *
         * @return the config
         */
        public EventConfig build() {
            return new EventConfig(this);
        }
    }
}
