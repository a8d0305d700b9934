package io.jevent.chat.protocol;

/**
 * The commands a client may send. Verbs are matched ASCII-case-insensitively by
 * {@link CommandParser}.
 */
public enum Verb {
    HELP(true),
    REGISTER(true),
    LOGIN(true),
    RESUME(true),
    WHO(false),
    MSG(false),
    SAY(false),
    HISTORY(false),
    SEEN(false),
    PASSWORD(false),
    LOGOUT(false),
    QUIT(true),
    PING(true);

    /** Cached because {@code values()} clones its array on every call and the parser runs per line. */
    static final Verb[] ALL = values();

    private final boolean allowedBeforeLogin;

    Verb(boolean allowedBeforeLogin) {
        this.allowedBeforeLogin = allowedBeforeLogin;
    }

    /**
     * Whether a connection that is not logged in may use this verb.
     *
     * @return true for HELP, REGISTER, LOGIN, RESUME, QUIT and PING
     */
    public boolean allowedBeforeLogin() {
        return allowedBeforeLogin;
    }
}
