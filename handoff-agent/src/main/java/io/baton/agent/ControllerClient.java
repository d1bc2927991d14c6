package io.baton.agent;

import io.baton.handoff.protocol.Challenge;
import io.baton.handoff.protocol.HandoffAbort;
import io.baton.handoff.protocol.HandoffAuth;
import io.baton.handoff.protocol.HandoffCommit;
import io.baton.handoff.protocol.HandoffMessage;
import io.baton.handoff.protocol.HandoffPipeline;
import io.baton.handoff.protocol.HandoffRequest;
import io.baton.handoff.protocol.Heartbeat;
import io.baton.handoff.protocol.Hello;
import io.baton.handoff.protocol.ProtocolCounters;
import io.baton.handoff.protocol.Welcome;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's connection to the controller: connect, mutual authentication, heartbeats,
 * dispatch of controller messages to the {@link HandoffManager}, reconnect with backoff
 * (100 ms doubling up to 1 s) whenever the connection ends. Messages for the controller sent
 * while no authenticated session exists are queued (bounded) and flushed after the next
 * authentication; relayed connections are not touched by a reconnect.
 */
final class ControllerClient {

    private static final Logger LOG = LoggerFactory.getLogger(ControllerClient.class);
    private static final int MAX_QUEUED = 10_000;
    private static final int MIN_BACKOFF_MS = 100;
    private static final int MAX_BACKOFF_MS = 1000;

    interface Dispatcher {
        void onRequest(HandoffRequest r);

        void onCommit(long id);

        void onAbort(long id);

        /**
         * A session is up (after the queued messages went out): time to tell the controller
         * which connections this server relays, since it may have restarted without them.
         */
        void onAuthenticated();

        /**
         * The authenticated session ended: the controller gives up every handoff of that session
         * it had not seen ready and committed, so the ones not relaying yet must go too.
         */
        void onSessionLost();

        /** The checks to run now; an empty set when the controller connection is lost. */
        void onHealthChecks(io.baton.handoff.protocol.HealthChecks checks);
    }

    private final AgentConfig config;
    private final byte[] secret;
    private final EventLoopGroup group;
    private final ProtocolCounters counters;
    private final SecureRandom random = new SecureRandom();
    private final IntSupplier liveConnections;
    private final Object lock = new Object();
    private final Deque<HandoffMessage> queue = new ArrayDeque<>();
    private final AtomicLong authentications = new AtomicLong();
    private final AtomicLong authFailures = new AtomicLong();
    private volatile Dispatcher dispatcher;
    private Channel session; // authenticated channel, guarded by lock
    private Channel current; // channel being connected or connected, guarded by lock
    private volatile boolean closed;
    private int backoffMs = MIN_BACKOFF_MS; // touched by event loop threads, one attempt at a time
    private volatile boolean outageReported;

    ControllerClient(AgentConfig config, byte[] secret, EventLoopGroup group, ProtocolCounters counters,
                     IntSupplier liveConnections) {
        this.config = config;
        this.secret = secret.clone();
        this.group = group;
        this.counters = counters;
        this.liveConnections = liveConnections;
    }

    void start(Dispatcher d) {
        this.dispatcher = d;
        connect();
    }

    boolean isAuthenticated() {
        synchronized (lock) {
            return session != null && session.isActive();
        }
    }

    long authentications() {
        return authentications.get();
    }

    long authFailures() {
        return authFailures.get();
    }

    /** Sends to the controller now, or after the next authentication. Thread-safe. */
    void send(HandoffMessage m) {
        synchronized (lock) {
            if (session != null && session.isActive()) {
                session.writeAndFlush(m);
                return;
            }
            if (queue.size() >= MAX_QUEUED) {
                LOG.warn("controller unreachable and {} messages queued: dropping {}", MAX_QUEUED, queue.pollFirst());
            }
            queue.addLast(m);
        }
    }

    /** Sends now if a session is up; otherwise drops it (a stale check result helps no one). */
    void sendIfConnected(HandoffMessage m) {
        synchronized (lock) {
            if (session != null && session.isActive()) {
                session.writeAndFlush(m);
            }
        }
    }

    void close() {
        closed = true;
        synchronized (lock) {
            if (current != null) {
                current.close();
            }
        }
    }

    private void connect() {
        if (closed) {
            return;
        }
        Bootstrap b = new Bootstrap()
                .group(group)
                .channel(EpollSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 2000)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        HandoffPipeline.addCodec(ch.pipeline(), counters);
                        ch.pipeline().addLast("idle",
                                new IdleStateHandler(config.controllerTimeoutMs(), 0, 0, TimeUnit.MILLISECONDS));
                        ch.pipeline().addLast("session", new Session());
                    }
                });
        ChannelFuture f = b.connect(config.controllerHost(), config.controllerPort());
        synchronized (lock) {
            current = f.channel();
        }
        if (closed) {
            f.channel().close();
        }
        f.addListener((ChannelFuture cf) -> {
            if (!cf.isSuccess()) {
                if (!outageReported) {
                    outageReported = true;
                    LOG.warn("cannot connect to the controller at {}:{}: {}; retrying every {} ms at most",
                            config.controllerHost(), config.controllerPort(), cf.cause().toString(), MAX_BACKOFF_MS);
                } else {
                    LOG.debug("cannot connect to the controller: {}", cf.cause().toString());
                }
                scheduleReconnect();
            }
        });
    }

    private void scheduleReconnect() {
        if (closed) {
            return;
        }
        int delay = backoffMs;
        backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs * 2);
        group.schedule(this::connect, delay, TimeUnit.MILLISECONDS);
    }

    private enum Phase { AWAIT_CHALLENGE, AWAIT_WELCOME, AUTHENTICATED }

    /** One connection's handler. */
    private final class Session extends SimpleChannelInboundHandler<HandoffMessage> {
        private Phase phase = Phase.AWAIT_CHALLENGE;
        private byte[] controllerNonce;
        private byte[] agentNonce;
        private ScheduledFuture<?> heartbeats;

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            LOG.debug("connected to the controller at {}", ctx.channel().remoteAddress());
            ctx.fireChannelActive();
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, HandoffMessage m) {
            switch (phase) {
                case AWAIT_CHALLENGE -> {
                    if (!(m instanceof Challenge c)) {
                        protocolError(ctx, "expected Challenge, got " + m.type());
                        return;
                    }
                    controllerNonce = c.controllerNonce();
                    agentNonce = HandoffAuth.newNonce(random);
                    byte[] proof = HandoffAuth.agentProof(secret, controllerNonce, agentNonce, config.serverIpv4());
                    int caps = Hello.CAP_NAT | (config.vips().isEmpty() ? 0 : Hello.CAP_DSR);
                    int[] vips = config.vips().stream().mapToInt(Integer::intValue).toArray();
                    ctx.writeAndFlush(new Hello(agentNonce, proof, config.serverIpv4(), config.serverMac(),
                            config.label(), caps, vips));
                    phase = Phase.AWAIT_WELCOME;
                }
                case AWAIT_WELCOME -> {
                    if (!(m instanceof Welcome w)) {
                        protocolError(ctx, "expected Welcome, got " + m.type());
                        return;
                    }
                    if (!HandoffAuth.verifyWelcome(secret, agentNonce, controllerNonce, w)) {
                        authFailures.incrementAndGet();
                        LOG.error("the controller at {} did not prove the shared secret; closing",
                                ctx.channel().remoteAddress());
                        ctx.close();
                        return;
                    }
                    authenticated(ctx);
                }
                case AUTHENTICATED -> {
                    if (m instanceof HandoffRequest r) {
                        dispatcher.onRequest(r);
                    } else if (m instanceof HandoffCommit c) {
                        dispatcher.onCommit(c.handoffId());
                    } else if (m instanceof HandoffAbort a) {
                        dispatcher.onAbort(a.handoffId());
                    } else if (m instanceof io.baton.handoff.protocol.HealthChecks h) {
                        dispatcher.onHealthChecks(h);
                    } else if (!(m instanceof Heartbeat)) {
                        protocolError(ctx, "unexpected " + m.type());
                    }
                }
                default -> throw new IllegalStateException();
            }
        }

        private void authenticated(ChannelHandlerContext ctx) {
            phase = Phase.AUTHENTICATED;
            backoffMs = MIN_BACKOFF_MS;
            outageReported = false;
            authentications.incrementAndGet();
            Channel ch = ctx.channel();
            int flushed;
            synchronized (lock) {
                session = ch;
                flushed = queue.size();
                while (!queue.isEmpty()) {
                    ch.write(queue.pollFirst());
                }
                ch.flush();
            }
            LOG.info("authenticated with the controller at {} (label {}, {} queued messages sent)",
                    ch.remoteAddress(), config.label(), flushed);
            dispatcher.onAuthenticated();
            heartbeats = ctx.executor().scheduleAtFixedRate(
                    () -> ch.writeAndFlush(new Heartbeat(System.currentTimeMillis(), liveConnections.getAsInt())),
                    0, config.heartbeatMs(), TimeUnit.MILLISECONDS);
        }

        private void protocolError(ChannelHandlerContext ctx, String what) {
            LOG.error("protocol error from the controller at {}: {}; closing", ctx.channel().remoteAddress(), what);
            ctx.close();
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof IdleStateEvent) {
                LOG.warn("nothing from the controller for {} ms; reconnecting", config.controllerTimeoutMs());
                ctx.close();
            }
            ctx.fireUserEventTriggered(evt);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            LOG.warn("controller connection failed: {}", cause.toString());
            ctx.close();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (heartbeats != null) {
                heartbeats.cancel(false);
            }
            synchronized (lock) {
                if (session == ctx.channel()) {
                    session = null;
                }
            }
            if (phase == Phase.AUTHENTICATED) {
                dispatcher.onHealthChecks(new io.baton.handoff.protocol.HealthChecks(java.util.List.of()));
                dispatcher.onSessionLost();
                LOG.warn("lost the controller connection; reconnecting");
            } else if (phase == Phase.AWAIT_WELCOME) {
                authFailures.incrementAndGet();
                LOG.error("the controller closed the connection during authentication (wrong secret?)");
            }
            scheduleReconnect();
            ctx.fireChannelInactive();
        }
    }
}
