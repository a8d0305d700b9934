package io.jevent.examples.gettingstarted;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.jevent.core.listener.ConnectionListener;
import io.jevent.msgqueue.EventLoopThread;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class EchoServerTest {

    @Test
    void echoesWhatAClientSends() throws Exception {
        try (EventLoopThread loop = new EventLoopThread("echo")) {
            loop.start();
            InetSocketAddress address = loop.submit(() -> {
                ConnectionListener listener = EchoServer.listen(loop.base(), new InetSocketAddress("127.0.0.1", 0));
                return listener.localAddress();
            }).get();

            try (Socket client = new Socket(address.getAddress(), address.getPort());
                 BufferedReader in = new BufferedReader(new InputStreamReader(client.getInputStream(), UTF_8))) {
                client.getOutputStream().write("hello\nworld\n".getBytes(UTF_8));
                assertEquals("hello", in.readLine());
                assertEquals("world", in.readLine());
            }
        }
    }
}
