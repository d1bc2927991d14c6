package io.baton.agent.health;

import io.baton.handoff.protocol.HealthChecks;
import io.baton.handoff.protocol.HealthReport;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Runs the controller's HTTP checks against the local web server: GET path, pass when the
 * status is in the expected class within the timeout; each result is reported. A new set from
 * the controller replaces the old one. Thread-safe.
 */
public final class HealthChecker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HealthChecker.class);

    private final EventLoopGroup group;
    private final InetSocketAddress upstream;
    private final Consumer<HealthReport> report;
    private final boolean proxyProtocol;
    private final Map<String, ScheduledFuture<?>> running = new HashMap<>();
    private HealthChecks current = new HealthChecks(java.util.List.of());

    /**
     * @param proxyProtocol the web server expects a PROXY v2 header first (as the relays send), so
     *                      the checks send one too, naming the server itself
     */
    public HealthChecker(EventLoopGroup group, InetSocketAddress upstream, boolean proxyProtocol,
                         Consumer<HealthReport> report) {
        this.group = group;
        this.proxyProtocol = proxyProtocol;
        this.upstream = upstream;
        this.report = report;
    }

    /** Adopts the controller's set (an empty set stops every check). */
    public synchronized void configure(HealthChecks checks) {
        if (checks.equals(current)) {
            return;
        }
        running.values().forEach(f -> f.cancel(false));
        running.clear();
        current = checks;
        for (HealthChecks.Check c : checks.checks()) {
            running.put(c.id(), group.next().scheduleAtFixedRate(() -> checkOnce(c), 0, c.intervalMillis(), TimeUnit.MILLISECONDS));
        }
        LOG.info("health checks now: {}", checks.checks());
    }

    @Override
    public synchronized void close() {
        configure(new HealthChecks(java.util.List.of()));
    }

    private void checkOnce(HealthChecks.Check c) {
        Bootstrap b = new Bootstrap().group(group).channel(EpollSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, c.timeoutMillis())
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new HttpClientCodec(4096, 8192, 8192));
                        ch.pipeline().addLast(new Probe(c));
                    }
                });
        ChannelFuture f = b.connect(upstream);
        Channel ch = f.channel();
        // One deadline for connect and answer together.
        ScheduledFuture<?> deadline = ch.eventLoop().schedule(() -> {
            if (ch.isOpen()) {
                finish(ch, c, false, 0, "no answer within " + c.timeoutMillis() + " ms");
            }
        }, c.timeoutMillis(), TimeUnit.MILLISECONDS);
        ch.closeFuture().addListener(x -> deadline.cancel(false));
        f.addListener((ChannelFuture cf) -> {
            if (!cf.isSuccess()) {
                finish(ch, c, false, 0, "connect failed: " + cf.cause().getMessage());
                return;
            }
            if (proxyProtocol) {
                // From the head of the pipeline: raw bytes, before the HTTP encoder's first request.
                int self = java.nio.ByteBuffer.wrap(upstream.getAddress().getAddress()).getInt();
                cf.channel().pipeline().firstContext().write(io.netty.buffer.Unpooled.wrappedBuffer(
                        io.baton.agent.relay.ProxyHeader.tcp4(self, 0, self, upstream.getPort())));
            }
            DefaultFullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, c.path());
            req.headers().set(HttpHeaderNames.HOST, c.host().isEmpty() ? upstream.getHostString() : c.host());
            req.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            req.headers().set(HttpHeaderNames.USER_AGENT, "baton-agent-health");
            cf.channel().writeAndFlush(req);
        });
    }

    /** Reports once per check run: the first of answer, failure or deadline wins. */
    private void finish(Channel ch, HealthChecks.Check c, boolean ok, int status, String detail) {
        if (ch.attr(Probe.DONE).setIfAbsent(Boolean.TRUE) == null) {
            report.accept(new HealthReport(c.id(), ok, status, detail));
        }
        ch.close();
    }

    private final class Probe extends SimpleChannelInboundHandler<HttpObject> {
        static final io.netty.util.AttributeKey<Boolean> DONE = io.netty.util.AttributeKey.valueOf("baton.health.done");
        private final HealthChecks.Check check;

        Probe(HealthChecks.Check check) {
            this.check = check;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
            if (msg instanceof HttpResponse r) {
                int code = r.status().code();
                boolean ok = code / 100 == check.expectStatusClass();
                finish(ctx.channel(), check, ok, code, ok ? "" : "status " + code);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            finish(ctx.channel(), check, false, 0, "connection closed before an answer");
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            finish(ctx.channel(), check, false, 0, String.valueOf(cause.getMessage()));
        }
    }
}
