package io.jevent.chat.server;

import static io.jevent.chat.server.ServerFixture.PW;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.jevent.chat.Transport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** Every command and error of docs/protocol.md, over real sockets against an in-process server. */
@ParameterizedClass
@EnumSource(Transport.class)
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ProtocolEndToEndTest {
    @Parameter
    Transport transport;

    @TempDir
    Path dir;
    ServerFixture fx;

    @BeforeEach
    void start() throws Exception {
        fx = ServerFixture.start(transport, dir);
    }

    @AfterEach
    void stop() {
        fx.close();
    }

    @Test
    void commandsThatWorkLoggedOut() {
        ChatClient c = fx.client();
        assertThat(c.call("PING")).isEqualTo("OK pong");
        assertThat(c.call("ping")).isEqualTo("OK pong");
        List<String> help = c.callBlock("HeLp");
        assertThat(help.get(help.size() - 1)).isEqualTo("OK");
        assertThat(help.subList(0, help.size() - 1)).allMatch(l -> l.startsWith("HELP ")).hasSizeGreaterThan(5);
        for (String verb : new String[] {"WHO", "MSG bob hi", "SAY hi", "HISTORY", "LOGOUT"}) {
            assertThat(c.call(verb)).as(verb).isEqualTo("ERR 401 login required");
        }
        assertThat(c.call("QUIT")).isEqualTo("OK bye");
        assertThat(c.readLine()).as("closed after QUIT").isNull();
    }

    @Test
    void malformedRequests() {
        ChatClient c = fx.client();
        assertThat(c.call("")).isEqualTo("ERR 400 empty line");
        assertThat(c.call("   ")).isEqualTo("ERR 400 empty line");
        assertThat(c.call("DANCE")).isEqualTo("ERR 400 unknown command");
        assertThat(c.call("PING now")).isEqualTo("ERR 400 usage: PING");
        assertThat(c.call("REGISTER ann")).isEqualTo("ERR 400 usage: REGISTER <name> <password>");
        assertThat(c.call("REGISTER ann pass word1")).isEqualTo("ERR 400 usage: REGISTER <name> <password>");
        assertThat(c.call("REGISTER a*b password1")).isEqualTo("ERR 422 name must be 1-32 characters of A-Z a-z 0-9 _ . -");
        assertThat(c.call("REGISTER ann short")).isEqualTo("ERR 422 password must be 8-128 bytes");
        assertThat(c.call("LOGIN ann")).isEqualTo("ERR 400 usage: LOGIN <name> <password>");
        assertThat(c.call("PI\tNG")).isEqualTo("ERR 400 control characters are not allowed");
        assertThat(c.call("PING")).as("still usable").isEqualTo("OK pong");
    }

    @Test
    void registerAndLoginRules() {
        ChatClient c = fx.client();
        assertThat(c.call("REGISTER Ann " + PW)).isEqualTo("OK registered");
        assertThat(c.call("REGISTER ANN otherpass1")).isEqualTo("ERR 409 name taken");
        assertThat(c.call("LOGIN ann wrongpass1")).isEqualTo("ERR 401 bad credentials");
        assertThat(c.call("LOGIN nobody " + PW)).isEqualTo("ERR 401 bad credentials");
        assertThat(c.call("LOGIN ann short")).as("impossible password").isEqualTo("ERR 401 bad credentials");
        assertThat(c.call("LOGIN aNN " + PW)).as("case-insensitive, shown as registered").isEqualTo("OK welcome Ann");
        assertThat(c.call("LOGIN Ann " + PW)).isEqualTo("ERR 409 already logged in, LOGOUT first");
        assertThat(c.call("LOGOUT")).isEqualTo("OK bye");
        assertThat(c.call("WHO")).as("logged out, connection open").isEqualTo("ERR 401 login required");
        ChatClient other = fx.client();
        assertThat(other.call("LOGIN ann " + PW)).as("from another connection").isEqualTo("OK welcome Ann");
    }

    @Test
    void twoUsersChatPrivatelyAndInTheGroup() {
        ChatClient ann = fx.user("ann");
        ChatClient bob = fx.user("bob");
        assertThat(ann.awaitEvent("JOIN bob")).isNotNull();
        assertThat(ann.callBlock("WHO")).containsExactly("USER ann", "USER bob", "OK 2");

        String sent = ann.call("MSG Bob hi   bob ");
        assertThat(sent).matches("OK sent \\d+");
        long id = Long.parseLong(sent.substring(8));
        assertThat(bob.awaitEvent(e -> e.startsWith("FROM "))).matches("FROM ann " + id + " \\d+ hi   bob ");

        String said = bob.call("SAY hello everyone");
        assertThat(said).matches("OK sent \\d+");
        assertThat(ann.awaitEvent(e -> e.startsWith("GROUP "))).matches("GROUP bob " + said.substring(8) + " \\d+ hello everyone");
        assertThat(bob.events).as("the sender gets no copy").noneMatch(e -> e.startsWith("GROUP "));

        assertThat(ann.call("MSG ann note to self")).matches("OK sent \\d+");
        assertThat(ann.awaitEvent(e -> e.startsWith("FROM ann "))).endsWith(" note to self");

        assertThat(ann.call("MSG nobody hi")).isEqualTo("ERR 404 no such user");
        assertThat(ann.call("MSG b@d hi")).isEqualTo("ERR 404 no such user");
        assertThat(ann.call("MSG bob")).isEqualTo("ERR 400 usage: MSG <name> <text>");
        assertThat(ann.call("SAY")).isEqualTo("ERR 400 usage: SAY <text>");

        assertThat(ann.call("QUIT")).isEqualTo("OK bye");
        assertThat(bob.awaitEvent("PART ann")).isNotNull();
        assertThat(bob.callBlock("WHO")).containsExactly("USER bob", "OK 1");
    }

    @Test
    void offlineMessagesArriveAtTheNextLoginOnce() {
        ChatClient ann = fx.user("ann");
        assertThat(fx.client().call("REGISTER bob " + PW)).isEqualTo("OK registered");
        String first = ann.call("MSG bob one");
        String second = ann.call("MSG bob two");
        assertThat(first).matches("OK stored \\d+");
        assertThat(second).matches("OK stored \\d+");

        ChatClient bob = fx.client();
        bob.send("LOGIN bob " + PW);
        assertThat(bob.readLine()).as("the resume token comes first").startsWith("TOKEN ");
        assertThat(bob.readLine()).isEqualTo("OK welcome bob");
        assertThat(bob.readLine()).matches("FROM ann " + first.substring(10) + " \\d+ one");
        assertThat(bob.readLine()).matches("FROM ann " + second.substring(10) + " \\d+ two");
        assertThat(bob.call("LOGOUT")).isEqualTo("OK bye");
        // Marked delivered: a second login has nothing pending (the next line is PING's reply).
        bob.send("LOGIN bob " + PW).send("PING");
        assertThat(bob.readLine()).as("the resume token comes first").startsWith("TOKEN ");
        assertThat(bob.readLine()).isEqualTo("OK welcome bob");
        assertThat(bob.readLine()).isEqualTo("OK pong");
    }

    @Test
    void historyShowsWhatYouMaySeeOldestFirst() {
        ChatClient ann = fx.user("ann");
        ChatClient bob = fx.user("bob");
        ChatClient cat = fx.user("cat");
        String g = ann.call("SAY hello all").substring(8);
        String ab = ann.call("MSG bob for bob").substring(8);
        String bc = bob.call("MSG cat secret for cat").substring(8);
        String ca = cat.call("MSG ann for ann").substring(8);

        List<String> annAll = withoutTimes(ann.callBlock("HISTORY"));
        assertThat(annAll).containsExactly(
                hist(g, "ann", "*", "hello all"), hist(ab, "ann", "bob", "for bob"), hist(ca, "cat", "ann", "for ann"), "OK 3");
        assertThat(withoutTimes(ann.callBlock("HISTORY 2"))).containsExactly(
                hist(ab, "ann", "bob", "for bob"), hist(ca, "cat", "ann", "for ann"), "OK 2");
        assertThat(withoutTimes(ann.callBlock("HISTORY BOB"))).containsExactly(hist(ab, "ann", "bob", "for bob"), "OK 1");
        assertThat(withoutTimes(ann.callBlock("HISTORY 5 cat"))).containsExactly(hist(ca, "cat", "ann", "for ann"), "OK 1");
        assertThat(withoutTimes(bob.callBlock("HISTORY cat"))).containsExactly(hist(bc, "bob", "cat", "secret for cat"), "OK 1");
        // Nobody reads other users' private messages: bob-cat is not in ann's view.
        assertThat(String.join("\n", annAll)).doesNotContain("secret");
        assertThat(ann.call("HISTORY 0")).isEqualTo("ERR 422 count must be 1-500");
        assertThat(ann.call("HISTORY 501")).isEqualTo("ERR 422 count must be 1-500");
        assertThat(ann.call("HISTORY x bob")).isEqualTo("ERR 400 count must be a number");
        assertThat(ann.call("HISTORY 1 2 3")).isEqualTo("ERR 400 usage: HISTORY [<count>] [<name>]");
        assertThat(ann.call("HISTORY nobody")).isEqualTo("ERR 404 no such user");
    }

    private static String hist(String id, String from, String to, String text) {
        return "HIST " + id + " " + from + " " + to + " " + text;
    }

    /** The block with each HIST line's timestamp removed (checked to be a number). */
    private static List<String> withoutTimes(List<String> block) {
        List<String> out = new ArrayList<>();
        for (String line : block) {
            if (line.startsWith("HIST ")) {
                String[] p = line.split(" ", 4);
                assertThat(p[2]).matches("\\d{13}");
                line = p[0] + " " + p[1] + " " + p[3];
            }
            out.add(line);
        }
        return out;
    }

    /**
     * The server stops reading at QUIT, so the PINGs behind it stay unread in its kernel buffer; a
     * plain close then would make Linux reset the connection and drop the replies still queued in
     * the kernel. The close lingers instead (BufferEvent.closeAfterFlush).
     */
    @Test
    void quitWithUnreadInputBehindItStillDeliversEveryReplyThenEof() throws Exception {
        ChatClient c = fx.client();
        int helps = 4_000;                          // megabytes of replies: more than the socket buffers hold
        StringBuilder batch = new StringBuilder();
        batch.append("HELP\n".repeat(helps)).append("QUIT\n");
        batch.append("PING\n".repeat(40_000));      // 200 KB: more than the server reads ahead of QUIT
        byte[] bytes = batch.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        // Sent from another thread: the server reads no more after QUIT until its replies are out.
        java.util.concurrent.CompletableFuture<ChatClient> sending =
                java.util.concurrent.CompletableFuture.supplyAsync(() -> c.sendRaw(bytes));
        List<String> lines = c.readToEnd();
        assertThat(lines.stream().filter(l -> l.equals("OK")).count()).as("every HELP answered").isEqualTo(helps);
        assertThat(lines.get(lines.size() - 1)).isEqualTo("OK bye");
        assertThat(lines).doesNotContain("OK pong");
        sending.get(10, java.util.concurrent.TimeUnit.SECONDS);
    }

    @Test
    void pipelinedCommandsAreAnsweredInOrder() {
        ChatClient ann = fx.user("ann");
        fx.user("bob");
        StringBuilder batch = new StringBuilder();
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            // Mixes commands answered at once with ones that wait for the store or a worker.
            batch.append("MSG bob m").append(i).append('\n');
            batch.append("PING\n");
            batch.append("HISTORY 1 bob\n");
            batch.append("REGISTER bob ").append(PW).append('\n');
            batch.append("SAY s").append(i).append('\n');
            expected.add("MSG");
            expected.add("OK pong");
            expected.add("HIST");
            expected.add("ERR 409 name taken");
            expected.add("SAY");
        }
        ann.sendRaw(batch.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        long lastId = 0;
        for (int i = 0; i < expected.size(); i++) {
            List<String> block = ann.readReply();
            String fin = block.get(block.size() - 1);
            switch (expected.get(i)) {
                case "MSG", "SAY" -> {
                    assertThat(fin).as("reply %d", i).matches("OK sent \\d+");
                    long id = Long.parseLong(fin.substring(8));
                    assertThat(id).as("commit order follows command order").isGreaterThan(lastId);
                    lastId = id;
                }
                case "HIST" -> {
                    assertThat(fin).isEqualTo("OK 1");
                    assertThat(block.get(0)).endsWith(" ann bob m" + (i / 5));
                }
                default -> assertThat(fin).as("reply %d", i).isEqualTo(expected.get(i));
            }
        }
    }

    @Test
    void loginAttemptsAreRateLimitedPerAddressAndName() {
        ChatClient c = fx.client();
        assertThat(c.call("REGISTER ann " + PW)).isEqualTo("OK registered");
        for (int i = 0; i < 5; i++) {
            assertThat(c.call("LOGIN ann wrongpass" + i)).isEqualTo("ERR 401 bad credentials");
        }
        assertThat(c.call("LOGIN ann " + PW)).as("even the right password").isEqualTo("ERR 429 too many attempts");
        assertThat(fx.client().call("LOGIN ANN " + PW)).as("another connection from that address, any case")
                .isEqualTo("ERR 429 too many attempts");
        assertThat(fx.user("bob")).as("other names are not affected").isNotNull();
    }
}
