package io.jevent.chat.server;

import java.util.Locale;

/**
 * A logged-in user as the directory knows it: who, and which loop and connection own them.
 * Immutable, so the same instance travels from loop 0 (the authority) to every loop's replica.
 *
 * @param key       the name folded to lower case: the directory key (names are case-insensitive)
 * @param name      the name as registered, for display
 * @param userId    the store's user id
 * @param loop      index of the loop that owns the connection
 * @param sessionId the connection's server-wide id: a later login of the same user is another
 *                  session, so a stale release cannot remove it
 */
record OnlineUser(String key, String name, long userId, int loop, long sessionId) {

    /** @param name a user name, any case @return its directory key */
    static String keyOf(String name) {
        return name.toLowerCase(Locale.ROOT);
    }
}
