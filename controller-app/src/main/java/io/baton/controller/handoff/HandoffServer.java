package io.baton.controller.handoff;

import io.baton.controller.engine.EngineCounters;
import io.baton.handoff.protocol.HandoffPipeline;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.timeout.IdleStateHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * Listens for agents on the configured address only. The agents' channels run on the event loop
 * it is given, which should be the engine's own: a handoff request or commit the engine writes
 * then goes out from its own thread, and an agent's answer reaches the engine without waking
 * another thread (each such hand-over cost tens of microseconds on the handoff's path).
 */
public final class HandoffServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HandoffServer.class);
    /** Unauthenticated or silent sessions are closed after this long without a message. */
    private static final int READ_IDLE_SECONDS = 10;
    private static final int MAX_PENDING_ACCEPTS = 128;

    private final EventLoopGroup group;
    /** Whether {@link #group} is this server's to shut down. */
    private final boolean ownsGroup;
    private final ChannelGroup sessions;
    private Channel server;

    /** On a thread of its own. */
    public HandoffServer() {
        this(new NioEventLoopGroup(1), true);
    }

    /** On {@code loop} (NIO), which the caller owns and shuts down after {@link #close()}. */
    public HandoffServer(EventLoop loop) {
        this(loop, false);
    }

    private HandoffServer(EventLoopGroup group, boolean ownsGroup) {
        this.group = group;
        this.ownsGroup = ownsGroup;
        this.sessions = new DefaultChannelGroup("baton-agents", group.next());
    }

    public InetSocketAddress start(InetSocketAddress listen, byte[] secret, AgentEvents events, EngineCounters counters) {
        ServerBootstrap b = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, MAX_PENDING_ACCEPTS)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        sessions.add(ch);
                        // Handoff requests and commits are written one by one by the engine: let
                        // Netty merge their flushes into fewer write(2) calls.
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
        sessions.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        if (ownsGroup) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}
