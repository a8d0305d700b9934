package io.jevent.examples.echo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The command line: {@code EchoServer --port 0 [--loops N]} prints its port, echoes, and stops on SIGTERM. */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class EchoServerMainTest {

    @ParameterizedTest(name = "--loops {0}")
    @ValueSource(ints = {1, 2})
    @DisplayName("EchoServer --port 0 --loops N prints the bound port, echoes a line, and exits 0 on SIGTERM")
    void mainPrintsPortEchoesAndStopsOnTerm(int loops) throws Exception {
        // The test JVM's own class path: this module's classes plus eventloop-core and eventloop-msgqueue.
        String cp = System.getProperty("java.class.path");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-Xshare:off", "-cp", cp, EchoServer.class.getName(),
                "--port", "0", "--loops", Integer.toString(loops))
                .redirectErrorStream(true).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String first = out.readLine();
            assertThat(first).matches("port \\d+");
            int port = Integer.parseInt(first.substring("port ".length()));
            assertThat(port).isPositive();

            // Two connections, so with two loops each loop serves one.
            for (int i = 0; i < 2; i++) {
                try (SocketChannel c = SocketChannel.open(new InetSocketAddress(InetAddress.getLoopbackAddress(), port))) {
                    byte[] hello = ("hello, echo " + i + "\n").getBytes(StandardCharsets.US_ASCII);
                    c.write(ByteBuffer.wrap(hello));
                    ByteBuffer back = ByteBuffer.allocate(hello.length);
                    while (back.hasRemaining() && c.read(back) >= 0) {
                        // blocking read until the echo is complete
                    }
                    assertThat(back.array()).isEqualTo(hello);
                }
            }
            p.destroy();        // SIGTERM: the server's signal event breaks its loop
            assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).isZero();
        } finally {
            p.destroyForcibly();
        }
    }
}
