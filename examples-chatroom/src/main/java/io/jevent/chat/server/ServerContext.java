package io.jevent.chat.server;

import java.util.List;
import java.util.function.LongSupplier;

import io.jevent.chat.auth.AuthLimits;
import io.jevent.chat.auth.PasswordHasher;
import io.jevent.chat.auth.ResumeTokens;
import io.jevent.chat.protocol.Verb;
import io.jevent.chat.store.ChatStore;

/**
 * What every loop and session of one server shares. The fields are set once before any connection
 * is accepted and never change; each is itself safe to use from any thread (the store and the
 * hashing pool are thread-safe, the hasher is stateless), except {@code loops}, whose elements are loop
 * confined (talk to another loop only through {@link ChatLoop#post}).
 */
final class ServerContext {
    final ServerConfig config;
    final ChatStore store;
    final PasswordHasher hasher;
    /**
     * Password hashing: slow on purpose, so never on a loop. LOGIN checks go first and keep a
     * worker of their own; bounded queues, a full one means ERR 503.
     */
    final HashingPool workers;
    /** Monotonic time for the rate limits ({@code System::nanoTime}; a manual clock in tests). */
    final LongSupplier nanoClock;
    /** Resume token lifetime and count per user. */
    final AuthLimits authLimits;
    /** Makes the resume tokens LOGIN returns; thread-safe. */
    final ResumeTokens resumeTokens;
    /** Per-user flood control of SAY and MSG; thread-safe. */
    final SendLimiter sendLimiter;
    /** Set once by {@link ChatServer} right after the loops are made, before any accept. */
    List<ChatLoop> loops;
    /** Lives on loop 0; set with {@link #loops}. */
    Coordinator coordinator;
    /**
     * Test hook, null in production: a request with this verb kills its loop thread with an
     * {@link OutOfMemoryError}, as running out of direct memory did, so a process test can
     * check that the server then exits non-zero instead of living on as a zombie. Set by the system
     * property {@value #KILL_LOOP_PROPERTY} (a verb name such as {@code HELP}).
     */
    final Verb killLoopOn = killLoopVerb();

    static final String KILL_LOOP_PROPERTY = "jevent.chat.test.killLoopOn";

    private static Verb killLoopVerb() {
        String verb = System.getProperty(KILL_LOOP_PROPERTY);
        return verb == null ? null : Verb.valueOf(verb.toUpperCase(java.util.Locale.ROOT));
    }

    ServerContext(ServerConfig config, ChatStore store, PasswordHasher hasher, HashingPool workers,
                  AuthLimits authLimits, ResumeTokens resumeTokens, LongSupplier nanoClock) {
        this.authLimits = authLimits;
        this.resumeTokens = resumeTokens;
        this.config = config;
        this.store = store;
        this.hasher = hasher;
        this.workers = workers;
        this.nanoClock = nanoClock;
        this.sendLimiter = new SendLimiter(config.sendLimits(), nanoClock);
    }
}
