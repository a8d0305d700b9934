package io.jevent.chat.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.SecureRandom;
import org.junit.jupiter.api.Test;

class PasswordHasherTest {
    /** Low count: the tests check behaviour, not cost. */
    private final PasswordHasher hasher = new PasswordHasher(1_000, new SecureRandom());

    @Test
    void defaultIsTheOwaspCount() {
        assertThat(PasswordHasher.DEFAULT_ITERATIONS).isEqualTo(600_000);
    }

    @Test
    void roundTrip() {
        String encoded = hasher.hash("correct horse");
        assertThat(encoded).startsWith("pbkdf2-sha256$1000$");
        assertThat(encoded.split("\\$")).hasSize(4);
        assertThat(hasher.verify("correct horse", encoded)).isTrue();
    }

    @Test
    void wrongPasswordFails() {
        String encoded = hasher.hash("correct horse");
        assertThat(hasher.verify("correct hors", encoded)).isFalse();
        assertThat(hasher.verify("Correct horse", encoded)).isFalse();
    }

    @Test
    void saltMakesEveryHashDifferent() {
        assertThat(hasher.hash("same password")).isNotEqualTo(hasher.hash("same password"));
    }

    @Test
    void unknownUserGoesThroughTheDummyHashAndFails() {
        assertThat(hasher.verify("any password", null)).isFalse();
    }

    @Test
    void nonAsciiPasswords() {
        String encoded = hasher.hash("p\u00e4ssw\u00f6rd \ud83d\ude00");
        assertThat(hasher.verify("p\u00e4ssw\u00f6rd \ud83d\ude00", encoded)).isTrue();
        assertThat(hasher.verify("passwörd", encoded)).isFalse();
    }

    @Test
    void hashesWithAnOlderCountStillVerifyAndAskForRehash() {
        PasswordHasher old = new PasswordHasher(500, new SecureRandom());
        String oldHash = old.hash("upgrade me");
        assertThat(hasher.verify("upgrade me", oldHash)).isTrue();
        assertThat(hasher.needsRehash(oldHash)).isTrue();
        String fresh = hasher.hash("upgrade me");
        assertThat(hasher.needsRehash(fresh)).isFalse();
        assertThat(old.needsRehash(fresh)).isFalse();   // stronger than required is fine
        assertThat(old.verify("upgrade me", fresh)).isTrue();
    }

    @Test
    void malformedStoredHashIsAServerErrorNotAFalse() {
        assertThatThrownBy(() -> hasher.verify("x", "plain-text-password")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> hasher.verify("x", "pbkdf2-sha256$abc$AAAA$AAAA")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> hasher.verify("x", "pbkdf2-sha256$1000$!!$AAAA")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> hasher.verify("x", "pbkdf2-sha256$99999999$AAAA$AAAA"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PasswordHasher(0, new SecureRandom())).isInstanceOf(IllegalArgumentException.class);
    }
}
