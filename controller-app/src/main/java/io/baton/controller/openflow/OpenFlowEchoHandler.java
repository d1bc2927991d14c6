package io.baton.controller.openflow;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;

import org.projectfloodlight.openflow.protocol.OFEchoRequest;
import org.projectfloodlight.openflow.protocol.OFFactories;
import org.projectfloodlight.openflow.protocol.OFMessage;
import org.projectfloodlight.openflow.protocol.OFType;
import org.projectfloodlight.openflow.protocol.OFVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Liveness, both ways. Answers the switch's echo requests (same version, xid and payload) and
 * swallows echo replies. When the {@code IdleStateHandler} in front reports the switch silent
 * for one interval it sends an echo request; silent for another interval after that, the switch
 * is dropped. Any message from the switch counts as a sign of life.
 */
final class OpenFlowEchoHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(OpenFlowEchoHandler.class);
    private static final long ECHO_XID_BASE = 0xEC00_0000L;

    private final Counters counters;
    private boolean awaitingReply;
    private int echoesSent;

    OpenFlowEchoHandler(Counters counters) {
        this.counters = counters;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        awaitingReply = false;
        if (msg instanceof OFMessage) {
            OFMessage m = (OFMessage) msg;
            if (m.getType() == OFType.ECHO_REQUEST) {
                OFEchoRequest req = (OFEchoRequest) m;
                ctx.writeAndFlush(OFFactories.getFactory(req.getVersion()).buildEchoReply()
                        .setXid(req.getXid())
                        .setData(req.getData())
                        .build());
                return;
            }
            if (m.getType() == OFType.ECHO_REPLY) {
                return;
            }
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent && ((IdleStateEvent) evt).state() == IdleState.READER_IDLE) {
            if (awaitingReply) {
                counters.echoTimeouts.increment();
                LOG.warn("closing switch {}: no answer to echo request", ChannelNames.describe(ctx.channel()));
                ctx.close();
            } else {
                awaitingReply = true;
                long xid = ECHO_XID_BASE | (echoesSent++ & 0xffffff);
                ctx.writeAndFlush(OFFactories.getFactory(OFVersion.OF_13).buildEchoRequest()
                        .setXid(xid).setData(new byte[0]).build());
            }
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }
}
