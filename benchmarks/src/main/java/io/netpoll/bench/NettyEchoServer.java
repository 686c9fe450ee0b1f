package io.netpoll.bench;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultEventExecutorGroup;
import io.netty.util.concurrent.EventExecutorGroup;

import java.util.concurrent.ThreadLocalRandom;

/**
 * The blocking-mix baseline: a Netty NIO echo server (one event loop, 127.0.0.1:PORT) whose
 * handler runs on a separate {@link DefaultEventExecutorGroup} of {@code NETTY_EXECUTOR_THREADS}
 * threads (default 16; 0 runs it on the event loop, which a blocking handler then stalls), the
 * usual Netty answer to handlers that block. {@code NETPOLL_BLOCK_MS}, {@code NETPOLL_BLOCK_PORT}
 * and {@code NETPOLL_BLOCK_PERCENT} as in {@link EchoServer}. Run with
 * {@code java -cp benchmarks/target/benchmarks.jar io.netpoll.bench.NettyEchoServer PORT}.
 */
public final class NettyEchoServer {
    private NettyEchoServer() {}

    @ChannelHandler.Sharable
    static final class Echo extends ChannelInboundHandlerAdapter {
        private final long blockMs;
        private final int blockPercent;

        Echo(long blockMs, int blockPercent) {
            this.blockMs = blockMs;
            this.blockPercent = blockPercent;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
            if (blockPercent >= 100
                    || (blockPercent > 0 && ThreadLocalRandom.current().nextInt(100) < blockPercent)) {
                Thread.sleep(blockMs);
            }
            ctx.writeAndFlush(msg);
        }
    }

    public static void main(String[] args) throws InterruptedException {
        if (args.length != 1) {
            System.err.println("usage: NettyEchoServer PORT");
            System.exit(64);
        }
        int threads = Integer.parseInt(System.getenv().getOrDefault("NETTY_EXECUTOR_THREADS", "16"));
        long blockMs = Long.parseLong(System.getenv().getOrDefault("NETPOLL_BLOCK_MS", "5"));
        int blockPercent = Integer.parseInt(System.getenv().getOrDefault("NETPOLL_BLOCK_PERCENT", "0"));
        String blockPort = System.getenv().getOrDefault("NETPOLL_BLOCK_PORT", "");
        EventLoopGroup loops = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        EventExecutorGroup executor = threads > 0 ? new DefaultEventExecutorGroup(threads) : null;
        try {
            Channel main = bind(loops, executor, new Echo(blockMs, blockPercent), Integer.parseInt(args[0]));
            if (!blockPort.isEmpty()) {
                bind(loops, executor, new Echo(blockMs, 100), Integer.parseInt(blockPort));
            }
            System.err.println("netty echo server on 127.0.0.1:" + args[0] + " (executor threads: " + threads + ")");
            main.closeFuture().sync();
        } finally {
            loops.shutdownGracefully();
            if (executor != null) {
                executor.shutdownGracefully();
            }
        }
    }

    private static Channel bind(EventLoopGroup loops, EventExecutorGroup executor, Echo echo, int port)
            throws InterruptedException {
        return new ServerBootstrap()
                .group(loops)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (executor != null) {
                            ch.pipeline().addLast(executor, echo);
                        } else {
                            ch.pipeline().addLast(echo);
                        }
                    }
                })
                .bind("127.0.0.1", port)
                .sync()
                .channel();
    }
}
