package io.jevent.chat.server;

import static io.jevent.chat.server.ServerFixture.PW;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;

import io.jevent.chat.Transport;
import io.jevent.chat.store.StoreConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server listens in plain text, in TLS, or both at once; the users of either meet in the same
 * chat room. (Every other end-to-end test runs over both transports, see {@link Transport}.)
 */
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class TlsListenersTest {
    @TempDir
    Path dir;

    private ChatServer start(boolean alsoPlain) throws Exception {
        ServerConfig config = ServerFixture.config(dir.resolve("chat.db"));
        ServerTls tls = new ServerTls(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                Transport.identity().context(), alsoPlain);
        return ChatServer.start(config, StoreConfig.defaults(config.database()).withDurability(config.durability()),
                ServerFixture.TEST_LIMITS, System::nanoTime, tls);
    }

    @Test
    void plainAndTlsListenersAtOnceServeOneChatRoom() throws Exception {
        try (ChatServer server = start(true);
             ChatClient ann = ChatClient.connect(Transport.PLAIN, server.address());
             ChatClient bob = ChatClient.connect(Transport.TLS, server.tlsAddress())) {
            assertThat(server.address().getPort()).isNotEqualTo(server.tlsAddress().getPort());
            ann.registerAndLogin("ann", PW);
            bob.registerAndLogin("bob", PW);
            assertThat(ann.call("MSG bob over two transports")).startsWith("OK sent ");
            assertThat(bob.awaitEvent(e -> e.startsWith("FROM ann "))).endsWith(" over two transports");
            assertThat(server.stats().accepted()).isEqualTo(2);
        }
    }

    @Test
    void withTlsOnlyThereIsNoPlainListener() throws Exception {
        try (ChatServer server = start(false);
             ChatClient bob = ChatClient.connect(Transport.TLS, server.tlsAddress())) {
            assertThat(server.address()).isNull();
            assertThat(bob.call("PING")).isEqualTo("OK pong");
            assertThat(bob.socket.getClass().getName()).as("the JDK's SSLSocket at the other end").contains("SSL");
        }
    }
}
