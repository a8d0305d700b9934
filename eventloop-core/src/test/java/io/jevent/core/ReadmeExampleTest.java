package io.jevent.core;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The README's first example, kept compiling and working: keep the two in step. */
class ReadmeExampleTest {

    @Test
    @DisplayName("the README's timer-and-echo example echoes what the timer wrote, then dispatch() returns")
    void readmeExample() throws IOException {
        List<String> printed = new ArrayList<>();
        int result;
        Pipe pipe = Pipe.open();
        try (EventBase base = new EventBase(); var in = pipe.source(); var out = pipe.sink()) {
            ByteBuffer buf = ByteBuffer.allocate(64);
            Event echo = base.newEvent(in, Event.READ | Event.PERSIST, (ev, what) -> {
                buf.clear();
                try { in.read(buf); } catch (IOException e) { throw new UncheckedIOException(e); }
                printed.add("echo: " + new String(buf.array(), 0, buf.position(), UTF_8));
                ev.del();
            });
            echo.add();
            base.newTimer((ev, what) -> {
                try { out.write(UTF_8.encode("hello")); } catch (IOException e) { throw new UncheckedIOException(e); }
            }).add(Duration.ofMillis(100));
            result = base.dispatch();
        }
        assertThat(printed).containsExactly("echo: hello");
        assertThat(result).isEqualTo(1);
    }
}
