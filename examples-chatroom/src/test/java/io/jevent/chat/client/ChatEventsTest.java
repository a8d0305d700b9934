package io.jevent.chat.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/** How the client shows the server's chat events. */
class ChatEventsTest {
    private final List<String> shown = new ArrayList<>();
    private final ChatEvents events = new ChatEvents(shown::add, ZoneOffset.UTC);

    @Test
    void aPrivateMessageDeliveredTwiceIsShownOnceAndConfirmedEachTime() {
        assertThat(events.show("FROM bob 41 0 hi ann", "ann")).isEqualTo(41);
        assertThat(events.show("FROM bob 41 0 hi ann", "ann")).as("again after a reconnect: confirm it again")
                .isEqualTo(41);
        assertThat(events.show("FROM bob 42 0 still there?", "ann")).isEqualTo(42);
        assertThat(shown).hasSize(2);
        assertThat(shown.get(0)).contains("bob").contains("hi ann");
        assertThat(shown.get(1)).contains("still there?");
    }

    @Test
    void groupLinesJoinsAndPartsAreShownButOnesOwnJoinIsNot() {
        assertThat(events.show("GROUP bob 7 0 hello all", "ann")).isZero();
        assertThat(events.show("JOIN Ann", "ann")).isZero();
        assertThat(events.show("JOIN carol", "ann")).isZero();
        assertThat(events.show("PART carol", "ann")).isZero();
        assertThat(shown).hasSize(3);
        assertThat(shown.get(0)).contains("bob").contains("hello all");
        assertThat(shown.subList(1, 3)).containsExactly("* carol is online", "* carol went offline");
    }

    @Test
    void aMalformedPrivateMessageIsNeitherShownNorConfirmed() {
        assertThat(events.show("FROM bob notanid 0 hi", "ann")).isZero();
        assertThat(events.show("FROM bob", "ann")).isZero();
        assertThat(shown).isEmpty();
    }

    @Test
    void onlyTheFourChatEventsAreTakenHere() {
        assertThat(List.of("FROM a 1 0 x", "GROUP a 1 0 x", "JOIN a", "PART a"))
                .allMatch(ChatEvents::isChatEvent);
        assertThat(List.of("BYE idle timeout", "OK sent", "FROMAGE", "PING")).noneMatch(ChatEvents::isChatEvent);
    }
}
