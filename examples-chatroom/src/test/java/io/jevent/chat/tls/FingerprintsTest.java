package io.jevent.chat.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Fingerprints as people paste them: from openssl, keytool, with or without colons and prefix. */
class FingerprintsTest {
    private static final String CANONICAL =
            "01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF";

    @ParameterizedTest
    @ValueSource(strings = {
            CANONICAL,
            "01:23:45:67:89:ab:cd:ef:01:23:45:67:89:ab:cd:ef:01:23:45:67:89:ab:cd:ef:01:23:45:67:89:ab:cd:ef",
            "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            "SHA256:0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF",
            "sha256 Fingerprint=01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF",
            "  SHA-256:" + CANONICAL + "  ",
    })
    void theFormsPeoplePasteAreRead(String typed) {
        assertThat(Fingerprints.parse(typed)).isEqualTo(CANONICAL);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "01:23", "zz23456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef00"})
    void anythingElseIsRefusedSayingWhatIsExpected(String typed) {
        assertThatThrownBy(() -> Fingerprints.parse(typed)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is not a SHA-256 fingerprint: expected 64 hex digits");
    }
}
