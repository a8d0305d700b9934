package io.jevent.chat.server;

import java.io.IOException;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.channels.SocketChannel;

import jdk.net.ExtendedSocketOptions;

/**
 * Socket options of every accepted connection.
 *
 * <p>TCP keepalive ({@code SO_KEEPALIVE}) lets the kernel find a peer that vanished without a FIN or
 * RST even while the server has nothing to send: that covers connections the application keepalive
 * does not probe (logged out, closing, or with {@link Keepalive#OFF}). The kernel's default first
 * probe comes after two hours, so where the platform allows it the timing is set to a first probe
 * after {@value #IDLE_SECONDS} s of silence, then every {@value #INTERVAL_SECONDS} s, giving up after
 * {@value #COUNT} unanswered probes (about two minutes in all).
 *
 * <p>Threading: called on the loop that takes the connection, before it is registered.
 */
final class SocketSetup {
    static final int IDLE_SECONDS = 60;
    static final int INTERVAL_SECONDS = 10;
    static final int COUNT = 6;
    private static final System.Logger LOG = System.getLogger(SocketSetup.class.getName());

    private SocketSetup() {
    }

    /**
     * Sets TCP_NODELAY and TCP keepalive (with its timing where supported) on {@code channel}. A
     * failure is logged, not thrown: the connection works without these options.
     */
    static void configure(SocketChannel channel) {
        try {
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);   // chat lines are small and interactive
            channel.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
            setIfSupported(channel, ExtendedSocketOptions.TCP_KEEPIDLE, IDLE_SECONDS);
            setIfSupported(channel, ExtendedSocketOptions.TCP_KEEPINTERVAL, INTERVAL_SECONDS);
            setIfSupported(channel, ExtendedSocketOptions.TCP_KEEPCOUNT, COUNT);
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "cannot set socket options", e);
        }
    }

    private static void setIfSupported(SocketChannel channel, SocketOption<Integer> option, int value)
            throws IOException {
        if (channel.supportedOptions().contains(option)) {
            channel.setOption(option, value);
        }
    }
}
