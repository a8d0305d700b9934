package io.jevent.bench.chat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import io.jevent.chat.auth.PasswordHasher;
import io.jevent.chat.store.ChatStore;
import io.jevent.chat.store.StoreConfig;

/**
 * Seeds the benchmark's users straight into a chat database with the store's own code
 * ({@link ChatStore#registerUser}, {@link PasswordHasher#hash}), not through REGISTER: the server
 * allows 5 REGISTERs per address in 10 minutes, and each would cost a PBKDF2 hash. Every user
 * {@code u<i>} gets the same password and the same stored hash (one salt), hashed once: the stored
 * hash carries its own iteration count, so the seed decides what each LOGIN costs.
 *
 * <p>Threading: call from one thread; the store's writer runs the inserts.
 */
final class SeedUsers {
    static final String PASSWORD = "bench-password";

    private SeedUsers() {
    }

    /** Creates {@code db} with users u0 … u{@code users-1}, their hash at {@code iterations} rounds. */
    static void seed(Path db, int users, int iterations) throws Exception {
        String hash = new PasswordHasher(iterations, new SecureRandom()).hash(PASSWORD);
        CountDownLatch done = new CountDownLatch(users);
        AtomicReference<Exception> failure = new AtomicReference<>();
        try (ChatStore store = ChatStore.open(StoreConfig.defaults(db)
                .withDurability(StoreConfig.Durability.SURVIVES_PROCESS_CRASH))) {
            for (int i = 0; i < users; i++) {
                store.registerUser("u" + i, hash, r -> {
                    if (!r.isOk()) {
                        failure.compareAndSet(null, r.error());
                    }
                    done.countDown();
                });
            }
            if (!done.await(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("seeding " + users + " users took over 60 s");
            }
        }
        if (failure.get() != null) {
            throw failure.get();
        }
    }

    /**
     * Gives every user a new stored hash of the same password, at {@code iterations} rounds (plain SQL
     * on the stopped server's file, so nothing but the hash changes).
     */
    static void rehashAll(Path db, int iterations) throws SQLException {
        String hash = new PasswordHasher(iterations, new SecureRandom()).hash(PASSWORD);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
             PreparedStatement st = c.prepareStatement("UPDATE users SET pw_hash = ?")) {
            st.setString(1, hash);
            st.executeUpdate();
        }
    }

    /** Copies a seeded database (and its WAL, if any) to {@code to}, so every cell starts from the same state. */
    static void copy(Path from, Path to) throws IOException {
        for (String suffix : new String[] {"", "-wal", "-shm"}) {
            Path f = Path.of(from + suffix);
            Path t = Path.of(to + suffix);
            Files.deleteIfExists(t);
            if (Files.exists(f)) {
                Files.copy(f, t, StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    /** Deletes a database and its WAL files. */
    static void delete(Path db) throws IOException {
        for (String suffix : new String[] {"", "-wal", "-shm"}) {
            Files.deleteIfExists(Path.of(db + suffix));
        }
    }
}
