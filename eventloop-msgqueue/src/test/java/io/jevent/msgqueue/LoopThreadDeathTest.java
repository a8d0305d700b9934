package io.jevent.msgqueue;

import io.jevent.testing.CapturedLog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;

import static io.jevent.msgqueue.TestSupport.PATIENCE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A loop thread that dies is observable: its termination future completes exceptionally with what
 * killed it, so an application need not run on as a zombie without the loop; a clean stop completes
 * it normally. The dying thread logs what killed it; the tests capture that record and assert it.
 */
@Timeout(60)
class LoopThreadDeathTest {

    @Test
    void aLoopThreadKilledByAnErrorCompletesItsTerminationFutureExceptionallyWithIt() throws Exception {
        try (CapturedLog log = CapturedLog.of(EventLoopThread.class)) {
            aLoopThreadKilledByAnErrorCompletesItsTerminationFutureExceptionallyWithIt(log);
        }
    }

    private static void aLoopThreadKilledByAnErrorCompletesItsTerminationFutureExceptionallyWithIt(CapturedLog log)
            throws Exception {
        EventLoopThread loop = new EventLoopThread("dies");
        CompletableFuture<List<Runnable>> termination = loop.terminationFuture();   // taken before it dies
        loop.start();
        OutOfMemoryError killer = new OutOfMemoryError("simulated: cannot reserve direct memory");
        loop.execute(() -> {
            throw killer;
        });

        assertThatThrownBy(() -> termination.get(PATIENCE.toSeconds(), TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).cause().isSameAs(killer);
        assertThat(loop.isTerminated()).isTrue();
        assertThat(loop.base().isClosed()).as("the base is closed, as at a normal stop").isTrue();
        assertThat(loop.terminationFuture()).as("asked after the death too").isCompletedExceptionally();
        assertThat(loop.shutdown(Duration.ZERO, PATIENCE)).as("a later shutdown reports it").isCompletedExceptionally();
        assertThatThrownBy(() -> loop.execute(() -> { })).isInstanceOf(RejectedExecutionException.class);
        loop.close();   // returns: the death was already logged and reported
        assertThat(log.records(Level.WARNING)).as("logged once, by the dying thread").singleElement().satisfies(r -> {
            assertThat(r.getLevel()).isEqualTo(Level.SEVERE);
            assertThat(r.getMessage()).isEqualTo("loop thread dies dies");
            assertThat(r.getThrown()).isSameAs(killer);
        });
    }

    @Test
    void aCleanStopCompletesTheTerminationFutureNormally() throws Exception {
        EventLoopThread loop = new EventLoopThread("stops");
        loop.start();
        assertThat(loop.shutdown(Duration.ZERO, PATIENCE).get(PATIENCE.toSeconds(), TimeUnit.SECONDS)).as("nothing left unrun").isEmpty();
        assertThat(loop.terminationFuture().get(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isEmpty();
    }

    @Test
    void aGroupWithADeadLoopShutsTheOthersDownAndReportsTheDeath() throws Exception {
        try (CapturedLog log = CapturedLog.of(EventLoopThread.class)) {
            aGroupWithADeadLoopShutsTheOthersDownAndReportsTheDeath(log);
        }
    }

    private static void aGroupWithADeadLoopShutsTheOthersDownAndReportsTheDeath(CapturedLog log) throws Exception {
        EventLoopGroup group = new EventLoopGroup(2, "group-death");
        EventLoopThread doomed = group.loops().get(0);
        EventLoopThread survivor = group.loops().get(1);
        StackOverflowError killer = new StackOverflowError("simulated");
        doomed.execute(() -> {
            throw killer;
        });
        assertThatThrownBy(() -> doomed.terminationFuture().get(PATIENCE.toSeconds(), TimeUnit.SECONDS))
                .cause().isSameAs(killer);
        assertThat(survivor.isTerminated()).as("one death does not stop the others").isFalse();
        assertThat(survivor.submit(() -> "alive").get(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isEqualTo("alive");

        CompletableFuture<List<Runnable>> stopped = group.shutdownGracefully(Duration.ZERO, PATIENCE);
        assertThatThrownBy(() -> stopped.get(PATIENCE.toSeconds(), TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).cause().isSameAs(killer);
        assertThat(survivor.isTerminated()).as("reported only once every loop has ended").isTrue();
        group.close();
        assertThat(log.records(Level.WARNING)).as("only the dead loop logs").singleElement().satisfies(r -> {
            assertThat(r.getLevel()).isEqualTo(Level.SEVERE);
            assertThat(r.getMessage()).isEqualTo("loop thread group-death-0 dies");
            assertThat(r.getThrown()).isSameAs(killer);
        });
    }
}
