package io.baton.controller.handoff;

import io.baton.controller.engine.EngineCounters;
import io.baton.handoff.protocol.HandoffPipeline;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.timeout.IdleStateHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/** Listens for agents on the configured address only. */
public final class HandoffServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HandoffServer.class);
    /** Unauthenticated or silent sessions are closed after this long without a message. */
    private static final int READ_IDLE_SECONDS = 10;
    private static final int MAX_PENDING_ACCEPTS = 128;

    private final EventLoopGroup group = new NioEventLoopGroup(1);
    private Channel server;

    public InetSocketAddress start(InetSocketAddress listen, byte[] secret, AgentEvents events, EngineCounters counters) {
        ServerBootstrap b = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, MAX_PENDING_ACCEPTS)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        // Handoff requests and commits are written one by one from the engine thread:
                        // let Netty merge their flushes into fewer write(2) calls.
                        ch.pipeline().addLast("flushes", new io.netty.handler.flush.FlushConsolidationHandler(64, true));
                        HandoffPipeline.addCodec(ch.pipeline());
                        ch.pipeline().addLast("idle", new IdleStateHandler(READ_IDLE_SECONDS, 0, 0, TimeUnit.SECONDS));
                        ch.pipeline().addLast("agent", new AgentChannelHandler(secret, events, counters));
                    }
                });
        server = b.bind(listen).syncUninterruptibly().channel();
        InetSocketAddress bound = (InetSocketAddress) server.localAddress();
        log.info("handoff channel listening on {}", bound);
        return bound;
    }

    @Override
    public void close() {
        if (server != null) {
            server.close().syncUninterruptibly();
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
