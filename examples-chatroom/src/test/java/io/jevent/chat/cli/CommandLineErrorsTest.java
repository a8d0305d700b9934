package io.jevent.chat.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.logging.Level;

import io.jevent.chat.tls.ServerIdentity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/**
 * What a person who mistypes an option sees. A usage error exits 2 with one line saying
 * what is wrong and a hint to --help; never a stack trace. Each command runs in-process through the
 * same {@link CommandLine} as {@code main}, with its output captured.
 */
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class CommandLineErrorsTest {
    @TempDir
    Path dir;

    private record Run(int exit, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cmd = ChatroomMain.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err));
        int exit = cmd.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    /** Exit 2; stderr is the message, then the hint; nothing on stdout; no trace. */
    private static void assertUsageError(Run r, String command, String message) {
        assertThat(r.exit()).as(r.err()).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        assertThat(r.err().lines()).as(r.err()).containsExactly(
                "chatroom " + command + ": " + message,
                "Try 'chatroom " + command + " --help' for more information.");
    }

    @ParameterizedTest(name = "server {0}")
    @CsvSource(delimiter = '|', value = {
            "--port=70000       | --port must be 0-65535 (0 picks a free port), not 70000",
            "--port=-1          | --port must be 0-65535 (0 picks a free port), not -1",
            "--io-threads=0     | --io-threads must be at least 1, not 0",
            "--workers=0        | --workers must be at least 1, not 0",
            "--idle-timeout=-1  | --idle-timeout must be 1-31536000 seconds, not -1",
            "--idle-timeout=0   | --idle-timeout must be 1-31536000 seconds, not 0",
            "--shutdown-timeout=0 | --shutdown-timeout must be 1-3600 seconds, not 0",
            "--output-budget=0  | --output-budget must be 1-1073741824 MiB, not 0",
            "--bind=no.such.host | --bind: cannot resolve host 'no.such.host'",
            "--keepalive=-1     | --keepalive must be 0-31536000 seconds (0: no probes), not -1",
            "--keepalive-timeout=0 | --keepalive-timeout must be 1-31536000 seconds, not 0",
            "--send-rate=-1     | --send-rate must be at least 0 (0: no send limits), not -1",
            "--send-burst=0     | --send-burst must be at least 1, not 0",
            "--send-byte-rate=0 | --send-byte-rate must be at least 1, not 0",
            "--send-byte-burst=4095 | --send-byte-burst must be at least 4096 (one longest line), not 4095",
            "--login-attempts-per-name=0 | --login-attempts-per-name must be 1-10000, not 0",
            "--login-attempts-per-address=10001 | --login-attempts-per-address must be 1-10000, not 10001",
            "--registrations-per-address=0 | --registrations-per-address must be 1-10000, not 0",
            "--registrations-per-minute=-5 | --registrations-per-minute must be 1-10000, not -5",
            "--resume-token-ttl=0 | --resume-token-ttl must be 1-31536000 seconds, not 0",
            "--resume-tokens-per-user=0 | --resume-tokens-per-user must be 1-1000, not 0",
    })
    void serverOptionOutOfRangeIsAUsageErrorInOneLine(String option, String message) {
        Path db = dir.resolve("chat.db");
        Run r = run("server", "--db=" + db, option);
        assertUsageError(r, "server", message);
        assertThat(db).as("checked before anything is opened").doesNotExist();
    }

    @Test
    void unknownLogLevelListsTheNamesThatWork() {
        Run r = run("server", "--log-level=verbose");
        assertUsageError(r, "server", "Invalid value for option '--log-level': unknown log level 'verbose'; use one of "
                + LogSetup.LEVEL_NAMES);
    }

    @Test
    void notANumberIsAUsageError() {
        Run r = run("server", "--port=seven");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err().lines()).hasSize(2).first().asString()
                .startsWith("chatroom server: Invalid value for option '--port': 'seven' is not an int");
    }

    @Test
    void unknownOptionIsAUsageErrorWithTheHint() {
        Run r = run("server", "--prot=7000");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).startsWith("chatroom server: Unknown option: '--prot=7000'")
                .contains("Try 'chatroom server --help' for more information.")
                .doesNotContain("Exception");
    }

    @Test
    void clientHostThatDoesNotResolveIsAUsageError() {
        assertUsageError(run("client", "--host=no.such.host"), "client", "--host: cannot resolve host 'no.such.host'");
    }

    @Test
    void clientPortOutOfRangeIsAUsageError() {
        assertUsageError(run("client", "--port=70000"), "client", "--port must be 1-65535, not 70000");
        assertUsageError(run("client", "--port=0"), "client", "--port must be 1-65535, not 0");
    }

    @Test
    void logLevelDebugInCapitalsIsAccepted() {
        CommandLine cmd = ChatroomMain.commandLine();
        CommandLine.ParseResult parsed = cmd.parseArgs("server", "--log-level=DEBUG");
        ServerCommand server = (ServerCommand) parsed.subcommand().commandSpec().userObject();
        assertThat(server.logLevel).isEqualTo(Level.FINE);
    }

    @ParameterizedTest(name = "{0} is {1}")
    @CsvSource({
            "debug, FINE", "DEBUG, FINE", "info, INFO", "warn, WARNING", "Warning, WARNING", "error, SEVERE",
            "trace, FINEST", "off, OFF", "all, ALL", "SEVERE, SEVERE", "config, CONFIG", "fine, FINE",
            "FINER, FINER", "finest, FINEST",
    })
    void levelNamesPeopleTypeAndJulNamesMapToJulLevels(String name, String jul) {
        assertThat(LogSetup.parseLevel(name)).isEqualTo(Level.parse(jul));
    }

    @Test
    void levelNumbersAndOtherWordsAreRejected() {
        assertThatThrownBy(() -> LogSetup.parseLevel("800")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LogSetup.parseLevel("verbose")).hasMessageContaining("debug");
    }

    @Test
    void serverTlsOptionsThatDoNotFitTogetherAreUsageErrors() throws Exception {
        Path db = dir.resolve("chat.db");
        Path file = Files.writeString(dir.resolve("some.file"), "x\n");
        assertUsageError(run("server", "--db=" + db, "--tls-port=7000"), "server",
                "--tls-port needs --tls-keystore or --tls-self-signed");
        assertUsageError(run("server", "--db=" + db, "--tls-keystore=" + file), "server",
                "--tls-keystore needs --tls-password-file (a file holding the key store's password)");
        assertUsageError(run("server", "--db=" + db, "--tls-password-file=" + file), "server",
                "--tls-password-file is the password of --tls-keystore, which is missing");
        assertUsageError(run("server", "--db=" + db, "--tls-self-signed", "--tls-keystore=" + file,
                "--tls-password-file=" + file), "server", "--tls-keystore and --tls-self-signed exclude each other: give one");
        assertUsageError(run("server", "--db=" + db, "--tls-self-signed", "--tls-port=70000"), "server",
                "--tls-port must be 0-65535 (0 picks a free port), not 70000");
        assertUsageError(run("server", "--db=" + db, "--tls-self-signed", "--port=7000", "--tls-port=7000"), "server",
                "--port and --tls-port are both 7000; give the plain-text and TLS listeners different ports");
        assertUsageError(run("server", "--db=" + db, "--tls-keystore=" + dir.resolve("none.p12"),
                "--tls-password-file=" + file), "server", "--tls-keystore: no such file " + dir.resolve("none.p12"));
        assertThat(db).as("checked before anything is opened").doesNotExist();
        assertThat(dir.resolve(ServerIdentity.SELF_SIGNED_STORE)).doesNotExist();
    }

    @Test
    void wrongKeyStorePasswordIsOneLineAndExitOneBeforeTheDatabaseIsOpened() throws Exception {
        Path db = dir.resolve("chat.db");
        Path store = ServerIdentity.selfSigned(dir.resolve("tls")).file();
        Path wrong = Files.writeString(dir.resolve("wrong.txt"), "not-the-password\n");
        Run r = run("server", "--db=" + db, "--port=0", "--tls-keystore=" + store, "--tls-password-file=" + wrong);
        assertThat(r.exit()).as(r.err()).isEqualTo(1);
        assertThat(r.out()).isEmpty();
        assertThat(r.err().lines()).containsExactly("chatroom server: cannot start: cannot open TLS key store " + store
                + ": wrong password (from --tls-password-file " + wrong + ")");
        assertThat(db).doesNotExist();
    }

    @Test
    void clientTlsOptionsThatDoNotFitAreUsageErrors() {
        String fp = "AB:" + "00:".repeat(30) + "CD";
        assertUsageError(run("client", "--trust=ca.pem"), "client", "--trust needs --tls");
        assertUsageError(run("client", "--fingerprint=" + fp), "client", "--fingerprint needs --tls");
        assertUsageError(run("client", "--tls", "--trust=ca.pem", "--fingerprint=" + fp), "client",
                "--trust and --fingerprint exclude each other: give one");
        assertUsageError(run("client", "--tls", "--fingerprint=abc"), "client",
                "--fingerprint: 'abc' is not a SHA-256 fingerprint: expected 64 hex digits, as in AB:CD:...:EF");
    }

    @Test
    void clientTrustStoreThatCannotBeReadIsOneLineAndExitOne() {
        Path missing = dir.resolve("none.pem");
        Run r = run("client", "--tls", "--trust=" + missing);
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err().lines()).containsExactly("chatroom client: trust store " + missing + " does not exist");
    }
}
