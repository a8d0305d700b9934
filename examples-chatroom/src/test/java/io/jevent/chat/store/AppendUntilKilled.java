package io.jevent.chat.store;

import java.nio.file.Path;
import java.util.concurrent.Semaphore;

/**
 * Child process for {@link DurabilityTest}: appends group messages as fast as the store accepts
 * them and prints {@code ACK <id>} for each one the store acknowledged, until it is killed.
 * Uses process-crash durability (synchronous=NORMAL), the weakest setting that must still pass.
 */
public final class AppendUntilKilled {
    private AppendUntilKilled() {
    }

    public static void main(String[] args) throws Exception {
        ChatStore store = ChatStore.open(StoreConfig.defaults(Path.of(args[0]))
                .withDurability(StoreConfig.Durability.SURVIVES_PROCESS_CRASH));
        long userId = Async.<User>value(cb -> store.registerUser("writer", "h", cb)).id();
        System.out.println("READY");
        System.out.flush();
        Semaphore inFlight = new Semaphore(512);
        for (int i = 0; i < 5_000_000; i++) {   // bounded: the parent kills it long before
            inFlight.acquire();
            store.appendGroup(userId, "message " + i, r -> {
                if (r.isOk()) {
                    System.out.println("ACK " + r.value().id());
                }
                inFlight.release();
            });
        }
        store.close();
    }
}
