package io.jevent.chat.store;

/**
 * Why a {@link ChatStore} request failed. Whatever the kind, the request changed nothing in the
 * database.
 */
public final class StoreException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Failure categories; suggested protocol replies in brackets. */
    public enum Kind {
        /** A unique rule was violated, e.g. the name is taken (ERR 409). */
        CONFLICT,
        /** A named user does not exist (ERR 404). */
        NOT_FOUND,
        /** The request queue is full; retry later (ERR 503). */
        BUSY,
        /** The store is closed or closing (ERR 503). */
        CLOSED,
        /** SQLite failed: I/O error, full disk, constraint the caller should not have hit (ERR 500). */
        DATABASE
    }

    private final Kind kind;

    /**
     * Creates an exception.
     *
     * @param kind    the category
     * @param message one line, suitable for a client ({@code ERR <code> <message>})
     * @param cause   underlying exception, or null
     */
    public StoreException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    /**
     * Creates an exception without a cause.
     *
     * @param kind    the category
     * @param message one line, suitable for a client
     */
    public StoreException(Kind kind, String message) {
        this(kind, message, null);
    }

    /**
     * The failure category.
     *
     * @return kind, never null
     */
    public Kind kind() {
        return kind;
    }
}
