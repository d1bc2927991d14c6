package io.baton.bench;

import io.baton.flowrules.api.Ipv4Address;
import io.baton.flowrules.api.MacAddress;
import io.baton.handoff.protocol.Challenge;
import io.baton.handoff.protocol.ConnectionClosed;
import io.baton.handoff.protocol.CloseReason;
import io.baton.handoff.protocol.DropReason;
import io.baton.handoff.protocol.HandoffAbort;
import io.baton.handoff.protocol.HandoffAuth;
import io.baton.handoff.protocol.HandoffCommit;
import io.baton.handoff.protocol.HandoffDrop;
import io.baton.handoff.protocol.HandoffMessage;
import io.baton.handoff.protocol.HandoffPipeline;
import io.baton.handoff.protocol.HandoffReady;
import io.baton.handoff.protocol.HandoffRequest;
import io.baton.handoff.protocol.Heartbeat;
import io.baton.handoff.protocol.Hello;
import io.baton.handoff.protocol.Welcome;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;

import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The handoff agent of one emulated server, over a real TCP connection with the real codec
 * and the real challenge-response: Hello after the Challenge, heartbeats, and for each
 * HandoffRequest an immediate HandoffReady (a real agent would rebuild the socket with TCP
 * repair first). Commits and aborts go to the agent's switch, which owns the connections.
 * Runs on its switch's event loop, so the two share state without locks.
 */
final class EmulatedAgent extends SimpleChannelInboundHandler<HandoffMessage> {
    /** The agent's default heartbeat is 500 ms; faster here so a server is up soon after connecting. */
    private static final long HEARTBEAT_MILLIS = 200;

    final Ipv4Address ip;
    final MacAddress mac;
    private final EmulatedSwitch sw;
    private final byte[] secret;
    private final CompletableFuture<Void> authenticated = new CompletableFuture<>();
    private Channel channel;
    private BatchedWriter out;
    private byte[] controllerNonce;
    private byte[] agentNonce;
    private boolean authed;
    private ScheduledFuture<?> heartbeats;

    EmulatedAgent(EmulatedSwitch sw, Ipv4Address ip, MacAddress mac, byte[] secret) {
        this.sw = sw;
        this.ip = ip;
        this.mac = mac;
        this.secret = secret.clone();
    }

    /** Connects and authenticates; the future completes once the controller proved the secret. */
    CompletableFuture<Void> connect(InetSocketAddress controller, EventLoop loop) {
        Bootstrap b = new Bootstrap().group(loop).channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        HandoffPipeline.addCodec(ch.pipeline());
                        ch.pipeline().addLast("agent", EmulatedAgent.this);
                    }
                });
        b.connect(controller).addListener(f -> {
            if (!f.isSuccess()) {
                authenticated.completeExceptionally(f.cause());
            }
        });
        return authenticated;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        channel = ctx.channel();
        out = new BatchedWriter(channel);
        ctx.fireChannelActive();
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, HandoffMessage m) {
        if (!authed) {
            authenticate(ctx, m);
            return;
        }
        switch (m.type()) {
            case HANDOFF_REQUEST: {
                HandoffRequest r = (HandoffRequest) m;
                if (sw.onHandoffRequest(r)) {
                    out.write(new HandoffReady(r.handoffId()));
                } else {
                    out.write(new HandoffDrop(r.handoffId(), DropReason.BAD_REQUEST, "bench knows no such client"));
                }
                break;
            }
            case HANDOFF_COMMIT: {
                long id = ((HandoffCommit) m).handoffId();
                if (sw.onCommit(id)) {
                    out.write(new ConnectionClosed(id, EmulatedSwitch.REQUEST.length, 0, CloseReason.NORMAL));
                }
                break;
            }
            case HANDOFF_ABORT:
                sw.onAbort(((HandoffAbort) m).handoffId());
                break;
            default:
                break; // heartbeats
        }
    }

    private void authenticate(ChannelHandlerContext ctx, HandoffMessage m) {
        if (m instanceof Challenge && controllerNonce == null) {
            controllerNonce = ((Challenge) m).controllerNonce();
            agentNonce = HandoffAuth.newNonce();
            byte[] proof = HandoffAuth.agentProof(secret, controllerNonce, agentNonce, ip.toInt());
            out.write(new Hello(agentNonce, proof, ip.toInt(), mac.toLong(), "bench", Hello.CAP_NAT,
                    new int[] {BenchTopology.VIP.toInt()}));
        } else if (m instanceof Welcome && controllerNonce != null
                && HandoffAuth.verifyWelcome(secret, agentNonce, controllerNonce, (Welcome) m)) {
            authed = true;
            Runnable beat = () -> out.write(new Heartbeat(System.currentTimeMillis(), 0));
            beat.run();
            heartbeats = ctx.executor().scheduleAtFixedRate(beat, HEARTBEAT_MILLIS, HEARTBEAT_MILLIS,
                    TimeUnit.MILLISECONDS);
            authenticated.complete(null);
        } else {
            authenticated.completeExceptionally(new IllegalStateException(
                    "agent " + ip + ": unexpected " + m.type() + " while authenticating"));
            ctx.close();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (heartbeats != null) {
            heartbeats.cancel(false);
        }
        authenticated.completeExceptionally(new IllegalStateException("agent " + ip + ": controller closed the connection"));
        sw.agentLost(this);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        authenticated.completeExceptionally(cause);
        ctx.close();
    }

    void close() {
        if (channel != null) {
            channel.close();
        }
    }
}
