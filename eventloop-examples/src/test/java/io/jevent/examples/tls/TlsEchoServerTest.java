package io.jevent.examples.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.jevent.msgqueue.EventLoopThread;
import io.jevent.testing.TestTls;

/** The example of docs/tls.md, against the JDK's SSLSocket, with a key store made by keytool. */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class TlsEchoServerTest {
    /** Made with the class, outside the test's timeout: keytool runs are slow on a loaded machine. */
    private static final TestTls TLS = TestTls.get();

    @Test
    @DisplayName("the TLS echo server, loaded from a PKCS#12 key store, echoes what an SSLSocket sends")
    void echoesOverTls() throws Exception {
        TestTls tls = TLS;
        SSLContext ctx = TlsEchoServer.serverContext(tls.serverKeyStore(), tls.password());
        // The server on a loop thread of its own, the client on this one: the test waits for the
        // client's answer, not for the loop to notice the client's close (which may come first).
        try (EventLoopThread loop = new EventLoopThread("tls-echo")) {
            loop.start();
            TlsEchoServer server = loop.submit(() -> TlsEchoServer.start(loop.base(), 0, ctx)).get(30, TimeUnit.SECONDS);
            int port = loop.submit(server::port).get(30, TimeUnit.SECONDS);
            try (SSLSocket s = (SSLSocket) tls.clientContext().getSocketFactory()
                    .createSocket(InetAddress.getLoopbackAddress(), port)) {
                s.setSoTimeout(30_000);
                OutputStream out = s.getOutputStream();
                out.write("hello\n".getBytes(StandardCharsets.UTF_8));
                out.flush();
                InputStream in = s.getInputStream();
                assertThat(new String(in.readNBytes(6), StandardCharsets.UTF_8)).isEqualTo("hello\n");
            }
            loop.submit(() -> {
                server.close();
                return null;
            }).get(30, TimeUnit.SECONDS);
        }
    }
}
