package io.jevent.chat.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The client's pins: one line per host and port, kept across runs, edited by hand if need be. */
class KnownServersTest {
    private static final String A = "AA:" + "00:".repeat(30) + "01";
    private static final String B = "BB:" + "00:".repeat(30) + "02";

    @TempDir
    Path dir;

    @Test
    void aPinIsKeptPerHostAndPortAcrossInstances() throws Exception {
        KnownServers known = new KnownServers(dir.resolve("config"));
        assertThat(known.lookup("chat.example.org", 7777)).isNull();
        known.pin("Chat.Example.org", 7777, A.toLowerCase(java.util.Locale.ROOT));

        KnownServers later = new KnownServers(dir.resolve("config"));
        assertThat(later.lookup("chat.example.org", 7777)).isEqualTo(A);
        assertThat(later.lookup("chat.example.org", 7778)).as("another port, another server").isNull();
        assertThat(later.lookup("127.0.0.1", 7777)).as("another name, as in ssh").isNull();
    }

    @Test
    void pinningAgainReplacesTheLineAndKeepsTheOthersAndComments() throws Exception {
        KnownServers known = new KnownServers(dir);
        known.pin("a", 1, A);
        known.pin("b", 2, A);
        known.pin("a", 1, B);
        assertThat(known.lookup("a", 1)).isEqualTo(B);
        assertThat(known.lookup("b", 2)).isEqualTo(A);
        assertThat(Files.readAllLines(known.file())).hasSize(3).first().asString().startsWith("#");
    }

    @Test
    void anIpv6LiteralIsBracketed() throws Exception {
        KnownServers known = new KnownServers(dir);
        known.pin("::1", 7777, A);
        assertThat(Files.readString(known.file())).contains("[::1]:7777 " + A);
        assertThat(known.lookup("::1", 7777)).isEqualTo(A);
    }

    @Test
    void aDamagedLineForTheServerIsAnErrorNamingTheFile() throws Exception {
        KnownServers known = new KnownServers(dir);
        Files.writeString(known.file(), "localhost:7777 not-a-fingerprint\n");
        assertThatThrownBy(() -> known.lookup("localhost", 7777))
                .hasMessageStartingWith(known.file() + ": the line for localhost:7777 is damaged");
    }
}
