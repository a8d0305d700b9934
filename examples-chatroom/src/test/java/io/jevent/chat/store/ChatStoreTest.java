package io.jevent.chat.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import io.jevent.testing.CapturedLog;
import java.util.logging.Level;

class ChatStoreTest {
    @TempDir
    Path dir;
    private final AtomicLong clock = new AtomicLong(1_700_000_000_000L);
    private ChatStore store;

    private StoreConfig config() {
        return StoreConfig.defaults(dir.resolve("chat.db"))
                .withDurability(StoreConfig.Durability.SURVIVES_PROCESS_CRASH)
                .withClock(clock::incrementAndGet);
    }

    private ChatStore open() throws StoreException {
        store = ChatStore.open(config());
        return store;
    }

    @AfterEach
    void closeStore() {
        if (store != null) {
            store.close();
        }
    }

    private User register(String name) {
        return Async.<User>value(cb -> store.registerUser(name, "hash-of-" + name, cb));
    }

    private long say(User from, String text) {
        return Async.<StoredMessage>value(cb -> store.appendGroup(from.id(), text, cb)).id();
    }

    private long msg(User from, String to, String text) {
        return Async.<StoredMessage>value(cb -> store.appendPrivate(from.id(), to, text, cb)).id();
    }

    private List<String> history(User who, int n, String with) {
        List<StoredMessage> messages = Async.<List<StoredMessage>>value(cb -> store.history(who.id(), n, with, cb));
        return messages.stream().map(m -> m.senderName() + ">" + (m.isGroup() ? "*" : m.recipientName()) + ":" + m.body())
                .collect(java.util.stream.Collectors.toList());
    }

    @Test
    void migratesAnEmptyFileToTheCurrentSchemaWithWal() throws Exception {
        open().close();
        store = null;
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("chat.db"))) {
            assertThat(Schema.userVersion(c)).isEqualTo(Schema.VERSION);
            assertThat(Connections.queryString(c, "PRAGMA journal_mode")).isEqualTo("wal");
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name LIKE 'messages_%'");
                 ResultSet rs = ps.executeQuery()) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(3);
            }
        }
    }

    @Test
    void theWriterCachesEveryUsersHotPagesAndCheckpointsRarely() throws Exception {
        open();
        // What a batch of private messages costs the writer depends on both (docs/operations.md).
        List<Long> settings = Async.value(cb -> store.writer().submit(ops -> List.of(
                Long.parseLong(Connections.queryString(ops.connection(), "PRAGMA cache_size")),
                Long.parseLong(Connections.queryString(ops.connection(), "PRAGMA wal_autocheckpoint")),
                Long.parseLong(Connections.queryString(ops.connection(), "PRAGMA journal_size_limit"))), cb));
        assertThat(settings).containsExactly(-65536L, 16384L, 64L << 20);
    }

    @Test
    void refusesADatabaseFromANewerVersion() throws Exception {
        open().close();
        store = null;
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("chat.db"));
             PreparedStatement ps = c.prepareStatement("PRAGMA user_version = 99")) {
            ps.execute();
        }
        StoreException e = org.assertj.core.api.Assertions.catchThrowableOfType(StoreException.class,
                () -> ChatStore.open(config()));
        assertThat(e.kind()).isEqualTo(StoreException.Kind.DATABASE);
        assertThat(e.getMessage()).contains("newer");
    }

    @Test
    void reopenKeepsUsersAndMessages() throws Exception {
        open();
        User ann = register("Ann");
        long id = say(ann, "persisted");
        store.close();
        open();
        Optional<User> found = Async.<Optional<User>>value(cb -> store.findUser("ann", cb));
        assertThat(found).get().extracting(User::id, User::name, User::passwordHash)
                .containsExactly(ann.id(), "Ann", "hash-of-Ann");
        List<StoredMessage> h = Async.<List<StoredMessage>>value(cb -> store.history(ann.id(), 10, null, cb));
        assertThat(h).extracting(StoredMessage::id, StoredMessage::body).containsExactly(
                org.assertj.core.groups.Tuple.tuple(id, "persisted"));
    }

    @Test
    void namesAreUniqueCaseInsensitivelyAndKeepTheirCase() throws Exception {
        open();
        User bob = register("Bob");
        StoreException e = Async.<User>error(cb -> store.registerUser("bOB", "h", cb));
        assertThat(e.kind()).isEqualTo(StoreException.Kind.CONFLICT);
        assertThat(e.getMessage()).isEqualTo("name taken");
        Optional<User> found = Async.<Optional<User>>value(cb -> store.findUser("BOB", cb));
        assertThat(found).get().extracting(User::id, User::name).containsExactly(bob.id(), "Bob");
        assertThat(Async.<Optional<User>>value(cb -> store.findUser("nobody", cb))).isEmpty();
        assertThat(register("Bobby").id()).isNotEqualTo(bob.id());
    }

    @Test
    void historyShowsGroupAndOwnPrivateMessagesOnly() throws Exception {
        open();
        User ann = register("ann");
        User bob = register("bob");
        User eve = register("eve");
        say(ann, "g1");
        msg(ann, "bob", "ann to bob");
        msg(bob, "ANN", "bob to ann");
        msg(bob, "eve", "bob to eve");
        msg(eve, "eve", "note to self");
        say(eve, "g2");

        assertThat(history(ann, 20, null)).containsExactly(
                "ann>*:g1", "ann>bob:ann to bob", "bob>ann:bob to ann", "eve>*:g2");
        assertThat(history(eve, 20, null)).containsExactly(
                "ann>*:g1", "bob>eve:bob to eve", "eve>eve:note to self", "eve>*:g2");
        assertThat(history(bob, 2, null)).as("last n, oldest first").containsExactly(
                "bob>eve:bob to eve", "eve>*:g2");
        assertThat(history(ann, 20, "BOB")).as("conversation only, name any case").containsExactly(
                "ann>bob:ann to bob", "bob>ann:bob to ann");
        assertThat(history(eve, 20, "ann")).as("eve cannot read ann and bob's conversation").isEmpty();
        assertThat(history(ann, 1, "bob")).containsExactly("bob>ann:bob to ann");
        StoreException e = Async.<List<StoredMessage>>error(cb -> store.history(ann.id(), 20, "ghost", cb));
        assertThat(e.kind()).isEqualTo(StoreException.Kind.NOT_FOUND);
    }

    @Test
    void historyRowsCarryIdsTimesAndNames() throws Exception {
        open();
        User ann = register("ann");
        StoredMessage sent = Async.<StoredMessage>value(cb -> store.appendPrivate(ann.id(), "ANN", "hello", cb));
        assertThat(sent.recipientName()).isEqualTo("ann");
        assertThat(sent.senderName()).isEqualTo("ann");
        List<StoredMessage> h = Async.<List<StoredMessage>>value(cb -> store.history(ann.id(), 5, null, cb));
        assertThat(h).containsExactly(sent);
    }

    @Test
    void privateMessageToUnknownUserFails() throws Exception {
        open();
        User ann = register("ann");
        StoreException e = Async.<StoredMessage>error(cb -> store.appendPrivate(ann.id(), "ghost", "hi", cb));
        assertThat(e.kind()).isEqualTo(StoreException.Kind.NOT_FOUND);
        assertThat(history(ann, 10, null)).isEmpty();
    }

    @Test
    void offlineQueueIsDeliveredUntilMarked() throws Exception {
        open();
        User ann = register("ann");
        User bob = register("bob");
        long m1 = msg(ann, "bob", "one");
        say(ann, "group messages are not queued");
        long m2 = msg(ann, "bob", "two");
        msg(bob, "ann", "not for bob's queue");

        List<StoredMessage> pending = Async.<List<StoredMessage>>value(cb -> store.pendingMessages(bob.id(), cb));
        assertThat(pending).extracting(StoredMessage::id).containsExactly(m1, m2);
        assertThat(pending.get(0).senderName()).isEqualTo("ann");

        // Marking someone else's message or an unknown id changes nothing.
        assertThat(Async.<Integer>value(cb -> store.markDelivered(ann.id(), new long[] {m1}, cb))).isZero();
        assertThat(Async.<Integer>value(cb -> store.markDelivered(bob.id(), new long[] {m1, 9999}, cb))).isEqualTo(1);
        assertThat(Async.<List<StoredMessage>>value(cb -> store.pendingMessages(bob.id(), cb)))
                .extracting(StoredMessage::id).containsExactly(m2);

        store.close();
        open();
        assertThat(Async.<List<StoredMessage>>value(cb -> store.pendingMessages(bob.id(), cb)))
                .as("undelivered survives restart").extracting(StoredMessage::id).containsExactly(m2);
        assertThat(Async.<Integer>value(cb -> store.markDelivered(bob.id(), new long[] {m2}, cb))).isEqualTo(1);
        assertThat(Async.<List<StoredMessage>>value(cb -> store.pendingMessages(bob.id(), cb))).isEmpty();
        assertThat(history(bob, 10, "ann")).as("delivery does not remove history").hasSize(3);
    }

    @Test
    void passwordHashCanBeReplaced() throws Exception {
        open();
        User ann = register("ann");
        Async.<Void>value(cb -> store.updatePasswordHash(ann.id(), ann.passwordHash(), "new-hash", cb));
        Optional<User> found = Async.<Optional<User>>value(cb -> store.findUser("ann", cb));
        assertThat(found.get().passwordHash()).isEqualTo("new-hash");
        assertThat(Async.<Void>error(cb -> store.updatePasswordHash(12345, "h", "h2", cb)).kind()).isEqualTo(StoreException.Kind.NOT_FOUND);
    }

    @Test
    void aLoginCompletesOnlyWhileThePasswordItCheckedStands() throws Exception {
        open();
        User ann = register("ann");
        byte[] first = token(1);
        Async.<Void>value(cb -> store.issueResumeToken(ann.id(), ann.passwordHash(), first, Duration.ofMinutes(1), 5, cb));
        assertThat(Async.<Optional<User>>value(cb -> store.findByResumeToken("ann", first, cb))).isPresent();

        Async.<Void>value(cb -> store.changePassword(ann.id(), "changed-hash", token(2), Duration.ofMinutes(1), cb));
        assertThat(Async.<Void>error(cb -> store.issueResumeToken(ann.id(), ann.passwordHash(), token(3),
                Duration.ofMinutes(1), 5, cb)).kind()).as("a LOGIN checked against the old hash").isEqualTo(StoreException.Kind.NOT_FOUND);
        assertThat(Async.<Optional<User>>value(cb -> store.findByResumeToken("ann", token(3), cb)))
                .as("its token was not stored").isEmpty();
        Async.<Void>value(cb -> store.issueResumeToken(ann.id(), "changed-hash", token(4), Duration.ofMinutes(1), 5, cb));
    }

    @Test
    void aResumeIsConfirmedWhileItsTokenIsLiveWhateverReHashHappensMeanwhile() throws Exception {
        open();
        User ann = register("ann");
        String hash = ann.passwordHash();
        Async.<Void>value(cb -> store.issueResumeToken(ann.id(), hash, token(1), Duration.ofMinutes(1), 5, cb));
        Async.<Void>value(cb -> store.issueResumeToken(ann.id(), hash, token(2), Duration.ofMinutes(1), 5, cb));
        Async.<Void>value(cb -> store.confirmResume(ann.id(), token(1), cb));

        Async.<Void>value(cb -> store.revokeResumeToken(ann.id(), token(1), cb));
        assertThat(Async.<Void>error(cb -> store.confirmResume(ann.id(), token(1), cb)).kind())
                .as("revoked by LOGOUT").isEqualTo(StoreException.Kind.NOT_FOUND);
        Async.<Void>value(cb -> store.updatePasswordHash(ann.id(), hash, "rehashed", cb));
        Async.<Void>value(cb -> store.confirmResume(ann.id(), token(2), cb));   // the same password, re-hashed
        Async.<Void>value(cb -> store.changePassword(ann.id(), "changed-hash", token(3), Duration.ofMinutes(1), cb));
        assertThat(Async.<Void>error(cb -> store.confirmResume(ann.id(), token(2), cb)).kind())
                .as("revoked by the password change").isEqualTo(StoreException.Kind.NOT_FOUND);
        Async.<Void>value(cb -> store.confirmResume(ann.id(), token(3), cb));
    }

    /** A distinct 32-byte token hash. */
    private static byte[] token(int n) {
        byte[] hash = new byte[32];
        hash[0] = (byte) n;
        return hash;
    }

    @Test
    void aRehashNeverOverwritesAPasswordChangedSinceTheLoginReadIt() throws Exception {
        open();
        User ann = register("ann");
        Async.<Void>value(cb -> store.changePassword(ann.id(), "changed-hash", new byte[32], Duration.ofMinutes(1), cb));
        assertThat(Async.<Void>error(cb -> store.updatePasswordHash(ann.id(), ann.passwordHash(), "old-password-rehashed", cb))
                .kind()).isEqualTo(StoreException.Kind.NOT_FOUND);
        assertThat(Async.<Optional<User>>value(cb -> store.findUser("ann", cb)).get().passwordHash())
                .isEqualTo("changed-hash");
    }

    @Test
    void afterCloseEveryRequestFailsClearlyOnTheCallingThread() throws Exception {
        open();
        User ann = register("ann");
        store.close();
        store.close();   // idempotent
        Thread caller = Thread.currentThread();
        Thread[] ranOn = new Thread[1];
        Result<StoredMessage> r = Async.<StoredMessage>result(cb -> store.appendGroup(ann.id(), "late", res -> {
            ranOn[0] = Thread.currentThread();
            cb.accept(res);
        }));
        assertThat(r.error().kind()).isEqualTo(StoreException.Kind.CLOSED);
        assertThat(ranOn[0]).isSameAs(caller);
        assertThat(Async.<Optional<User>>error(cb -> store.findUser("ann", cb)).kind()).isEqualTo(StoreException.Kind.CLOSED);
        assertThat(Async.<List<StoredMessage>>error(cb -> store.history(ann.id(), 5, null, cb)).kind()).isEqualTo(StoreException.Kind.CLOSED);
        store = null;
    }

    @Test
    void closeFinishesAcceptedWritesAndTruncatesTheWal() throws Exception {
        open();
        User ann = register("ann");
        int n = 200;
        java.util.concurrent.ConcurrentLinkedQueue<Result<StoredMessage>> results =
                new java.util.concurrent.ConcurrentLinkedQueue<>();
        for (int i = 0; i < n; i++) {
            store.appendGroup(ann.id(), "m" + i, results::add);
        }
        store.close();
        store = null;
        assertThat(results).hasSize(n).allMatch(Result::isOk);
        assertThat(dir.resolve("chat.db-wal")).satisfiesAnyOf(
                p -> assertThat(p).doesNotExist(), p -> assertThat(p).isEmptyFile());
        open();
        assertThat(history(ann, 500, null)).hasSize(n);
    }

    @Test
    void callbacksRunOnStoreThreadsAndAThrowingCallbackDoesNotKillTheWriter() throws Exception {
        try (CapturedLog log = CapturedLog.of(ChatStore.class)) {
            callbacksRunOnStoreThreadsAndAThrowingCallbackDoesNotKillTheWriter(log);
        }
    }

    private void callbacksRunOnStoreThreadsAndAThrowingCallbackDoesNotKillTheWriter(CapturedLog log) throws Exception {
        open();
        User ann = register("ann");
        store.appendGroup(ann.id(), "first", r -> {
            throw new IllegalStateException("callback bug");
        });
        String[] thread = new String[2];
        Async.<StoredMessage>value(cb -> store.appendGroup(ann.id(), "second", r -> {
                    thread[0] = Thread.currentThread().getName();
                    cb.accept(r);
                }));
        Async.<Optional<User>>value(cb -> store.findUser("ann", r -> {
                    thread[1] = Thread.currentThread().getName();
                    cb.accept(r);
                }));
        assertThat(thread[0]).isEqualTo("chatstore-writer");
        // The writer logged the first callback's failure before it ran the second one.
        assertThat(log.records(Level.WARNING)).singleElement().satisfies(r -> {
            assertThat(r.getMessage()).isEqualTo("store callback threw");
            assertThat(r.getThrown()).hasMessage("callback bug");
        });
        assertThat(thread[1]).startsWith("chatstore-reader-");
        assertThat(history(ann, 10, null)).containsExactly("ann>*:first", "ann>*:second");
    }

    @Test
    @org.junit.jupiter.api.Timeout(60)
    void closeByAnInterruptedThreadStillStopsTheWriterAndKeepsTheInterrupt() throws Exception {
        ChatStore closing = open();
        store = null;   // closed below; if close() hangs, @AfterEach must not hang with it
        User ann = Async.<User>value(cb -> closing.registerUser("ann", "h", cb));
        java.util.concurrent.CompletableFuture<Result<StoredMessage>> accepted = new java.util.concurrent.CompletableFuture<>();
        closing.appendGroup(ann.id(), "before close", accepted::complete);
        // The interrupt is pending when close() queues the writer's stop marker, so that put()
        // throws InterruptedException: the moment a closing thread is most likely to be hit.
        java.util.concurrent.CompletableFuture<Boolean> interruptKept = new java.util.concurrent.CompletableFuture<>();
        Thread closer = new Thread(() -> {
            Thread.currentThread().interrupt();
            closing.close();
            interruptKept.complete(Thread.currentThread().isInterrupted());
        }, "interrupted-closer");
        closer.setDaemon(true);   // if close() hangs, the test fails on the timeout without leaking a live JVM
        closer.start();
        assertThat(interruptKept.get(30, java.util.concurrent.TimeUnit.SECONDS))
                .as("close() returned and left the interrupt flag set").isTrue();
        assertThat(closing.writer().awaitStopped(java.time.Duration.ofSeconds(30)))
                .as("the writer thread ended").isTrue();
        assertThat(accepted.getNow(null)).as("a write accepted before close was committed").matches(Result::isOk);
        open();
        assertThat(history(ann, 10, null)).containsExactly("ann>*:before close");
    }

    @Test
    void closeFromACallbackIsRefused() throws Exception {
        open();
        java.util.concurrent.CompletableFuture<Throwable> thrown = new java.util.concurrent.CompletableFuture<>();
        store.registerUser("ann", "h", res -> {
            try {
                store.close();
                thrown.complete(null);
            } catch (IllegalStateException e) {
                thrown.complete(e);
            }
        });
        assertThat(thrown.get(30, java.util.concurrent.TimeUnit.SECONDS)).isInstanceOf(IllegalStateException.class);
    }
}
