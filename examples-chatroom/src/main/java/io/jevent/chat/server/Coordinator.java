package io.jevent.chat.server;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.jevent.chat.auth.AuthLimits;
import io.jevent.chat.auth.LoginRateLimiter;
import io.jevent.chat.auth.RegisterRateLimiter;

/**
 * The authority on who is online, and the LOGIN and REGISTER rate limiters: one of each for the
 * whole server, all confined to loop 0 and reached from other loops through {@link #post}.
 *
 * <p>Why one place: which login of a name is the current one must be decided once, atomically,
 * whichever loops two logins of the same name arrive on (the later one takes over); and an attempt
 * limit split over N loops would allow N times the guesses (or registrations). Everything here is a
 * map lookup, so loop 0 is never a bottleneck.
 *
 * <p>Replicas: on every change the coordinator posts a JOIN, PART or move to every loop (itself included)
 * in the order it decided them. Each loop's queue is FIFO per producer, so every replica applies the
 * changes in the same order. Ordering argument used by the delivery code: the JOIN for a login is
 * posted before the login's reply is posted to its loop, and therefore before that session asks
 * the store for its pending messages; a message committed after that request has its result
 * delivered to the sender's loop after the JOIN reached it, so the sender's loop routes it live.
 */
final class Coordinator {
    /** BYE reason of a session whose user logged in on another connection. */
    static final String TAKEN_OVER = "logged in elsewhere";
    /** BYE reason of a session logged in with credentials that a password change revoked. */
    static final String PASSWORD_CHANGED = "password changed";

    private final ChatLoop home;
    private final List<ChatLoop> loops;
    // Loop 0 only.
    private final LoginRateLimiter limiter;
    private final RegisterRateLimiter registrations;
    private final Map<String, Holder> directory = new HashMap<>();

    /**
     * The current login of a name, and the stored password hash its credentials were checked
     * against (for a RESUME, the one read with the token): what a password change compares.
     */
    private record Holder(OnlineUser user, String verifiedPasswordHash) {
    }

    Coordinator(ChatLoop home, List<ChatLoop> loops, AuthLimits limits) {
        this.home = home;
        this.loops = loops;
        this.limiter = new LoginRateLimiter(limits.loginPerAddressAndName(), limits.loginPerAddress(), System::nanoTime);
        this.registrations = new RegisterRateLimiter(limits.registerPerAddress(), limits.registerOverall(),
                System::nanoTime);
    }

    /** Runs {@code task} on loop 0. Any thread. */
    void post(Runnable task) {
        home.post(task);
    }

    /** Loop 0: counts a login attempt; false means ERR 429. */
    boolean tryAcquire(String name, String address) {
        return limiter.tryAcquire(name, address);
    }

    /** Loop 0: counts a REGISTER; anything but ALLOWED means ERR 429. */
    RegisterRateLimiter.Decision tryRegister(String address) {
        return registrations.tryAcquire(address);
    }

    /** Loop 0: the password was right; the attempt does not count. */
    void loginSucceeded(String name, String address) {
        limiter.onSuccess(name, address);
    }

    /**
     * Loop 0: marks {@code user} online. If the name is online on another connection already (perhaps
     * one whose network died silently), the new login takes over: the old session's loop is told to
     * close it ({@code BYE logged in elsewhere}) and every replica points at the new session, without
     * PART or JOIN since the user never went offline. Otherwise every loop is told JOIN.
     *
     * <p>Either way the replica updates are posted before the caller posts the login's next step, so
     * the ordering argument in the class comment holds for a takeover too: a message committed
     * before the new session asks for its pending messages is among them (unless the old session
     * delivered it), and one committed after is routed to the new session.
     *
     * @param verifiedPasswordHash the stored hash the login's credentials were checked against
     */
    void claim(OnlineUser user, String verifiedPasswordHash) {
        Holder held = directory.put(user.key(), new Holder(user, verifiedPasswordHash));
        OnlineUser previous = held == null ? null : held.user();
        if (previous == null) {
            for (ChatLoop loop : loops) {
                loop.post(() -> loop.joined(user));
            }
            return;
        }
        ChatLoop old = loops.get(previous.loop());
        old.post(() -> old.kick(previous, TAKEN_OVER));
        for (ChatLoop loop : loops) {
            loop.post(() -> loop.moved(user));
        }
    }

    /**
     * Loop 0: marks {@code user} offline, if the directory still holds this very session (a stale
     * release after a newer login of the same name — a takeover — does nothing); broadcasts PART.
     */
    void release(OnlineUser user) {
        Holder held = directory.get(user.key());
        if (held != null && held.user().equals(user)) {
            directory.remove(user.key());
            for (ChatLoop loop : loops) {
                loop.post(() -> loop.parted(user));
            }
        }
    }

    /**
     * Loop 0: a password change by session {@code changerSessionId} of the user {@code key} has
     * committed, revoking every token. If the name is now held by another session whose
     * credentials were checked against an older hash (a LOGIN with the old password, or a RESUME
     * with a revoked token, that took the changer's session over while the change was hashing),
     * that session is closed with {@code BYE password changed}: no login made with revoked
     * credentials outlives the change. A login checked against the new hash (the new password, or
     * the token the change issued) stays.
     *
     * <p>Why this misses none: a login's claim reaches loop 0 before it asks the writer to confirm
     * its credentials ({@code ChatStore#confirmResume}, {@code issueResumeToken}). If that check ran
     * before the change's commit, the claim was made before this call, which is posted after the
     * commit, so the directory shows it here (or a later login that took it over); if the check ran
     * after, it failed and the login never completes.
     */
    void passwordChanged(String key, long changerSessionId, String newPasswordHash) {
        Holder held = directory.get(key);
        if (held == null || held.user().sessionId() == changerSessionId
                || held.verifiedPasswordHash().equals(newPasswordHash)) {
            return;
        }
        OnlineUser stale = held.user();
        ChatLoop owner = loops.get(stale.loop());
        owner.post(() -> owner.kick(stale, PASSWORD_CHANGED));
    }
}
