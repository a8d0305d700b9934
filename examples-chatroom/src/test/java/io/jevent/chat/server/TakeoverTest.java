package io.jevent.chat.server;

import static io.jevent.chat.server.ServerFixture.PW;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import io.jevent.chat.Transport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A LOGIN with the right password takes over a session of the same user (whose
 * network may have died silently) instead of answering {@code ERR 409 already online}. With two
 * loops the old and the new connection are on different loops.
 */
@ParameterizedClass
@EnumSource(Transport.class)
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class TakeoverTest {
    @Parameter
    Transport transport;

    @TempDir
    Path dir;
    ServerFixture fx;

    @AfterEach
    void stop() {
        fx.close();
    }

    @ParameterizedTest(name = "{0} loop(s)")
    @ValueSource(ints = {1, 2})
    void aNewLoginTakesOverTheOldSession(int loops) throws Exception {
        fx = ServerFixture.start(transport, dir, c -> c.withThreads(loops, 2));
        ChatClient bob = fx.user("bob");
        ChatClient old = fx.user("ann");
        assertThat(bob.awaitEvent("JOIN ann")).isNotNull();
        String before = bob.call("MSG ann before the takeover");
        assertThat(before).matches("OK sent \\d+");

        ChatClient fresh = fx.client();
        assertThat(fresh.call("LOGIN ANN " + PW)).isEqualTo("OK welcome ann");

        // The old connection is told why, then closed; it got what was sent to it before.
        java.util.List<String> rest = old.readToEnd();
        assertThat(rest).hasSize(2);
        assertThat(rest.get(0)).matches("FROM bob " + before.substring(8) + " \\d+ before the takeover");
        assertThat(rest.get(1)).isEqualTo("BYE logged in elsewhere");

        // One entry in the online list, and the new connection chats.
        assertThat(fresh.callBlock("WHO")).containsExactly("USER ann", "USER bob", "OK 2");
        String said = fresh.call("SAY I am back");
        assertThat(said).matches("OK sent \\d+");
        assertThat(bob.awaitEvent(e -> e.startsWith("GROUP "))).startsWith("GROUP ann " + said.substring(8) + " ");
        assertThat(bob.events).as("ann never went offline: no PART, no second JOIN")
                .doesNotContain("PART ann", "JOIN ann");
        String after = bob.call("MSG ann after the takeover");
        assertThat(after).as("ann is online, on the new connection").matches("OK sent \\d+");
        // Delivery is at least once: the old connection's receipt of "before" may be recorded after
        // the new login fetched its pending messages, so "before" may come again first (same id).
        assertThat(fresh.awaitEvent(e -> e.startsWith("FROM bob " + after.substring(8) + " ")))
                .matches("FROM bob " + after.substring(8) + " \\d+ after the takeover");
        assertThat(fresh.events).filteredOn(e -> e.startsWith("FROM "))
                .allMatch(e -> e.startsWith("FROM bob " + before.substring(8) + " ")
                        || e.startsWith("FROM bob " + after.substring(8) + " "));
        assertThat(bob.callBlock("WHO")).containsExactly("USER ann", "USER bob", "OK 2");

        // Leaving from the new connection is a normal PART.
        assertThat(fresh.call("LOGOUT")).isEqualTo("OK bye");
        assertThat(bob.awaitEvent("PART ann")).isNotNull();
        assertThat(bob.callBlock("WHO")).containsExactly("USER bob", "OK 1");
    }

    @ParameterizedTest(name = "{0} loop(s)")
    @ValueSource(ints = {1, 2})
    void aWrongPasswordTakesNothingOver(int loops) throws Exception {
        fx = ServerFixture.start(transport, dir, c -> c.withThreads(loops, 2));
        ChatClient ann = fx.user("ann");
        assertThat(fx.client().call("LOGIN ann wrong-password")).isEqualTo("ERR 401 bad credentials");
        assertThat(ann.call("PING")).isEqualTo("OK pong");
        assertThat(ann.callBlock("WHO")).containsExactly("USER ann", "OK 1");
        assertThat(ann.events).isEmpty();
    }
}
