package io.jevent.chat.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.jevent.chat.protocol.ProtocolError;
import io.jevent.chat.server.HashingPool.Priority;

/** The hashing pool serves LOGIN first and never gives every worker to REGISTER. */
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class HashingPoolTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private final CountDownLatch release = new CountDownLatch(1);
    private HashingPool pool;

    @AfterEach
    void stop() throws InterruptedException {
        release.countDown();
        pool.shutdownNow();
        assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    /** A task that says it started, then holds its worker until the test releases it. */
    private Runnable blocker(CountDownLatch started) {
        return () -> {
            started.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
    }

    @Test
    void aLoginQueuedBehindManyRegistrationsIsServedFirst() throws InterruptedException {
        pool = new HashingPool(1, 100, "test-hash-");
        CountDownLatch started = new CountDownLatch(1);
        pool.execute(Priority.BACKGROUND, blocker(started));
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        List<String> order = new CopyOnWriteArrayList<>();
        CountDownLatch done = new CountDownLatch(21);
        for (int i = 0; i < 20; i++) {
            String name = "register" + i;
            pool.execute(Priority.BACKGROUND, () -> {
                order.add(name);
                done.countDown();
            });
        }
        pool.execute(Priority.LOGIN, () -> {
            order.add("login");
            done.countDown();
        });
        release.countDown();
        assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(order).hasSize(21).first().isEqualTo("login");
        assertThat(order.subList(1, 21)).as("registrations keep their own order").isSortedAccordingTo(
                (a, b) -> Integer.compare(Integer.parseInt(a.substring(8)), Integer.parseInt(b.substring(8))));
    }

    @Test
    void oneWorkerStaysFreeForLoginWhileRegistrationsHoldTheOthers() throws InterruptedException {
        pool = new HashingPool(3, 100, "test-hash-");
        CountDownLatch started = new CountDownLatch(2);
        for (int i = 0; i < 5; i++) {
            pool.execute(Priority.BACKGROUND, blocker(started));
        }
        assertThat(started.await(10, TimeUnit.SECONDS)).as("two of three workers take background work").isTrue();
        await().atMost(WAIT).until(() -> pool.queued(Priority.BACKGROUND) == 3);
        CountDownLatch loggedIn = new CountDownLatch(3);
        for (int i = 0; i < 3; i++) {
            pool.execute(Priority.LOGIN, loggedIn::countDown);
        }
        assertThat(loggedIn.await(10, TimeUnit.SECONDS)).as("LOGINs run on the reserved worker").isTrue();
        assertThat(pool.queued(Priority.BACKGROUND)).as("and no third registration started").isEqualTo(3);
    }

    @Test
    void fullQueueAndShutdownRefuse() throws InterruptedException {
        pool = new HashingPool(1, 2, "test-hash-");
        CountDownLatch started = new CountDownLatch(1);
        pool.execute(Priority.BACKGROUND, blocker(started));
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        pool.execute(Priority.BACKGROUND, () -> { });
        pool.execute(Priority.BACKGROUND, () -> { });
        assertThatThrownBy(() -> pool.execute(Priority.BACKGROUND, () -> { }))
                .isInstanceOf(RejectedExecutionException.class);
        List<ProtocolError> refused = new CopyOnWriteArrayList<>();
        pool.execute(Priority.BACKGROUND, () -> { }, refused::add);   // a command waiting for it is told why
        assertThat(refused).containsExactly(ProtocolError.BUSY);
        pool.execute(Priority.LOGIN, () -> { });   // each queue has its own bound
        pool.shutdown();
        assertThatThrownBy(() -> pool.execute(Priority.LOGIN, () -> { })).isInstanceOf(RejectedExecutionException.class);
        pool.execute(Priority.LOGIN, () -> { }, refused::add);
        assertThat(refused).containsExactly(ProtocolError.BUSY, ProtocolError.SHUTTING_DOWN);
    }

    @Test
    void shutdownDropsWhatIsQueuedTellingWhoWaitsAndLetsTheRunningTaskFinish() throws InterruptedException {
        pool = new HashingPool(1, 10, "test-hash-");
        CountDownLatch started = new CountDownLatch(1);
        AtomicBoolean interrupted = new AtomicBoolean();
        CountDownLatch finished = new CountDownLatch(1);
        pool.execute(Priority.LOGIN, () -> {
            started.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                interrupted.set(true);
            }
            finished.countDown();
        });
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        List<String> ran = new CopyOnWriteArrayList<>();
        List<String> dropped = new CopyOnWriteArrayList<>();
        pool.execute(Priority.LOGIN, () -> ran.add("login"), why -> dropped.add("login: " + why.text()));
        pool.execute(Priority.BACKGROUND, () -> ran.add("register"), why -> dropped.add("register: " + why.text()));
        pool.execute(Priority.BACKGROUND, () -> ran.add("rehash"));   // nobody waits for this one

        pool.shutdown();
        assertThat(dropped).as("told before shutdown returns")
                .containsExactly("login: server shutting down", "register: server shutting down");
        assertThatThrownBy(() -> pool.execute(Priority.LOGIN, () -> { })).isInstanceOf(RejectedExecutionException.class);
        release.countDown();
        assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        assertThat(finished.getCount()).isZero();
        assertThat(interrupted).as("the running task was left to finish").isFalse();
        assertThat(ran).isEmpty();
    }
}
