package io.jevent.chat.store;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** Turns the store's callback API into blocking calls for tests (generous timeout, no sleeps). */
final class Async {
    private Async() {
    }

    static <T> Result<T> result(Consumer<Consumer<Result<T>>> call) {
        CompletableFuture<Result<T>> future = new CompletableFuture<>();
        call.accept(future::complete);
        try {
            return future.get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("store request did not complete", e);
        }
    }

    static <T> T value(Consumer<Consumer<Result<T>>> call) {
        return result(call).value();
    }

    static <T> StoreException error(Consumer<Consumer<Result<T>>> call) {
        Result<T> r = result(call);
        if (r.isOk()) {
            throw new AssertionError("expected failure, got " + r);
        }
        return r.error();
    }
}
