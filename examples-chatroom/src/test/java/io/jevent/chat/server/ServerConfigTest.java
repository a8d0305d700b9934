package io.jevent.chat.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;

import io.jevent.chat.auth.AuthLimits;
import io.jevent.chat.store.StoreConfig;
import org.junit.jupiter.api.Test;

/** The {@code with...} methods change one setting each, through the builder, and keep every other. */
class ServerConfigTest {
    /** Every setting different from the defaults. */
    private static ServerConfig changedEverywhere() {
        return ServerConfig.defaults(Path.of("a.db")).toBuilder()
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 1234))
                .database(Path.of("b.db"))
                .durability(StoreConfig.Durability.SURVIVES_PROCESS_CRASH)
                .ioThreads(3).workers(4).pbkdf2Iterations(1_000)
                .idleTimeout(Duration.ofSeconds(7))
                .readHighWatermark(32 * 1024).writeHighWatermark(512 * 1024)
                .flushTimeout(Duration.ofSeconds(2)).shutdownTimeout(Duration.ofSeconds(3))
                .handleSignals(false)
                .sendLimits(SendLimits.OFF).keepalive(Keepalive.OFF)
                .replyBacklog(16 * 1024).outputBudget(64L << 20)
                .authLimits(AuthLimits.defaults().withResumeTokens(Duration.ofHours(1), 2))
                .build();
    }

    @Test
    void aBuilderCopiesEverySetting() {
        ServerConfig defaults = ServerConfig.defaults(Path.of("a.db"));
        assertThat(defaults.toBuilder().build()).isEqualTo(defaults);
        ServerConfig config = changedEverywhere();
        assertThat(config.toBuilder().build()).isEqualTo(config);
        assertThat(config.withKeepalive(Keepalive.DEFAULTS))
                .isEqualTo(config.toBuilder().keepalive(Keepalive.DEFAULTS).build())
                .isNotEqualTo(config);
        assertThat(config.withThreads(1, 2).ioThreads()).isEqualTo(1);
        assertThat(config.withThreads(1, 2).toBuilder().ioThreads(3).workers(4).build()).isEqualTo(config);
    }

    @Test
    void buildValidatesLikeTheConstructor() {
        ServerConfig.Builder b = ServerConfig.defaults(Path.of("a.db")).toBuilder();
        assertThatThrownBy(() -> b.ioThreads(0).build()).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.ioThreads(1).authLimits(null).build()).isInstanceOf(NullPointerException.class);
    }
}
