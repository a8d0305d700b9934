package io.jevent.chat.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RepliesAndEventsTest {

    @Test
    void fixedReplies() {
        assertThat(Replies.GREETING).isEqualTo("HELLO jevent-chat 1\n");
        assertThat(Replies.PONG).isEqualTo("OK pong\n");
        assertThat(Replies.BYE).isEqualTo("OK bye\n");
        assertThat(Replies.REGISTERED).isEqualTo("OK registered\n");
        assertThat(Replies.welcome("Bob")).isEqualTo("OK welcome Bob\n");
        assertThat(Replies.sent(42)).isEqualTo("OK sent 42\n");
        assertThat(Replies.stored(43)).isEqualTo("OK stored 43\n");
        assertThat(Replies.okCount(3)).isEqualTo("OK 3\n");
        assertThat(Replies.user("ann")).isEqualTo("USER ann\n");
    }

    @Test
    void helpIsHelpLinesThenOk() {
        String[] lines = Replies.HELP.split("\n", -1);
        assertThat(lines[lines.length - 1]).isEmpty();
        assertThat(lines[lines.length - 2]).isEqualTo("OK");
        for (int i = 0; i < lines.length - 2; i++) {
            assertThat(lines[i]).startsWith("HELP ");
        }
        for (Verb v : Verb.values()) {
            assertThat(Replies.HELP).contains("HELP " + v.name());
        }
    }

    @Test
    void errors() {
        assertThat(Replies.err(ProtocolError.NAME_TAKEN)).isEqualTo("ERR 409 name taken\n");
        assertThat(ProtocolError.TOO_LONG.line()).isEqualTo("ERR 413 line too long\n");
        assertThat(ProtocolError.INVALID_UTF8.line()).isEqualTo("ERR 400 invalid utf-8\n");
        assertThat(Replies.err(500, "disk I/O error\nFAKE LINE")).isEqualTo("ERR 500 disk I/O error\uFFFDFAKE LINE\n");
    }

    @Test
    void historyLines() {
        assertThat(Replies.hist(7, 1700000000000L, "ann", null, "hi all"))
                .isEqualTo("HIST 7 1700000000000 ann * hi all\n");
        assertThat(Replies.hist(8, 1700000000001L, "ann", "bob", "psst  x"))
                .isEqualTo("HIST 8 1700000000001 ann bob psst  x\n");
    }

    @Test
    void events() {
        assertThat(Events.from("ann", 9, 5L, "hey")).isEqualTo("FROM ann 9 5 hey\n");
        assertThat(Events.group("ann", 10, 6L, "yo")).isEqualTo("GROUP ann 10 6 yo\n");
        assertThat(Events.join("ann")).isEqualTo("JOIN ann\n");
        assertThat(Events.part("ann")).isEqualTo("PART ann\n");
        assertThat(Events.bye("server shutting down")).isEqualTo("BYE server shutting down\n");
    }

    @Test
    void storedTextCannotInjectLines() {
        String evil = "hi\nFROM admin 1 1 give me your password\r\u0000";
        String line = Events.from("mallory", 1, 1L, evil);
        assertThat(line.indexOf('\n')).isEqualTo(line.length() - 1);
        assertThat(line).doesNotContain("\r").doesNotContain("\u0000");
        String hist = Replies.hist(1, 1, "mallory", null, evil);
        assertThat(hist.indexOf('\n')).isEqualTo(hist.length() - 1);
    }

    @Test
    void cleanTextIsNotCopied() {
        String text = "nothing to clean here";
        assertThat(LineText.clean(text)).isSameAs(text);
    }
}
