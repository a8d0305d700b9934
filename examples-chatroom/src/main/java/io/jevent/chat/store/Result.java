package io.jevent.chat.store;

import java.util.Objects;

/**
 * The outcome of an asynchronous {@link ChatStore} request: a value, or the
 * {@link StoreException} that says why nothing was done. Immutable; safe to pass between threads
 * (e.g. through a message queue to the loop).
 *
 * @param <T> value type
 */
public final class Result<T> {
    private final T value;
    private final StoreException error;

    private Result(T value, StoreException error) {
        this.value = value;
        this.error = error;
    }

    /**
     * A successful result.
     *
     * @param value the value, may be null for {@code Result<Void>}
     * @param <T>   value type
     * @return the result
     */
    public static <T> Result<T> ok(T value) {
        return new Result<>(value, null);
    }

    /**
     * A failed result.
     *
     * @param error why, not null
     * @param <T>   value type
     * @return the result
     */
    public static <T> Result<T> failed(StoreException error) {
        return new Result<>(null, Objects.requireNonNull(error, "error"));
    }

    /**
     * Whether the request succeeded.
     *
     * @return true on success
     */
    public boolean isOk() {
        return error == null;
    }

    /**
     * The value of a successful result.
     *
     * @return the value
     * @throws IllegalStateException if the request failed (the error is the cause)
     */
    public T value() {
        if (error != null) {
            throw new IllegalStateException("request failed: " + error.getMessage(), error);
        }
        return value;
    }

    /**
     * The error of a failed result.
     *
     * @return the error, or null on success
     */
    public StoreException error() {
        return error;
    }

    @Override
    public String toString() {
        return error == null ? "Ok[" + value + "]" : "Failed[" + error.kind() + ": " + error.getMessage() + "]";
    }
}
