package io.jevent.msgqueue;

import io.jevent.core.EventBase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import io.jevent.testing.CapturedLog;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;

import static io.jevent.msgqueue.TestSupport.PATIENCE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * One exception policy across the modules, the one {@code EventBase} has: an ordinary exception from
 * user code is reported and the loop goes on; a {@link VirtualMachineError} propagates out of the loop.
 */
class VirtualMachineErrorPolicyTest {

    @Test
    @Timeout(30)
    void aConsumersVirtualMachineErrorPropagatesOutOfTheLoopInsteadOfBeingReported() {
        List<Throwable> reported = new ArrayList<>();
        try (EventBase base = new EventBase()) {
            MsgQueue<String> q = MsgQueue.<String>builder(base, m -> {
                throw new StackOverflowError("consumer recursed");
            }).onError((m, e) -> reported.add(e)).build();
            q.push("boom");
            assertThatThrownBy(() -> base.loop(EventBase.LOOP_ONCE))
                    .isInstanceOf(StackOverflowError.class).hasMessage("consumer recursed");
            assertThat(reported).as("not swallowed by the delivery error handler").isEmpty();
        }
    }

    @Test
    @Timeout(90)
    void aHandOffWhoseInitThrowsAVirtualMachineErrorClosesTheChannelAndEndsTheLoop() throws Exception {
        try (CapturedLog log = CapturedLog.of(EventLoopThread.class)) {
            aHandOffWhoseInitThrowsAVirtualMachineErrorClosesTheChannelAndEndsTheLoop(log);
        }
    }

    private void aHandOffWhoseInitThrowsAVirtualMachineErrorClosesTheChannelAndEndsTheLoop(CapturedLog log)
            throws Exception {
        EventLoopGroup group = new EventLoopGroup(1, "vm-error");
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            try (SocketChannel client = SocketChannel.open(server.getLocalAddress())) {
                SocketChannel accepted = server.accept();
                EventLoopThread loop = group.dispatchAccepted(accepted, (base, ch) -> {
                    throw new OutOfMemoryError("simulated");
                });
                assertThat(loop.awaitTermination(PATIENCE)).as("the loop thread ends, as after any VM error").isTrue();
                assertThat(accepted.isOpen()).as("the connection is closed, not leaked").isFalse();
                assertThat(client.read(ByteBuffer.allocate(1))).as("the peer sees the close as end of stream").isEqualTo(-1);
                assertThat(log.records(Level.WARNING)).singleElement().satisfies(r -> {
                    assertThat(r.getMessage()).isEqualTo("loop thread vm-error-0 dies");
                    assertThat(r.getThrown()).isInstanceOf(OutOfMemoryError.class).hasMessage("simulated");
                });
            }
        } finally {
            // The loop died on purpose: the shutdown reports that death, asserted above through the log.
            assertThat(group.shutdownGracefully(Duration.ZERO, PATIENCE)).failsWithin(PATIENCE);
            assertThat(group.awaitTermination(PATIENCE)).isTrue();
        }
    }
}
