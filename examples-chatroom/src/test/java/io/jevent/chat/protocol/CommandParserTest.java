package io.jevent.chat.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class CommandParserTest {

    private static Command ok(String line, boolean loggedIn) {
        ParseResult r = CommandParser.parse(line, loggedIn);
        assertThat(r).as(line).isInstanceOf(Command.class);
        return (Command) r;
    }

    private static ProtocolError err(String line, boolean loggedIn) {
        ParseResult r = CommandParser.parse(line, loggedIn);
        assertThat(r).as(line).isInstanceOf(ProtocolError.class);
        return (ProtocolError) r;
    }

    @ParameterizedTest
    @CsvSource({"HELP,HELP", "help,HELP", "Ping,PING", "quit,QUIT", "pInG,PING"})
    void verbsAreCaseInsensitive(String line, Verb verb) {
        assertThat(ok(line, false).verb()).isEqualTo(verb);
    }

    @Test
    void verbMatchingIsAsciiOnly() {
        // U+0131 dotless i upper-cases to 'I' in Java; it must not make "PİNG"-like verbs match.
        assertThat(err("LOG\u0131N alice password1", false)).isEqualTo(ProtocolError.UNKNOWN_COMMAND);
    }

    @Test
    void noArgumentCommandsParseAndRejectExtraArguments() {
        assertThat(ok("WHO", true).verb()).isEqualTo(Verb.WHO);
        assertThat(ok("LOGOUT", true).verb()).isEqualTo(Verb.LOGOUT);
        assertThat(ok("  PING  ", false).verb()).isEqualTo(Verb.PING);
        ProtocolError e = err("PING now", false);
        assertThat(e.code()).isEqualTo(400);
        assertThat(e.text()).isEqualTo("usage: PING");
        assertThat(err("WHO all", true).text()).isEqualTo("usage: WHO");
    }

    @Test
    void unknownAndEmpty() {
        assertThat(err("FOO bar", false)).isEqualTo(ProtocolError.UNKNOWN_COMMAND);
        assertThat(err("HELPME", false)).isEqualTo(ProtocolError.UNKNOWN_COMMAND);
        assertThat(err("", false).code()).isEqualTo(400);
        assertThat(err("   ", true).code()).isEqualTo(400);
    }

    @Test
    void lineTerminatorsAreIgnored() {
        assertThat(ok("PING\r\n", false).verb()).isEqualTo(Verb.PING);
        assertThat(ok("PING\n", false).verb()).isEqualTo(Verb.PING);
        assertThat(ok("SAY hi\r\n", true).text()).isEqualTo("hi");
    }

    /**
     * The terminator is LF with at most one CR right before it. The framer has already removed
     * it, so a CR left at the end is content: a control character, refused like any other.
     */
    @ParameterizedTest
    @ValueSource(strings = {"PING\r", "SAY abc\r", "PING\r\r\n", "SAY abc\r\r\n", "PING\r\r"})
    void aCrThatIsNotPartOfTheTerminatorIsAControlCharacter(String line) {
        assertThat(err(line, true)).isEqualTo(ProtocolError.CONTROL_CHARACTER);
    }

    @Test
    void loginGate() {
        for (String line : new String[] {"WHO", "MSG bob hi", "SAY hi", "HISTORY", "LOGOUT", "MSG"}) {
            assertThat(err(line, false)).as(line).isEqualTo(ProtocolError.LOGIN_REQUIRED);
        }
        assertThat(ok("REGISTER bob password1", false).verb()).isEqualTo(Verb.REGISTER);
        assertThat(ok("REGISTER bob password1", true).verb()).isEqualTo(Verb.REGISTER);
        assertThat(err("LOGIN bob password1", true)).isEqualTo(ProtocolError.ALREADY_LOGGED_IN);
    }

    @Test
    void register() {
        Command c = ok("REGISTER Alice_1.x-y s3cret-pass", false);
        assertThat(c.name()).isEqualTo("Alice_1.x-y");
        assertThat(c.password()).isEqualTo("s3cret-pass");
        assertThat(c.toString()).doesNotContain("s3cret");
        assertThat(err("REGISTER", false).text()).isEqualTo("usage: REGISTER <name> <password>");
        assertThat(err("REGISTER alice", false).code()).isEqualTo(400);
        assertThat(err("REGISTER alice pass word1", false).code()).isEqualTo(400);
    }

    @ParameterizedTest
    @ValueSource(strings = {"al!ce", "al\u00e9", "abcdefghijabcdefghijabcdefghijabc", "a/b", "a:b"})
    void registerRejectsBadNamesWith422(String name) {
        ProtocolError e = err("REGISTER " + name + " password1", false);
        assertThat(e.code()).isEqualTo(422);
        assertThat(e.text()).contains("name");
    }

    @Test
    void nameLengthBoundaries() {
        assertThat(ok("REGISTER a password1", false).name()).isEqualTo("a");
        String name32 = "abcdefghijabcdefghijabcdefghij12";
        assertThat(ok("REGISTER " + name32 + " password1", false).name()).isEqualTo(name32);
    }

    @Test
    void passwordTakesTheCurrentAndTheNewPasswordAndNeverPrintsThem() {
        Command c = ok("password old-secret new-secret-2", true);
        assertThat(c.verb()).isEqualTo(Verb.PASSWORD);
        assertThat(c.password()).isEqualTo("old-secret");
        assertThat(c.text()).isEqualTo("new-secret-2");
        assertThat(c.toString()).doesNotContain("secret");
        assertThat(err("PASSWORD old-secret new-secret-2", false)).isEqualTo(ProtocolError.LOGIN_REQUIRED);
        assertThat(err("PASSWORD old-secret", true).text()).isEqualTo("usage: PASSWORD <old-password> <new-password>");
        assertThat(err("PASSWORD old-secret new secret", true).text())
                .isEqualTo("usage: PASSWORD <old-password> <new-password>");
        assertThat(err("PASSWORD old-secret short", true).text()).isEqualTo("password must be 8-128 bytes");
        assertThat(err("PASSWORD x " + "é".repeat(65), true).text()).as("130 bytes")
                .isEqualTo("password must be 8-128 bytes");
        assertThat(ok("PASSWORD x new-secret-2", true).password()).as("an old password is only checked by hashing")
                .isEqualTo("x");
        assertThat(err("PASSWORD " + "x".repeat(129) + " new-secret-2", true)).isEqualTo(ProtocolError.WRONG_PASSWORD);
    }

    @Test
    void passwordLengthIsCountedInUtf8Bytes() {
        assertThat(err("REGISTER bob 1234567", false).code()).isEqualTo(422);
        assertThat(ok("REGISTER bob 12345678", false).password()).isEqualTo("12345678");
        // 4 chars x 2 bytes = 8 bytes: accepted although only 4 characters.
        assertThat(ok("REGISTER bob \u00e9\u00e9\u00e9\u00e9", false).password()).hasSize(4);
        // 3 chars x 2 bytes = 6 bytes: too short.
        assertThat(err("REGISTER bob \u00e9\u00e9\u00e9", false).code()).isEqualTo(422);
        assertThat(ok("REGISTER bob " + "x".repeat(128), false).password()).hasSize(128);
        assertThat(err("REGISTER bob " + "x".repeat(129), false).code()).isEqualTo(422);
        // 43 x 3-byte chars = 129 bytes: too long although only 43 characters.
        assertThat(err("REGISTER bob " + "\u20ac".repeat(43), false).text()).contains("password");
        // Supplementary characters are 4 bytes: 2 x U+1F600 = 8 bytes.
        assertThat(ok("REGISTER bob \ud83d\ude00\ud83d\ude00", false).verb()).isEqualTo(Verb.REGISTER);
    }

    @Test
    void loginNeverTellsWhichPartIsMalformed() {
        assertThat(ok("login bob password1", false).name()).isEqualTo("bob");
        assertThat(err("LOGIN b@d password1", false)).isEqualTo(ProtocolError.BAD_CREDENTIALS);
        assertThat(err("LOGIN bob short", false)).isEqualTo(ProtocolError.BAD_CREDENTIALS);
        assertThat(err("LOGIN bob", false).code()).isEqualTo(400);
    }

    @Test
    void msgKeepsTextSpacesVerbatim() {
        Command c = ok("MSG  bob   hello,  world  ", true);
        assertThat(c.name()).isEqualTo("bob");
        assertThat(c.text()).isEqualTo("hello,  world  ");
        assertThat(ok("msg bob \u4f60\u597d \ud83d\ude00", true).text()).isEqualTo("\u4f60\u597d \ud83d\ude00");
        assertThat(err("MSG bob", true).text()).isEqualTo("usage: MSG <name> <text>");
        assertThat(err("MSG bob   ", true).code()).isEqualTo(400);
        assertThat(err("MSG", true).code()).isEqualTo(400);
        assertThat(err("MSG b@b hi", true)).isEqualTo(ProtocolError.NO_SUCH_USER);
    }

    @Test
    void say() {
        assertThat(ok("SAY  hello  all ", true).text()).isEqualTo("hello  all ");
        assertThat(err("SAY", true).text()).isEqualTo("usage: SAY <text>");
        assertThat(err("SAY    ", true).code()).isEqualTo(400);
    }

    @ParameterizedTest
    @ValueSource(strings = {"SAY a\u0000b", "SAY a\tb", "SAY a\rb", "SAY a\nb", "MSG bob x\u001by",
        "SAY del\u007f", "SAY c1\u0085", "REGISTER bob pass\u0000word"})
    void controlCharactersRejectTheLine(String line) {
        assertThat(err(line, true)).isEqualTo(ProtocolError.CONTROL_CHARACTER);
    }

    @Test
    void historyDefaultsAndForms() {
        Command plain = ok("HISTORY", true);
        assertThat(plain.count()).isEqualTo(20);
        assertThat(plain.name()).isNull();
        assertThat(ok("history 5", true).count()).isEqualTo(5);
        Command withName = ok("HISTORY bob", true);
        assertThat(withName.count()).isEqualTo(20);
        assertThat(withName.name()).isEqualTo("bob");
        Command both = ok("HISTORY 500 bob", true);
        assertThat(both.count()).isEqualTo(500);
        assertThat(both.name()).isEqualTo("bob");
        // A numeric-looking user name needs the two-argument form.
        Command numericName = ok("HISTORY 1 123", true);
        assertThat(numericName.name()).isEqualTo("123");
        assertThat(numericName.count()).isEqualTo(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"HISTORY 0", "HISTORY 501", "HISTORY -1", "HISTORY 99999999999999999999",
        "HISTORY +0", "HISTORY 0 bob"})
    void historyCountOutOfRangeIs422(String line) {
        ProtocolError e = err(line, true);
        assertThat(e.code()).isEqualTo(422);
        assertThat(e.text()).isEqualTo("count must be 1-500");
    }

    @Test
    void historyMalformed() {
        assertThat(err("HISTORY ten bob", true).text()).isEqualTo("count must be a number");
        assertThat(err("HISTORY 5 bob extra", true).code()).isEqualTo(400);
        assertThat(err("HISTORY 5 b@b", true)).isEqualTo(ProtocolError.NO_SUCH_USER);
        assertThat(err("HISTORY b@b", true)).isEqualTo(ProtocolError.NO_SUCH_USER);
    }

    @Test
    void isValidName() {
        assertThat(CommandParser.isValidName("a.b-c_D9")).isTrue();
        assertThat(CommandParser.isValidName("")).isFalse();
        assertThat(CommandParser.isValidName(null)).isFalse();
        assertThat(CommandParser.isValidName("a b")).isFalse();
    }
}
