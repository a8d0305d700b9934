package io.jevent.chat.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/** Reply matching and the plain-words errors, without a server (the backoff: {@link BackoffTest}). */
class RepliesAndWordingTest {
    @Test
    void dataLinesBelongToTheOldestRequestAndEachGetsExactlyOneReply() {
        PendingReplies pending = new PendingReplies();
        List<Reply> got = new ArrayList<>();
        pending.expect("WHO", got::add);
        pending.expect("MSG bob hi", got::add);
        assertThat(pending.offer("USER ann")).isTrue();
        assertThat(pending.offer("USER bob")).isTrue();
        assertThat(pending.offer("OK 2")).isTrue();
        assertThat(pending.offer("ERR 404 no such user")).isTrue();
        assertThat(pending.offer("OK")).as("nothing waits: unexpected").isFalse();
        assertThat(got).containsExactly(new Reply(List.of("USER ann", "USER bob"), 0, "2"),
                new Reply(List.of(), 404, "no such user"));
    }

    @Test
    void aLostConnectionAnswersEveryWaitingRequestOnce() {
        PendingReplies pending = new PendingReplies();
        List<Reply> got = new ArrayList<>();
        pending.expect("HISTORY", got::add);
        pending.expect("SAY hi", got::add);
        pending.offer("HIST 1 1767225600123 ann * hello");
        pending.failAll();
        pending.failAll();
        assertThat(got).extracting(Reply::code).containsExactly(Reply.LOST, Reply.LOST);
        assertThat(pending.isEmpty()).isTrue();
    }

    @Test
    void everyServerErrorIsAPlainSentenceWithWhatToDo() {
        assertThat(err(401, "bad credentials")).contains("Wrong name or password");
        assertThat(err(401, "login required")).contains("Log in first");
        assertThat(err(404, "no such user")).contains("no user called 'bob'").contains("/who");
        assertThat(err(409, "name taken")).contains("already taken").contains("Pick another");
        assertThat(err(409, "already online")).contains("logged in somewhere else");
        assertThat(err(409, "already logged in, LOGOUT first")).contains("Log out first");
        assertThat(err(413, "line too long")).contains("shorter");
        assertThat(err(422, "password must be 8-128 bytes")).contains("8 to 128");
        assertThat(err(422, "count must be 1-500")).contains("between 1 and 500");
        assertThat(err(429, "too many attempts")).contains("Wait a minute");
        assertThat(err(429, "too many registrations from this address, try again later")).contains("new accounts")
                .contains("Wait a few minutes");
        assertThat(err(429, "slow down")).contains("faster than the server allows").contains("not sent");
        assertThat(err(500, "internal error")).contains("did nothing").contains("Try again");
        assertThat(err(503, "server busy, try again")).contains("did nothing").contains("in a moment");
        assertThat(err(400, "control characters are not allowed")).contains("control characters");
        assertThat(Texts.error(Reply.notSent(), null)).contains("nothing was sent");
        assertThat(Texts.error(Reply.lost(), null)).contains("may or may not");
        assertThat(Reply.parseFinal(List.of(), "ERR 503 server busy, try again"))
                .isEqualTo(new Reply(List.of(), 503, "server busy, try again"));
    }

    @Test
    void timesAreLocalAndCarryTheDateWhenNotToday() {
        ZoneId tokyo = ZoneId.of("Asia/Tokyo");
        long now = System.currentTimeMillis();
        String today = Texts.when(now, tokyo);
        assertThat(today).matches("\\[\\d\\d:\\d\\d]");
        assertThat(Texts.when(0, tokyo)).isEqualTo("[1970-01-01 09:00]");
    }

    private static String err(int code, String text) {
        return Texts.error(new Reply(List.of(), code, text), "bob");
    }
}
