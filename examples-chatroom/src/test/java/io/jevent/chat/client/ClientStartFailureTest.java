package io.jevent.chat.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import java.util.logging.Level;

import io.jevent.chat.client.console.ClientConsole;
import io.jevent.msgqueue.EventLoopThread;
import io.jevent.testing.CapturedLog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The client's session is built on its loop thread; if that fails, {@link ChatClient#run} must say
 * so to its caller at once rather than wait forever for a session that will never exist.
 */
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ClientStartFailureTest {
    /** A console whose output is gone (say, the terminal was closed): printing throws. */
    private static final class BrokenConsole implements ClientConsole {
        final AtomicBoolean closed = new AtomicBoolean();

        @Override
        public String readLine(Supplier<String> prompt, boolean secret) {
            throw new AssertionError("nothing may be read from a client that did not start");
        }

        @Override
        public void printAbove(String text) {
            throw new IllegalStateException("terminal gone");
        }

        @Override
        public void setPrompt(String prompt) {
        }

        @Override
        public void close() {
            closed.set(true);
        }
    }

    @Test
    void runThrowsTheCauseWhenTheSessionCannotStart() {
        BrokenConsole console = new BrokenConsole();
        try (CapturedLog log = CapturedLog.of(EventLoopThread.class)) {
            // Port 9 (discard) is never connected to: the session fails on its first line, before.
            Throwable thrown = catchThrowable(() -> ChatClient.run(ClientOptions.of("127.0.0.1", 9), console));

            assertThat(thrown).isInstanceOf(CompletionException.class)
                    .cause().isInstanceOf(IllegalStateException.class).hasMessage("terminal gone");
            assertThat(console.closed).as("the console is given back").isTrue();
            // The loop logs init's failure right after reporting it, so the record may trail run()'s return.
            await().atMost(Duration.ofSeconds(10)).until(() -> !log.messages(Level.SEVERE).isEmpty());
            assertThat(log.messages(Level.SEVERE)).singleElement().asString()
                    .contains("init of loop thread chat-client threw");
        }
    }
}
