package io.baton.controller.openflow;

import io.baton.flowrules.api.FlowRemoved;
import io.baton.flowrules.openflow.OpenFlow13Translator;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

import org.projectfloodlight.openflow.protocol.OFErrorMsg;
import org.projectfloodlight.openflow.protocol.OFFlowStatsReply;
import org.projectfloodlight.openflow.protocol.OFMessage;
import org.projectfloodlight.openflow.protocol.OFPacketIn;
import org.projectfloodlight.openflow.protocol.OFVersion;
import org.projectfloodlight.openflow.protocol.match.MatchField;
import org.projectfloodlight.openflow.types.OFPort;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last handler of an up switch's pipeline: hands each message to its {@link SwitchConnection}
 * (replies, errors) or to the controller's listeners (packet-in, flow-removed).
 */
final class SwitchChannelHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(SwitchChannelHandler.class);

    private final OpenFlowController controller;
    private final SwitchConnection conn;

    SwitchChannelHandler(OpenFlowController controller, SwitchConnection conn) {
        this.controller = controller;
        this.conn = conn;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof OFMessage)) {
            return;
        }
        OFMessage m = (OFMessage) msg;
        if (m.getVersion() != OFVersion.OF_13) {
            controller.liveCounters().malformedMessages.increment();
            LOG.warn("closing switch {}: {} message in version {} after negotiating OF_13",
                    ChannelNames.describe(ctx.channel()), m.getType(), m.getVersion());
            ctx.close();
            return;
        }
        switch (m.getType()) {
            case PACKET_IN:
                onPacketIn((OFPacketIn) m);
                break;
            case FLOW_REMOVED:
                onFlowRemoved((org.projectfloodlight.openflow.protocol.OFFlowRemoved) m);
                break;
            case BARRIER_REPLY:
                conn.onBarrierReply(m.getXid());
                break;
            case STATS_REPLY:
                if (m instanceof OFFlowStatsReply) {
                    conn.onFlowStatsReply((OFFlowStatsReply) m);
                } else {
                    LOG.debug("switch {}: ignoring unrequested {}", conn.id(), m);
                }
                break;
            case ERROR:
                conn.onError((OFErrorMsg) m);
                break;
            default:
                LOG.debug("switch {}: ignoring {}", conn.id(), m.getType());
                break;
        }
    }

    private void onPacketIn(OFPacketIn pi) {
        OFPort port = pi.getMatch().get(MatchField.IN_PORT);
        if (port == null) {
            LOG.warn("switch {}: dropping packet-in without IN_PORT in its match", conn.id());
            return;
        }
        controller.liveCounters().packetIns.increment();
        controller.firePacketIn(conn.id(), port.getPortNumber(), pi.getData());
    }

    private void onFlowRemoved(org.projectfloodlight.openflow.protocol.OFFlowRemoved fr) {
        controller.liveCounters().flowRemoved.increment();
        FlowRemoved removed;
        try {
            removed = OpenFlow13Translator.fromFlowRemoved(fr);
        } catch (RuntimeException e) {
            LOG.warn("switch {}: cannot translate {}", conn.id(), fr, e);
            return;
        }
        controller.fireFlowRemoved(conn.id(), removed);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        conn.onDisconnect();
        controller.switchGone(conn);
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.warn("closing switch {}: {}", ChannelNames.describe(ctx.channel()), cause.toString());
        LOG.debug("switch channel exception", cause);
        ctx.close();
    }
}
