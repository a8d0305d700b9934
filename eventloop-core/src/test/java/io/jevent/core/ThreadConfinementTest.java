package io.jevent.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** A base is confined to its loop thread and says so loudly. */
class ThreadConfinementTest {

    private static Throwable failureOnOtherThread(Runnable call) throws Exception {
        CompletableFuture<Throwable> result = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                call.run();
                result.complete(null);
            } catch (Throwable e) {
                result.complete(e);
            }
        }, "intruder");
        t.start();
        t.join(10_000);
        return result.get(10, TimeUnit.SECONDS);
    }

    @Test
    @DisplayName("base and event methods called from another thread throw, naming both threads and the msgqueue")
    void wrongThreadThrows() throws Exception {
        try (EventBase base = new EventBase()) {
            Event ev = base.newTimer((e, w) -> { });
            String owner = Thread.currentThread().getName();
            Consumer<Throwable> loud = t -> assertThat(t)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining(owner)
                    .hasMessageContaining("intruder")
                    .hasMessageContaining("msgqueue");

            loud.accept(failureOnOtherThread(() -> base.newTimer((e, w) -> { })));
            loud.accept(failureOnOtherThread(ev::add));
            loud.accept(failureOnOtherThread(() -> ev.add(Duration.ofSeconds(1))));
            loud.accept(failureOnOtherThread(ev::del));
            loud.accept(failureOnOtherThread(() -> ev.activate(Event.TIMEOUT)));
            loud.accept(failureOnOtherThread(base::now));
            loud.accept(failureOnOtherThread(base::close));

            assertThat(ev.isPending(Event.TIMEOUT)).as("nothing was changed by the intruder").isFalse();
            assertThat(base.isClosed()).isFalse();
        }
    }

    @Test
    @DisplayName("loopBreak, loopExit, wakeup and inLoopThread are safe from any thread")
    void crossThreadControlIsAllowed() throws Exception {
        try (EventBase base = new EventBase()) {
            assertThat(failureOnOtherThread(base::loopBreak)).isNull();
            assertThat(failureOnOtherThread(() -> base.loopExit(Duration.ofHours(1)))).isNull();
            assertThat(failureOnOtherThread(base::wakeup)).isNull();
            assertThat(failureOnOtherThread(() -> assertThat(base.inLoopThread()).isFalse())).isNull();
            assertThat(base.inLoopThread()).isTrue();
            assertThat(base.dispatch()).isZero();
            assertThat(base.gotBreak()).isTrue();
        }
    }

    @Test
    @DisplayName("the thread that runs loop() becomes the owner; the creator is then refused")
    void ownershipMovesToLoopThread() throws Exception {
        EventBase base = new EventBase();
        CompletableFuture<Void> done = new CompletableFuture<>();
        Thread loopThread = new Thread(() -> {
            try {
                base.newTimer((e, w) -> { }).add(Duration.ZERO);
                base.dispatch();
                done.complete(null);
            } catch (Throwable t) {
                done.completeExceptionally(t);
            }
        }, "loop-owner");
        // Before the loop runs the creator owns it: the new thread's newTimer must fail.
        loopThread.start();
        loopThread.join(10_000);
        assertThat(done).isCompletedExceptionally();

        CompletableFuture<Void> looped = new CompletableFuture<>();
        Thread second = new Thread(() -> {
            try {
                base.dispatch();             // a base that is not looping may be looped by anyone
                base.newTimer((e, w) -> { });
                looped.complete(null);
            } catch (Throwable t) {
                looped.completeExceptionally(t);
            }
        }, "new-owner");
        second.start();
        looped.get(10, TimeUnit.SECONDS);
        assertThat(base.inLoopThread()).isFalse();
        assertThat(failureOnOtherThread(base::now)).hasMessageContaining("new-owner");
    }
}
