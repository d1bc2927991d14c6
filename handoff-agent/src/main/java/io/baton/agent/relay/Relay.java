package io.baton.agent.relay;

import io.baton.agent.repair.TcpRepair;
import io.baton.handoff.protocol.CloseReason;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Relays one handed-off connection between the adopted client socket and a connection to the
 * local web server, both on one event loop. Until relaying begins, auto-read is off, so what
 * either side sends early is bounded by one read. From then on a side reads on its own while the
 * other side's outbound buffer is below its high-water mark, and stops until it drains below the
 * low one (Netty's writability). A read-and-ask-again scheme (HexDumpProxy's) costs two
 * epoll_ctl calls per read, and every system call costs a hypervisor round trip on this machine.
 * Half-close: a FIN from one side becomes a {@code shutdownOutput} towards the other once the
 * bytes before it are written; when both directions are shut the relay closes both channels and
 * reports a {@link Result} once.
 *
 * <p>The request bytes the controller received come from the handoff request, not from the
 * client socket (its receive queue starts after them). They go to the web server first, after
 * the PROXY header: at {@link #start} or, when the request is safe to repeat, already at {@link
 * #forwardRequest}, before the commit. What the web server answers before the commit waits, and
 * the client socket sends nothing until {@link #start} adopts it.
 */
public final class Relay {

    private static final Logger LOG = LoggerFactory.getLogger(Relay.class);
    /** include/net/tcp_states.h: a socket whose four-tuple went to TIME_WAIT reads CLOSE. */
    private static final int TCP_CLOSE = 7;

    /** What a relay reports when both channels are closed. */
    public record Result(long handoffId, long bytesFromClient, long bytesToClient, CloseReason reason, boolean silent) {
    }

    private final long handoffId;
    private final EventLoop loop;
    private final Function<EventLoop, ChannelFuture> upstreamConnector;
    private final byte[] proxyHeader;
    private final byte[] request;
    private final int idleTimeoutSeconds;
    private final Consumer<Result> onDone;

    // Event-loop confined.
    private EpollSocketChannel client;
    private Channel upstream;
    /** The request went to {@link #upstream} (again after a reconnect). */
    private boolean requestSent;
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
    // What either side sent before relaying began: client data and FIN (Netty reads on EPOLLRDHUP
    // even with auto-read off), and the web server's answer to a request forwarded before the
    // commit. Bounded by what one read of each socket returns; replayed in order at begin().
    private final ArrayDeque<ByteBuf> earlyFromClient = new ArrayDeque<>();
    private final ArrayDeque<ByteBuf> earlyFromUpstream = new ArrayDeque<>();
    private boolean earlyClientShutdown;
    private boolean earlyUpstreamShutdown;

    /**
     * @param loop               the event loop of the relay (that of {@code upstream} if given)
     * @param upstream           a connection to the web server made earlier (auto-read off), or null
     * @param upstreamConnector  makes a new web server connection on a given loop if {@code upstream} is gone
     * @param proxyHeader        bytes to send to the web server first (PROXY v2), or null
     * @param request            the request bytes the controller received, sent after the header
     * @param idleTimeoutSeconds close after this long without reads or writes on the client side (0: never)
     * @param onDone             called once, on the event loop, when both channels are closed after {@link #start}
     */
    public Relay(long handoffId, EventLoop loop, Channel upstream, Function<EventLoop, ChannelFuture> upstreamConnector,
                 byte[] proxyHeader, byte[] request, int idleTimeoutSeconds, Consumer<Result> onDone) {
        this.handoffId = handoffId;
        this.loop = loop;
        this.upstream = upstream;
        this.upstreamConnector = upstreamConnector;
        this.proxyHeader = proxyHeader;
        this.request = request;
        this.idleTimeoutSeconds = idleTimeoutSeconds;
        this.onDone = onDone;
    }

    /**
     * Sends the request to the web server now, before the commit; its answer waits for {@link
     * #start}. Only for a request that is safe to repeat: the connection may still be given back.
     * If the web server connection is gone by then, {@link #start} sends it on a new one.
     * Thread-safe.
     */
    public void forwardRequest() {
        loop.execute(() -> {
            if (!closing && !requestSent && usableBeforeRequest(upstream)) {
                sendRequest();
            }
        });
    }

    /**
     * Drops a relay that never started (the handoff was aborted or timed out): closes the web
     * server connection, reports nothing. Thread-safe.
     */
    public void discard() {
        loop.execute(() -> {
            closing = true;
            releaseEarly();
            if (upstream != null) {
                upstream.close();
            }
        });
    }

    /** Registers the adopted client socket (O_NONBLOCK set, not yet registered) and starts relaying. Thread-safe. */
    public void start(EpollSocketChannel adopted) {
        adopted.config().setAutoRead(false);
        adopted.config().setAllowHalfClosure(true); // TCP_NODELAY is on already: Netty's default for epoll sockets
        if (idleTimeoutSeconds > 0) {
            adopted.pipeline().addLast("idle", new IdleStateHandler(0, 0, idleTimeoutSeconds, TimeUnit.SECONDS));
        }
        adopted.pipeline().addLast("relay", new Side(true));
        loop.execute(() -> {
            client = adopted;
            loop.register(adopted).addListener((ChannelFuture f) -> clientRegistered(f));
        });
    }

    private void clientRegistered(ChannelFuture f) {
        if (!f.isSuccess()) {
            LOG.warn("handoff {}: cannot register the adopted socket: {}", handoffId, f.cause().toString());
            client.unsafe().closeForcibly();
            closing = true;
            releaseEarly();
            if (upstream != null) {
                upstream.close();
            }
            report(new Result(handoffId, 0, 0, CloseReason.RESET, false));
            return;
        }
        client.closeFuture().addListener(x -> channelClosed());
        if (closing) {
            // discard() came first: nothing to relay
            client.close();
            channelClosed();
            return;
        }
        if (requestSent ? answerMayCome(upstream) : usableBeforeRequest(upstream)) {
            begin();
            return;
        }
        // The web server connection closed before it answered: a new one, and the request again
        // (if it was sent already, it is safe to repeat).
        if (upstream != null) {
            upstream.close();
        }
        releaseEarlyFromUpstream();
        requestSent = false;
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

    private boolean usableBeforeRequest(Channel c) {
        return c != null && c.isActive() && c.eventLoop() == loop && !((DuplexChannel) c).isInputShutdown();
    }

    /** After the request went out: the answer is on its way, or (part of) it was read already. */
    private boolean answerMayCome(Channel c) {
        return c.isActive() || !earlyFromUpstream.isEmpty() || earlyUpstreamShutdown;
    }

    /** The PROXY header and the request, in one segment; the web server's side is handled from now on. */
    private void sendRequest() {
        Channel target = upstream;
        target.pipeline().addLast("relay", new Side(false));
        requestSent = true;
        if (proxyHeader != null) {
            target.write(Unpooled.wrappedBuffer(proxyHeader));
        }
        target.writeAndFlush(Unpooled.wrappedBuffer(request)).addListener((ChannelFuture f) -> {
            if (f.isSuccess()) {
                return;
            }
            if (begun) {
                fail(CloseReason.UPSTREAM_ERROR);
            } else {
                target.close(); // before the commit: start() connects again
            }
        });
    }

    private void begin() {
        if (closing) {
            channelClosed();
            return;
        }
        upstream.closeFuture().addListener(x -> channelClosed());
        if (!requestSent) {
            sendRequest();
        }
        begun = true;
        bytesFromClient += request.length;
        while (!earlyFromClient.isEmpty()) {
            forward(true, earlyFromClient.pollFirst());
        }
        while (!earlyFromUpstream.isEmpty()) {
            forward(false, earlyFromUpstream.pollFirst());
        }
        if (earlyClientShutdown) {
            inputShutdown(true);
        } else {
            resumeReading(true);
        }
        if (earlyUpstreamShutdown) {
            inputShutdown(false);
        } else {
            resumeReading(false);
        }
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
            } else {
                fail(fromClient ? CloseReason.UPSTREAM_ERROR : CloseReason.RESET);
            }
        });
        if (!peer.isWritable()) {
            from.config().setAutoRead(false); // until the peer drains: channelWritabilityChanged
        }
    }

    /** Lets a side read on its own again, unless the other side's outbound buffer is still full. */
    private void resumeReading(boolean fromClient) {
        Channel from = fromClient ? client : upstream;
        Channel peer = fromClient ? upstream : client;
        if (!closing && peer.isWritable()) {
            from.config().setAutoRead(true);
        }
    }

    /**
     * Puts the client socket back in repair mode and closes everything: nothing reaches the client,
     * and the result is marked silent. Thread-safe; after {@link #start}.
     */
    public void abortSilently() {
        loop.execute(() -> {
            silent = true;
            try {
                TcpRepair.setRepair(client.fd().intValue(), TcpRepair.TCP_REPAIR_ON);
            } catch (Exception e) {
                LOG.warn("handoff {}: cannot put the socket back in repair mode: {}", handoffId, e.toString());
            }
            fail(CloseReason.RESET);
        });
    }

    /** Closes both sides (the client sees a normal close or a reset). Thread-safe; after {@link #start}. */
    public void close() {
        loop.execute(() -> fail(CloseReason.RESET));
    }

    private void fail(CloseReason why) {
        if (reason == null) {
            reason = why;
        }
        closeBoth();
    }

    private void closeBoth() {
        closing = true;
        releaseEarly();
        if (client != null) {
            client.close();
        }
        if (upstream != null) {
            upstream.close();
        }
    }

    /**
     * Both directions ended normally. When the client had acknowledged our FIN by the time its
     * own came, the kernel has already moved the client socket's four-tuple to TIME_WAIT (the
     * socket itself reads CLOSE): nothing more is needed from the client, and the controller may
     * take its forward rule away at once ({@link CloseReason#FINISHED}). Otherwise (LAST_ACK,
     * CLOSING) the client's last ACK is still due. One getsockopt, at the end only.
     */
    private void closeAfterBothEnded() {
        if (reason == null && clientSocketState() == TCP_CLOSE) {
            reason = CloseReason.FINISHED;
        }
        closeBoth();
    }

    private int clientSocketState() {
        try {
            return client.tcpInfo().state();
        } catch (RuntimeException e) {
            return -1;
        }
    }

    private void releaseEarly() {
        while (!earlyFromClient.isEmpty()) {
            earlyFromClient.pollFirst().release();
        }
        releaseEarlyFromUpstream();
    }

    private void releaseEarlyFromUpstream() {
        while (!earlyFromUpstream.isEmpty()) {
            earlyFromUpstream.pollFirst().release();
        }
        earlyUpstreamShutdown = false;
    }

    private void channelClosed() {
        if (--openChannels > 0) {
            return;
        }
        closing = true;
        report(new Result(handoffId, bytesFromClient, bytesToClient, reason == null ? CloseReason.NORMAL : reason, silent));
    }

    private void report(Result r) {
        if (reported) {
            return;
        }
        reported = true;
        onDone.accept(r);
    }

    private void inputShutdown(boolean fromClient) {
        Channel peer = fromClient ? upstream : client;
        // The empty write completes after every earlier write to the peer: only then send the FIN.
        peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener((ChannelFuture f) -> {
            if (!f.isSuccess()) {
                fail(fromClient ? CloseReason.UPSTREAM_ERROR : CloseReason.RESET);
                return;
            }
            if (fromClient ? upstreamToClientShut : clientToUpstreamShut) {
                // The other direction is done: closing both sends the peer its FIN as the
                // shutdown would (every byte written, both inputs read to their end), with one
                // system call less, and no error when the peer has closed already.
                closeAfterBothEnded();
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
                    closeAfterBothEnded();
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

        /** Events of a web server connection that was replaced (closed before the commit) are ignored. */
        private boolean replaced(ChannelHandlerContext ctx) {
            return !isClient && ctx.channel() != upstream;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf buf = (ByteBuf) msg;
            if (closing || replaced(ctx)) {
                buf.release();
            } else if (!begun) {
                (isClient ? earlyFromClient : earlyFromUpstream).addLast(buf);
            } else {
                forward(isClient, buf);
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof ChannelInputShutdownEvent) {
                if (closing || replaced(ctx)) {
                    return;
                }
                if (!begun) {
                    if (isClient) {
                        earlyClientShutdown = true;
                    } else {
                        earlyUpstreamShutdown = true;
                    }
                } else {
                    inputShutdown(isClient);
                }
            } else if (evt instanceof IdleStateEvent) {
                LOG.info("handoff {}: idle for {} s, closing", handoffId, idleTimeoutSeconds);
                fail(CloseReason.TIMEOUT);
            }
            ctx.fireUserEventTriggered(evt);
        }

        /** This side drained below its low-water mark: the other side may read again. */
        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (begun && !replaced(ctx) && ctx.channel().isWritable()) {
                resumeReading(!isClient);
            }
            ctx.fireChannelWritabilityChanged();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            // Before begin() a lost web server connection is replaced at start(), not fatal.
            if (!closing && begun && !replaced(ctx)) {
                fail(isClient ? CloseReason.RESET : CloseReason.UPSTREAM_ERROR);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            LOG.debug("handoff {}: {} side: {}", handoffId, isClient ? "client" : "upstream", cause.toString());
            if (replaced(ctx)) {
                return;
            }
            if (begun) {
                fail(isClient ? CloseReason.RESET : CloseReason.UPSTREAM_ERROR);
            } else {
                ctx.close();
            }
        }
    }
}
