package io.jevent.chat.client;

/**
 * What the terminal client is doing, from the person's side: which menu or question the next typed
 * line answers. Every mode but {@link #WAIT} and {@link #DONE} has a prompt. Owned by
 * {@link ClientSession}, on the client's loop thread.
 */
enum ClientMode {
    /** Logged out, at the menu. */
    MENU_OUT, REGISTER_NAME, REGISTER_PASSWORD, REGISTER_REPEAT, LOGIN_NAME, LOGIN_PASSWORD,
    /** Logged in, at the menu. */
    MENU_IN, PICK_PARTNER, PRIVATE, GROUP, HISTORY_COUNT,
    /** Logged in, changing the password: the current one, the new one, the new one again. */
    CHANGE_OLD, CHANGE_NEW, CHANGE_REPEAT,
    /** Reconnected after losing a logged-in connection. */
    RELOGIN_ASK, RELOGIN_PASSWORD,
    /** Trust on first use: asked whether to trust a server certificate not seen before. */
    TRUST_ASK,
    /** Was logged in, connection lost, reconnecting. */
    OFFLINE,
    /** A request is in flight whose reply decides the next mode: no prompt. */
    WAIT,
    /** Quitting: no more input. */
    DONE;

    /** Whether the person is asked for a line in this mode. */
    boolean hasPrompt() {
        return this != WAIT && this != DONE;
    }
}
