package io.jevent.chat.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import io.jevent.testing.CapturedLog;
import java.util.logging.Level;

/**
 * Group commit, made deterministic: a request whose callback blocks on a latch holds the writer
 * thread (callbacks run on it), so everything submitted meanwhile is queued and the next drain
 * sees all of it at once.
 */
class GroupCommitTest {
    private static final int MAX_BATCH = 256;
    @TempDir
    Path dir;
    private ChatStore store;
    private User ann;
    private final CountDownLatch release = new CountDownLatch(1);

    @BeforeEach
    void open() throws StoreException {
        store = ChatStore.open(StoreConfig.defaults(dir.resolve("chat.db"))
                .withWriterQueueCapacity(1_000)
                .withMaxBatchSize(MAX_BATCH));
        ann = Async.<User>value(cb -> store.registerUser("ann", "h", cb));
    }

    @AfterEach
    void close() {
        release.countDown();
        store.close();
    }

    /** Blocks the writer in a callback until {@link #release} opens; returns once it is blocked. */
    private void holdWriter() throws InterruptedException {
        CountDownLatch held = new CountDownLatch(1);
        store.appendGroup(ann.id(), "hold", r -> {
            held.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertThat(held.await(30, TimeUnit.SECONDS)).isTrue();
    }

    /** Collects results in submission order; all callbacks run on the writer thread. */
    private static final class Collector<T> {
        final List<Result<T>> results = java.util.Collections.synchronizedList(new ArrayList<>());
        final CountDownLatch done;

        Collector(int n) {
            done = new CountDownLatch(n);
        }

        void add(Result<T> r) {
            results.add(r);
            done.countDown();
        }

        List<Result<T>> await() throws InterruptedException {
            assertThat(done.await(60, TimeUnit.SECONDS)).isTrue();
            return results;
        }
    }

    @Test
    void aBurstOfRequestsSharesFewCommits() throws Exception {
        holdWriter();
        StoreStats before = store.stats();
        int n = 1_000;
        Collector<StoredMessage> c = new Collector<>(n);
        for (int i = 0; i < n; i++) {
            store.appendGroup(ann.id(), "m" + i, c::add);
        }
        release.countDown();
        List<Result<StoredMessage>> results = c.await();
        StoreStats after = store.stats();

        assertThat(results).allMatch(Result::isOk);
        assertThat(results).extracting(r -> r.value().body()).as("completed in submission order")
                .isEqualTo(java.util.stream.IntStream.range(0, n).mapToObj(i -> "m" + i)
                        .collect(java.util.stream.Collectors.toList()));
        long batches = after.batches() - before.batches();
        assertThat(after.writeRequests() - before.writeRequests()).isEqualTo(n);
        assertThat(batches).as("1000 queued requests, at most 256 a batch").isEqualTo((n + MAX_BATCH - 1) / MAX_BATCH);
        assertThat(after.largestBatch()).isEqualTo(MAX_BATCH);
        assertThat(after.failedBatches()).isZero();
    }

    @Test
    void aBatchOfPrivateMessagesCostsOneStatementPerMessage() throws Exception {
        Async.<User>value(cb -> store.registerUser("bob", "h", cb));
        holdWriter();
        int n = 100;
        long before = store.writer().statementUses();
        Collector<StoredMessage> c = new Collector<>(n);
        for (int i = 0; i < n; i++) {
            store.appendPrivate(ann.id(), i % 2 == 0 ? "bob" : "BOB", "m" + i, c::add);
        }
        release.countDown();
        List<Result<StoredMessage>> results = c.await();

        assertThat(results).allSatisfy(r -> assertThat(r.value().recipientName()).isEqualTo("bob"));
        // The INSERT per message, plus BEGIN, COMMIT and the two name look-ups of the first one: no
        // savepoints while nothing fails, and no look-ups again for names already seen.
        assertThat(store.writer().statementUses() - before).isLessThanOrEqualTo(n + 4);
    }

    @Test
    void aFailingRequestDoesNotFailItsNeighbours() throws Exception {
        holdWriter();
        StoreStats before = store.stats();
        Collector<Object> c = new Collector<>(6);
        store.registerUser("dup", "h", r -> c.add(cast(r)));
        store.registerUser("DUP", "h", r -> c.add(cast(r)));              // conflict, same batch
        store.appendGroup(ann.id(), "", r -> c.add(cast(r)));             // violates CHECK: SQL error
        store.appendPrivate(ann.id(), "ghost", "x", r -> c.add(cast(r))); // unknown recipient
        store.appendGroup(ann.id(), "good", r -> c.add(cast(r)));
        store.registerUser("other", "h", r -> c.add(cast(r)));
        release.countDown();
        List<Result<Object>> results = c.await();

        assertThat(store.stats().batches() - before.batches()).as("one transaction").isEqualTo(1);
        assertThat(results.get(0).isOk()).isTrue();
        assertThat(results.get(1).error().kind()).isEqualTo(StoreException.Kind.CONFLICT);
        assertThat(results.get(2).error().kind()).isEqualTo(StoreException.Kind.DATABASE);
        assertThat(results.get(2).error().getMessage()).startsWith("database error").doesNotContain("\n");
        assertThat(results.get(3).error().kind()).isEqualTo(StoreException.Kind.NOT_FOUND);
        assertThat(results.get(4).isOk()).isTrue();
        assertThat(results.get(5).isOk()).isTrue();

        List<StoredMessage> history = Async.<List<StoredMessage>>value(cb -> store.history(ann.id(), 10, null, cb));
        assertThat(history).extracting(StoredMessage::body).containsExactly("hold", "good");
        assertThat(Async.<java.util.Optional<User>>value(cb -> store.findUser("other", cb))).isPresent();
    }

    @Test
    void aBrokenTransactionFailsTheWholeBatchAndTheWriterRecovers() throws Exception {
        try (CapturedLog log = CapturedLog.of(ChatStore.class)) {
            aBrokenTransactionFailsTheWholeBatchAndTheWriterRecovers(log);
        }
    }

    private void aBrokenTransactionFailsTheWholeBatchAndTheWriterRecovers(CapturedLog log) throws Exception {
        holdWriter();
        Collector<Object> c = new Collector<>(3);
        store.appendGroup(ann.id(), "lost 1", r -> c.add(cast(r)));
        // Simulates SQLite aborting the transaction on its own (as after SQLITE_FULL or an I/O error):
        // the savepoint can no longer be rolled back to, so the batch must not commit at all.
        store.writer().<Object>submit(ops -> {
            ops.rollback();
            throw new SQLException("disk I/O error");
        }, r -> c.add(r));
        store.appendGroup(ann.id(), "lost 2", r -> c.add(cast(r)));
        release.countDown();
        List<Result<Object>> results = c.await();

        assertThat(results).allSatisfy(r -> assertThat(r.error().kind()).isEqualTo(StoreException.Kind.DATABASE));
        // The reply names the real cause, not the failed undo ("no such savepoint") it led to.
        assertThat(results).allSatisfy(r -> assertThat(r.error().getMessage()).isEqualTo("database error: disk I/O error"));
        assertThat(store.stats().failedBatches()).isEqualTo(1);
        Async.<StoredMessage>value(cb -> store.appendGroup(ann.id(), "after", cb));
        List<StoredMessage> history = Async.<List<StoredMessage>>value(cb -> store.history(ann.id(), 10, null, cb));
        assertThat(history).extracting(StoredMessage::body).containsExactly("hold", "after");
        // Logged by the writer thread before it took the later writes.
        assertThat(log.records(Level.WARNING)).singleElement().satisfies(r -> {
            assertThat(r.getMessage()).isEqualTo("batch of 3 writes rolled back");
            assertThat(r.getThrown()).hasMessage("disk I/O error");
        });
    }

    @Test
    void aFullDiskFailsOnlyWhatHitItAndWritesSucceedOnceSpaceReturns() throws Exception {
        String big = "x".repeat(100_000);   // needs new pages: SQLITE_FULL while the disk is full
        StoreFaults.fillDisk(store);
        holdWriter();
        Collector<Object> c = new Collector<>(3);
        store.appendGroup(ann.id(), "small before", r -> c.add(cast(r)));
        store.appendGroup(ann.id(), big, r -> c.add(cast(r)));
        store.appendGroup(ann.id(), "small after", r -> c.add(cast(r)));
        release.countDown();
        List<Result<Object>> batch = c.await();
        assertThat(batch.get(1).error().kind()).isEqualTo(StoreException.Kind.DATABASE);
        assertThat(batch.get(1).error().getMessage()).contains("SQLITE_FULL");
        // Still full: a write that needs space fails alone, with the same cause, not with the wreck
        // of the last failure ("statement is not executing", "transaction within a transaction").
        assertThat(Async.<StoredMessage>error(cb -> store.appendGroup(ann.id(), big, cb)).getMessage())
                .contains("SQLITE_FULL");

        StoreFaults.freeDisk(store);
        StoredMessage after = Async.<StoredMessage>value(cb -> store.appendGroup(ann.id(), big, cb));
        assertThat(Async.<User>value(cb -> store.registerUser("bob", "h", cb)).name()).isEqualTo("bob");
        assertThat(Async.<StoredMessage>value(cb -> store.appendPrivate(ann.id(), "bob", "hi", cb)).id())
                .isGreaterThan(after.id());

        // Nothing of a failed request is stored; what was acknowledged is.
        List<StoredMessage> history = Async.<List<StoredMessage>>value(cb -> store.history(ann.id(), 10, null, cb));
        List<String> acknowledged = new ArrayList<>(List.of("hold"));
        for (int i = 0; i < 3; i += 2) {
            if (batch.get(i).isOk()) {
                acknowledged.add(((StoredMessage) batch.get(i).value()).body());
            }
        }
        acknowledged.add(big);
        acknowledged.add("hi");
        assertThat(history).extracting(StoredMessage::body).containsExactlyElementsOf(acknowledged);
    }

    @Test
    void aFullQueueFailsImmediatelyOnTheCallerInsteadOfBlocking() throws Exception {
        store.close();
        store = ChatStore.open(StoreConfig.defaults(dir.resolve("chat.db")).withWriterQueueCapacity(10));
        holdWriter();
        Collector<StoredMessage> accepted = new Collector<>(10);
        for (int i = 0; i < 10; i++) {
            store.appendGroup(ann.id(), "q" + i, accepted::add);
        }
        Thread caller = Thread.currentThread();
        List<Object> rejected = new ArrayList<>();
        store.appendGroup(ann.id(), "overflow", r -> rejected.add(Thread.currentThread() == caller ? r.error().kind() : "wrong thread"));
        assertThat(rejected).as("completed before appendGroup returned").containsExactly(StoreException.Kind.BUSY);
        assertThat(store.stats().rejected()).isEqualTo(1);
        release.countDown();
        assertThat(accepted.await()).allMatch(Result::isOk);
    }

    @SuppressWarnings("unchecked")
    private static Result<Object> cast(Result<?> r) {
        return (Result<Object>) r;
    }
}
