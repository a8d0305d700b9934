package io.jevent.bench.echo;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLException;

import io.jevent.examples.echo.EchoTls;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;

/**
 * The baseline of the echo benchmark: Netty 4.2's NIO transport with its idiomatic echo handler
 * ({@code ctx.write(msg)} per read, {@code ctx.flush()} once the reads of a wake-up are done), a boss
 * group of one thread that accepts and a worker group of N threads that serve the connections — the
 * same shape as jevent's {@code EchoServer --loops N}.
 *
 * <p>Settings match jevent's {@code EchoServer}: 127.0.0.1, listen backlog 1,024, {@code TCP_NODELAY}
 * on every connection (Netty's default too, set explicitly so the comparison does not depend on it).
 * Everything else is Netty's default, as a user would get it (its default buffer allocator, leak
 * detection sampling).
 *
 * <p>With the TLS flags of {@link EchoTls.Flags} every connection gets an {@code SslHandler} first in its
 * pipeline, from an {@link SslContext} built as Netty's documentation shows: {@link SslContextBuilder}
 * with the key store's key managers and {@link SslProvider#JDK} (the JDK's {@code SSLEngine}, as jevent
 * uses), restricted to the flags' protocol and cipher suite, everything else Netty's default (delegated
 * tasks run on the event loop, session cache of the JDK's context). The echo handler then sees plaintext.
 *
 * <p>Usage: {@code NettyEchoServer [--workers N] [--port P] [TLS flags]}; prints {@code port N} once
 * listening and runs until SIGTERM or SIGINT, when a shutdown hook closes the groups (the exit status is
 * then the JVM's for the signal, 143 or 130).
 */
public final class NettyEchoServer {
    private NettyEchoServer() {
    }

    /** Writes back whatever it reads; flushes once per batch of reads. Stateless, so one is shared. */
    @ChannelHandler.Sharable
    static final class EchoHandler extends ChannelInboundHandlerAdapter {
        static final EchoHandler INSTANCE = new EchoHandler();

        // FutureReturnValueIgnored: a write fails only when the connection does, and Netty then
        // closes the channel itself; an echo server has nothing more to do about it.
        @Override
        @SuppressWarnings("FutureReturnValueIgnored")
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ctx.write(msg);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        // FutureReturnValueIgnored: closing a broken connection is best effort; nothing waits on it.
        @Override
        @SuppressWarnings("FutureReturnValueIgnored")
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();            // a reset by the load generator at the end of a run: nothing to report
        }
    }

    public static void main(String[] args) throws InterruptedException, SSLException {
        int workers = 1;
        int port = 0;
        EchoTls.Flags tlsFlags = new EchoTls.Flags();
        for (int i = 0; i < args.length; i += 2) {
            if (i + 1 >= args.length) {
                usage();
            } else if (args[i].equals("--workers")) {
                workers = Integer.parseInt(args[i + 1]);
            } else if (args[i].equals("--port")) {
                port = Integer.parseInt(args[i + 1]);
            } else if (!tlsFlags.take(args[i], args[i + 1])) {
                usage();
            }
        }
        if (workers < 1) {
            usage();
        }
        SslContext ssl = sslContext(tlsFlags.load());
        EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(workers, NioIoHandler.newFactory());
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }, "netty-echo-shutdown"));
        Channel server = new ServerBootstrap()
                .group(boss, group)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (ssl != null) {
                            ch.pipeline().addLast(ssl.newHandler(ch.alloc()));
                        }
                        ch.pipeline().addLast(EchoHandler.INSTANCE);
                    }
                })
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port)).sync().channel();
        System.out.println("port " + ((InetSocketAddress) server.localAddress()).getPort());
        System.out.flush();
        server.closeFuture().sync();
    }

    /** Netty's server context for {@code tls}, or null for plain TCP. */
    private static SslContext sslContext(EchoTls tls) throws SSLException {
        if (tls == null) {
            return null;
        }
        SslContextBuilder builder = SslContextBuilder.forServer(tls.keyManagers()).sslProvider(SslProvider.JDK);
        if (!tls.protocols().isEmpty()) {
            builder.protocols(tls.protocols());
        }
        if (!tls.cipherSuites().isEmpty()) {
            builder.ciphers(tls.cipherSuites());
        }
        return builder.build();
    }

    private static void usage() {
        System.err.println("usage: NettyEchoServer [--workers N] [--port P] " + EchoTls.Flags.usage()
                + "   (port 0 = any free port)");
        System.exit(2);
    }
}
