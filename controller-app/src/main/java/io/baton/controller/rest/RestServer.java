package io.baton.controller.rest;

import io.baton.controller.engine.BatonEngine;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.ReadTimeoutHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/** The REST API's listener, on the configured address only. */
public final class RestServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RestServer.class);
    private static final int MAX_REQUEST_BYTES = 1 << 20;

    private final EventLoopGroup group = new NioEventLoopGroup(1);
    private final LongAdder unauthorized = new LongAdder();
    private final LongAdder badRequests = new LongAdder();
    private Channel server;

    public InetSocketAddress start(InetSocketAddress listen, BatonEngine engine, byte[] token) {
        ServerBootstrap b = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast("timeout", new ReadTimeoutHandler(30));
                        ch.pipeline().addLast("http", new HttpServerCodec(4096, 8192, 8192));
                        ch.pipeline().addLast("aggregate", new HttpObjectAggregator(MAX_REQUEST_BYTES));
                        ch.pipeline().addLast("api", new RestHandler(engine, token, unauthorized, badRequests));
                    }
                });
        server = b.bind(listen).syncUninterruptibly().channel();
        InetSocketAddress bound = (InetSocketAddress) server.localAddress();
        log.info("REST API listening on {}", bound);
        return bound;
    }

    public long unauthorized() {
        return unauthorized.sum();
    }

    @Override
    public void close() {
        if (server != null) {
            server.close().syncUninterruptibly();
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
