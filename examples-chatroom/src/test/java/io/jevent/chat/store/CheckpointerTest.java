package io.jevent.chat.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The WAL is copied into the database file by the checkpointer thread while the store runs. */
class CheckpointerTest {
    @TempDir
    Path dir;
    private ChatStore store;

    /** A checkpoint's outcome and the thread it ran on. */
    private record Checkpoint(Result<long[]> result, String thread) {
    }

    private final BlockingQueue<Checkpoint> checkpoints = new LinkedBlockingQueue<>();

    @AfterEach
    void closeStore() {
        if (store != null) {
            store.close();
        }
    }

    @Test
    void commitsAreCopiedIntoTheDatabaseFileOffTheWriterThread() throws Exception {
        store = ChatStore.open(StoreConfig.defaults(dir.resolve("chat.db")),
                result -> checkpoints.add(new Checkpoint(result, Thread.currentThread().getName())));
        User ann = Async.value(cb -> store.registerUser("Ann", "hash", cb));
        for (int i = 0; i < 50; i++) {
            int n = i;
            Async.<StoredMessage>value(cb -> store.appendGroup(ann.id(), "message " + n, cb));
        }
        // Every commit asks for a checkpoint; the last one asked copies everything committed so far.
        long[] copied = awaitFullCheckpoint();
        assertThat(copied[0]).as("frames in the WAL").isPositive();
        assertThat(copied[1]).as("frames copied").isEqualTo(copied[0]);
    }

    private long[] awaitFullCheckpoint() throws InterruptedException {
        while (true) {
            Checkpoint c = checkpoints.poll(30, TimeUnit.SECONDS);
            assertThat(c).as("a checkpoint within 30 s").isNotNull();
            assertThat(c.thread()).isEqualTo("chatstore-checkpointer");
            assertThat(c.result().isOk()).as("checkpoint succeeded: %s", c.result()).isTrue();
            long[] frames = c.result().value();
            if (frames[0] > 0 && frames[1] == frames[0] && checkpoints.isEmpty()) {
                return frames;
            }
        }
    }
}
