package io.jevent.chat.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.jevent.chat.protocol.Events;
import io.jevent.chat.store.StoredMessage;
import io.jevent.core.buffer.SharedBytes;

/** Group fan-out encodes each GROUP line once, for every loop and every recipient. */
@Timeout(30)
class GroupLineTest {
    private static final StoredMessage MESSAGE = new StoredMessage(42, 1_700_000_000_000L, 7, "alice", 0, null, "héllo, all");

    @Test
    @DisplayName("loops delivering the same group message at once all get the one encoding of its GROUP line")
    void everyLoopSharesOneEncoding() throws Exception {
        GroupLine line = new GroupLine(MESSAGE);
        int loops = 4;
        ExecutorService pool = Executors.newFixedThreadPool(loops);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<SharedBytes>> got = new ArrayList<>();
            for (int i = 0; i < loops; i++) {
                SharedLines own = new SharedLines();   // each loop encodes with its own
                got.add(pool.submit(() -> {
                    start.await();
                    return line.line(own);
                }));
            }
            start.countDown();
            SharedBytes first = got.get(0).get(10, TimeUnit.SECONDS);
            for (Future<SharedBytes> f : got) {
                assertThat(f.get(10, TimeUnit.SECONDS)).isSameAs(first);
            }
            assertThat(new String(first.toByteArray(), StandardCharsets.UTF_8))
                    .isEqualTo(Events.group("alice", 42, 1_700_000_000_000L, "héllo, all"));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    @DisplayName("lines packed into one slab keep their bytes while later lines are encoded after them")
    void slabLinesNeverChange() {
        SharedLines lines = new SharedLines();
        List<SharedBytes> encoded = new ArrayList<>();
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 5_000; i++) {   // several slabs' worth, and a long line now and then
            String text = i % 500 == 0 ? "GROUP x " + "y".repeat(20_000) + "\n" : "GROUP bob " + i + " 1 line number " + i + "\n";
            texts.add(text);
            encoded.add(lines.encode(text));
        }
        for (int i = 0; i < texts.size(); i++) {
            assertThat(new String(encoded.get(i).toByteArray(), StandardCharsets.UTF_8)).isEqualTo(texts.get(i));
        }
    }
}
