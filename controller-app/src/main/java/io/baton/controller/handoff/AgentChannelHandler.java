package io.baton.controller.handoff;

import io.baton.controller.engine.EngineCounters;
import io.baton.flowrules.api.Ipv4Address;
import io.baton.flowrules.api.MacAddress;
import io.baton.handoff.protocol.Challenge;
import io.baton.handoff.protocol.HandoffAuth;
import io.baton.handoff.protocol.HandoffMessage;
import io.baton.handoff.protocol.Heartbeat;
import io.baton.handoff.protocol.Hello;
import io.baton.handoff.protocol.Welcome;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.timeout.IdleStateEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashSet;
import java.util.Set;

/**
 * The controller's end of one agent connection: challenge, verify the agent's proof, prove
 * itself back (mutual authentication over the shared secret, fresh nonces each side so a
 * recorded exchange cannot be replayed), then pass messages to the engine. Nothing but a
 * Hello is accepted before authentication.
 */
final class AgentChannelHandler extends SimpleChannelInboundHandler<HandoffMessage> {
    private static final Logger log = LoggerFactory.getLogger(AgentChannelHandler.class);

    private final byte[] secret;
    private final AgentEvents events;
    private final EngineCounters counters;
    private byte[] controllerNonce;
    private AgentSession session;

    AgentChannelHandler(byte[] secret, AgentEvents events, EngineCounters counters) {
        this.secret = secret;
        this.events = events;
        this.counters = counters;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        controllerNonce = HandoffAuth.newNonce();
        ctx.writeAndFlush(new Challenge(controllerNonce));
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, HandoffMessage m) {
        if (session == null) {
            authenticate(ctx, m);
            return;
        }
        switch (m.type()) {
            case HEARTBEAT:
                session.heartbeat(System.nanoTime());
                // Answered here: the agent reconnects when the controller stays silent.
                ctx.writeAndFlush(new Heartbeat(System.currentTimeMillis(), 0), ctx.voidPromise());
                break;
            case HANDOFF_READY:
            case HANDOFF_DROP:
            case CONNECTION_CLOSED:
            case HEALTH_REPORT:
            case LIVE_CONNECTIONS:
                session.heard(System.nanoTime());
                events.agentMessage(session, m);
                break;
            default:
                counters.agentProtocolErrors.increment();
                log.warn("{}: unexpected {} from an agent; closing", session, m.type());
                ctx.close();
        }
    }

    private void authenticate(ChannelHandlerContext ctx, HandoffMessage m) {
        if (!(m instanceof Hello)) {
            counters.agentAuthFailures.increment();
            log.warn("{}: sent {} before authenticating; closing", ctx.channel().remoteAddress(), m.type());
            ctx.close();
            return;
        }
        Hello hello = (Hello) m;
        if (!HandoffAuth.verifyHello(secret, controllerNonce, hello)) {
            counters.agentAuthFailures.increment();
            log.warn("{}: agent proof does not verify (wrong secret?); closing", ctx.channel().remoteAddress());
            ctx.close();
            return;
        }
        ctx.writeAndFlush(new Welcome(HandoffAuth.controllerProof(secret, hello.agentNonce(), controllerNonce)));
        Set<Ipv4Address> vips = new HashSet<>();
        for (int v : hello.vips()) {
            vips.add(Ipv4Address.of(v));
        }
        session = new AgentSession(ctx.channel(), Ipv4Address.of(hello.serverIpv4()), MacAddress.of(hello.serverMac()),
                hello.label(), vips, System.nanoTime());
        events.agentAuthenticated(session);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
            log.warn("{}: silent too long; closing", session != null ? session : ctx.channel().remoteAddress());
            ctx.close();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (session != null) {
            events.agentGone(session);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        counters.agentProtocolErrors.increment();
        log.warn("{}: {}; closing", session != null ? session : ctx.channel().remoteAddress(), cause.getMessage());
        ctx.close();
    }
}
