package io.baton.agent.relay;

import io.baton.agent.repair.TcpRepair;
import io.baton.handoff.protocol.CloseReason;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Relays one handed-off connection between the adopted client socket and a connection to the
 * local web server, both on one event loop. Backpressure as in Netty's HexDumpProxy: auto-read
 * is off and a side is read again only when its last write to the other side completed.
 * Half-close: a FIN from one side becomes a {@code shutdownOutput} towards the other once the
 * bytes before it are written; when both directions are shut the relay closes both channels and
 * reports a {@link Result} once.
 */
public final class Relay {

    private static final Logger LOG = LoggerFactory.getLogger(Relay.class);

    /** What a relay reports when both channels are closed. */
    public record Result(long handoffId, long bytesFromClient, long bytesToClient, CloseReason reason, boolean silent) {
    }

    private final long handoffId;
    private final EpollSocketChannel client;
    private final Function<EventLoop, ChannelFuture> upstreamConnector;
    private final byte[] proxyHeader;
    private final int idleTimeoutSeconds;
    private final Consumer<Result> onDone;

    private volatile EventLoop loop;
    // Event-loop confined from start() on.
    private Channel upstream;
    private long bytesFromClient;
    private long bytesToClient;
    private boolean clientToUpstreamShut;
    private boolean upstreamToClientShut;
    private CloseReason reason;
    private boolean silent;
    private boolean closing;
    private int openChannels = 2;
    private boolean reported;
    private boolean begun;
    // Client data and FIN that arrived before relaying began (Netty reads on EPOLLRDHUP even with
    // auto-read off); replayed after the PROXY header.
    private final java.util.ArrayDeque<ByteBuf> early = new java.util.ArrayDeque<>();
    private boolean earlyShutdown;

    /**
     * @param client             the adopted client socket (not yet registered; O_NONBLOCK set)
     * @param upstream           a connection to the web server made earlier (auto-read off), or null
     * @param upstreamConnector  makes a new web server connection on a given loop if {@code upstream} is gone
     * @param proxyHeader        bytes to send to the web server first (PROXY v2), or null
     * @param idleTimeoutSeconds close after this long without reads or writes on the client side (0: never)
     * @param onDone             called once, on the event loop, when both channels are closed
     */
    public Relay(long handoffId, EpollSocketChannel client, Channel upstream,
                 Function<EventLoop, ChannelFuture> upstreamConnector, byte[] proxyHeader, int idleTimeoutSeconds,
                 Consumer<Result> onDone) {
        this.handoffId = handoffId;
        this.client = client;
        this.upstream = upstream;
        this.upstreamConnector = upstreamConnector;
        this.proxyHeader = proxyHeader;
        this.idleTimeoutSeconds = idleTimeoutSeconds;
        this.onDone = onDone;
    }

    /** Registers the client socket on {@code loop} (the upstream channel's loop) and starts relaying. */
    public void start(EventLoop loop) {
        this.loop = loop;
        client.config().setAutoRead(false);
        client.config().setAllowHalfClosure(true);
        client.config().setTcpNoDelay(true);
        if (idleTimeoutSeconds > 0) {
            client.pipeline().addLast("idle", new IdleStateHandler(0, 0, idleTimeoutSeconds, TimeUnit.SECONDS));
        }
        client.pipeline().addLast("relay", new Side(true));
        loop.register(client).addListener((ChannelFuture f) -> {
            if (!f.isSuccess()) {
                LOG.warn("handoff {}: cannot register the adopted socket: {}", handoffId, f.cause().toString());
                client.unsafe().closeForcibly();
                if (upstream != null) {
                    upstream.close();
                }
                report(new Result(handoffId, 0, 0, CloseReason.RESET, false));
                return;
            }
            client.closeFuture().addListener(x -> channelClosed());
            if (upstream != null && upstream.isActive() && upstream.eventLoop() == loop
                    && !((DuplexChannel) upstream).isInputShutdown()) {
                begin();
            } else {
                if (upstream != null) {
                    upstream.close();
                }
                ChannelFuture cf = upstreamConnector.apply(loop);
                upstream = cf.channel();
                cf.addListener((ChannelFuture g) -> {
                    if (g.isSuccess()) {
                        begin();
                    } else {
                        LOG.warn("handoff {}: web server unreachable at commit: {}", handoffId, g.cause().toString());
                        fail(CloseReason.UPSTREAM_ERROR);
                        channelClosed(); // the upstream channel never opened
                    }
                });
            }
        });
    }

    private void begin() {
        if (closing) {
            channelClosed();
            return;
        }
        upstream.pipeline().addLast("relay", new Side(false));
        upstream.closeFuture().addListener(x -> channelClosed());
        begun = true;
        if (proxyHeader != null) {
            // Not flushed: it leaves with the request, which is already in the client socket's
            // queue, in one segment (the web server wakes once, not twice, before it answers).
            upstream.write(Unpooled.wrappedBuffer(proxyHeader)).addListener(errorCloses(false));
        }
        boolean readClient = true;
        while (!early.isEmpty()) {
            forward(true, early.pollFirst());
            readClient = false; // forward() asks for the next read when the write completes
        }
        if (earlyShutdown) {
            inputShutdown(true);
        } else if (readClient) {
            client.read();
        }
        upstream.read();
    }

    private void forward(boolean fromClient, ByteBuf buf) {
        Channel from = fromClient ? client : upstream;
        Channel peer = fromClient ? upstream : client;
        int n = buf.readableBytes();
        peer.writeAndFlush(buf).addListener((ChannelFuture f) -> {
            if (f.isSuccess()) {
                if (fromClient) {
                    bytesFromClient += n;
                } else {
                    bytesToClient += n;
                }
                from.read();
            } else {
                fail(fromClient ? CloseReason.UPSTREAM_ERROR : CloseReason.RESET);
            }
        });
    }

    /**
     * Puts the client socket back in repair mode and closes everything: nothing reaches the client,
     * and the result is marked silent. Thread-safe.
     */
    public void abortSilently() {
        loopOrFail().execute(() -> {
            silent = true;
            try {
                TcpRepair.setRepair(client.fd().intValue(), TcpRepair.TCP_REPAIR_ON);
            } catch (Exception e) {
                LOG.warn("handoff {}: cannot put the socket back in repair mode: {}", handoffId, e.toString());
            }
            fail(CloseReason.RESET);
        });
    }

    /** Closes both sides (the client sees a normal close or a reset). Thread-safe. */
    public void close() {
        loopOrFail().execute(() -> fail(CloseReason.RESET));
    }

    private EventLoop loopOrFail() {
        EventLoop l = loop;
        if (l == null) {
            throw new IllegalStateException("relay not started");
        }
        return l;
    }

    private void fail(CloseReason why) {
        if (reason == null) {
            reason = why;
        }
        closeBoth();
    }

    private void closeBoth() {
        closing = true;
        while (!early.isEmpty()) {
            early.pollFirst().release();
        }
        client.close();
        if (upstream != null) {
            upstream.close();
        }
    }

    private void channelClosed() {
        if (--openChannels > 0) {
            return;
        }
        if (!closing) {
            closing = true;
        }
        report(new Result(handoffId, bytesFromClient, bytesToClient, reason == null ? CloseReason.NORMAL : reason, silent));
    }

    private void report(Result r) {
        if (reported) {
            return;
        }
        reported = true;
        onDone.accept(r);
    }

    private ChannelFutureListener errorCloses(boolean towardsClient) {
        return f -> {
            if (!f.isSuccess()) {
                fail(towardsClient ? CloseReason.RESET : CloseReason.UPSTREAM_ERROR);
            }
        };
    }

    private void inputShutdown(boolean fromClient) {
        Channel peer = fromClient ? upstream : client;
        // The empty write completes after every earlier write to the peer: only then send the FIN.
        peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener((ChannelFuture f) -> {
            if (!f.isSuccess()) {
                fail(fromClient ? CloseReason.UPSTREAM_ERROR : CloseReason.RESET);
                return;
            }
            ((DuplexChannel) peer).shutdownOutput().addListener((ChannelFuture g) -> {
                if (!g.isSuccess()) {
                    fail(fromClient ? CloseReason.UPSTREAM_ERROR : CloseReason.RESET);
                    return;
                }
                if (fromClient) {
                    clientToUpstreamShut = true;
                } else {
                    upstreamToClientShut = true;
                }
                if (clientToUpstreamShut && upstreamToClientShut) {
                    closeBoth();
                }
            });
        });
    }

    /** The handler on each of the two channels. */
    private final class Side extends ChannelInboundHandlerAdapter {
        private final boolean isClient;

        Side(boolean isClient) {
            this.isClient = isClient;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf buf = (ByteBuf) msg;
            if (closing) {
                buf.release();
            } else if (!begun) {
                early.addLast(buf);
            } else {
                forward(isClient, buf);
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof ChannelInputShutdownEvent) {
                if (closing) {
                    return;
                }
                if (!begun) {
                    earlyShutdown = true;
                } else {
                    inputShutdown(isClient);
                }
            } else if (evt instanceof IdleStateEvent) {
                LOG.info("handoff {}: idle for {} s, closing", handoffId, idleTimeoutSeconds);
                fail(CloseReason.TIMEOUT);
            }
            ctx.fireUserEventTriggered(evt);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (!closing) {
                fail(isClient ? CloseReason.RESET : CloseReason.UPSTREAM_ERROR);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            LOG.debug("handoff {}: {} side: {}", handoffId, isClient ? "client" : "upstream", cause.toString());
            fail(isClient ? CloseReason.RESET : CloseReason.UPSTREAM_ERROR);
        }
    }
}
