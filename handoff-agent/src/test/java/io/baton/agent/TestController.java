package io.baton.agent;

import io.baton.handoff.protocol.Challenge;
import io.baton.handoff.protocol.HandoffAuth;
import io.baton.handoff.protocol.HandoffMessage;
import io.baton.handoff.protocol.HandoffPipeline;
import io.baton.handoff.protocol.Heartbeat;
import io.baton.handoff.protocol.Hello;
import io.baton.handoff.protocol.Welcome;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.net.InetSocketAddress;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Plays the Baton controller's side of the handoff protocol in tests: Challenge, verify Hello,
 * Welcome, heartbeats every 200 ms; records every other message the agent sends.
 */
final class TestController implements AutoCloseable {

    /** How the controller behaves during authentication. */
    enum Mode { NORMAL, WRONG_WELCOME, REQUEST_BEFORE_WELCOME }

    private final byte[] secret;
    private final Mode mode;
    private final EventLoopGroup group = new NioEventLoopGroup(1);
    private final Channel server;
    final BlockingQueue<HandoffMessage> received = new LinkedBlockingQueue<>();
    final BlockingQueue<Hello> hellos = new LinkedBlockingQueue<>();
    final AtomicInteger authOk = new AtomicInteger();
    final AtomicInteger authRefused = new AtomicInteger();
    final AtomicInteger closedByAgent = new AtomicInteger();
    final AtomicInteger heartbeatsFromAgent = new AtomicInteger();
    private volatile Channel agent;

    TestController(byte[] secret) throws InterruptedException {
        this(secret, Mode.NORMAL);
    }

    TestController(byte[] secret, Mode mode) throws InterruptedException {
        this.secret = secret.clone();
        this.mode = mode;
        server = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        HandoffPipeline.addCodec(ch.pipeline());
                        ch.pipeline().addLast(new Session());
                    }
                })
                .bind("127.0.0.1", 0).sync().channel();
    }

    int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    void send(HandoffMessage m) throws InterruptedException {
        Channel ch = agent;
        if (ch == null) {
            throw new IllegalStateException("no authenticated agent");
        }
        ch.writeAndFlush(m).sync();
    }

    /** Closes the agent's connection (the agent should reconnect). */
    void kickAgent() throws InterruptedException {
        Channel ch = agent;
        agent = null;
        if (ch != null) {
            ch.close().sync();
        }
    }

    void awaitAuthenticated(int count, long timeoutMs) throws InterruptedException {
        long end = System.currentTimeMillis() + timeoutMs;
        while (authOk.get() < count || agent == null) {
            if (System.currentTimeMillis() > end) {
                throw new AssertionError("agent did not authenticate " + count + " time(s) in " + timeoutMs + " ms");
            }
            Thread.sleep(10);
        }
    }

    /** The next message of a type (others before it are discarded); fails after the timeout. */
    <T extends HandoffMessage> T next(Class<T> type, long timeoutMs) throws InterruptedException {
        long end = System.currentTimeMillis() + timeoutMs;
        while (true) {
            long left = end - System.currentTimeMillis();
            HandoffMessage m = left > 0 ? received.poll(left, TimeUnit.MILLISECONDS) : null;
            if (m == null) {
                throw new AssertionError("no " + type.getSimpleName() + " within " + timeoutMs + " ms");
            }
            if (type.isInstance(m)) {
                return type.cast(m);
            }
        }
    }

    @Override
    public void close() {
        server.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    }

    private final class Session extends SimpleChannelInboundHandler<HandoffMessage> {
        private byte[] nonce;
        private boolean authenticated;
        private ScheduledFuture<?> heartbeats;

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            nonce = HandoffAuth.newNonce();
            ctx.writeAndFlush(new Challenge(nonce));
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, HandoffMessage m) {
            if (!authenticated) {
                if (!(m instanceof Hello h)) {
                    ctx.close();
                    return;
                }
                hellos.add(h);
                if (!HandoffAuth.verifyHello(secret, nonce, h)) {
                    authRefused.incrementAndGet();
                    ctx.close();
                    return;
                }
                switch (mode) {
                    case WRONG_WELCOME -> ctx.writeAndFlush(new Welcome(
                            HandoffAuth.controllerProof("not-the-secret".getBytes(), h.agentNonce(), nonce)));
                    case REQUEST_BEFORE_WELCOME -> ctx.writeAndFlush(new io.baton.handoff.protocol.HandoffCommit(1));
                    default -> {
                        ctx.writeAndFlush(new Welcome(HandoffAuth.controllerProof(secret, h.agentNonce(), nonce)));
                        authenticated = true;
                        agent = ctx.channel();
                        authOk.incrementAndGet();
                        heartbeats = ctx.executor().scheduleAtFixedRate(
                                () -> ctx.writeAndFlush(new Heartbeat(System.currentTimeMillis(), 0)),
                                200, 200, TimeUnit.MILLISECONDS);
                    }
                }
                return;
            }
            if (m instanceof Heartbeat) {
                heartbeatsFromAgent.incrementAndGet();
            } else {
                received.add(m);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (heartbeats != null) {
                heartbeats.cancel(false);
            }
            closedByAgent.incrementAndGet();
            if (agent == ctx.channel()) {
                agent = null;
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
