package io.baton.controller.openflow;

import io.baton.flowrules.api.SwitchId;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;

import org.projectfloodlight.openflow.protocol.OFConfigFlags;
import org.projectfloodlight.openflow.protocol.OFErrorMsg;
import org.projectfloodlight.openflow.protocol.OFFactories;
import org.projectfloodlight.openflow.protocol.OFFactory;
import org.projectfloodlight.openflow.protocol.OFFeaturesReply;
import org.projectfloodlight.openflow.protocol.OFHello;
import org.projectfloodlight.openflow.protocol.OFHelloElem;
import org.projectfloodlight.openflow.protocol.OFHelloElemVersionbitmap;
import org.projectfloodlight.openflow.protocol.OFHelloFailedCode;
import org.projectfloodlight.openflow.protocol.OFMessage;
import org.projectfloodlight.openflow.protocol.OFType;
import org.projectfloodlight.openflow.protocol.OFVersion;
import org.projectfloodlight.openflow.types.OFErrorCauseData;
import org.projectfloodlight.openflow.types.U32;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Brings a switch up: HELLO both ways with version negotiation (OpenFlow 1.3 only; anything
 * else gets HELLO_FAILED/INCOMPATIBLE and the connection closed), FEATURES_REQUEST for the
 * datapath id, SET_CONFIG with miss_send_len 0xffff (whole packets to the controller) confirmed
 * by a barrier. Then it registers the switch with the controller and hands the channel over to
 * a {@link SwitchChannelHandler} in its place. Everything must happen within the handshake
 * timeout. Echo messages are handled before this handler; other messages arriving mid-handshake
 * are ignored.
 */
final class SwitchHandshakeHandler extends ChannelInboundHandlerAdapter {
    static final long HELLO_XID = 1;
    static final long FEATURES_XID = 2;
    static final long SET_CONFIG_XID = 3;
    static final long BARRIER_XID = 4;
    /** OFPCML_NO_BUFFER: table-miss and controller packet-ins carry the whole frame. */
    static final int MISS_SEND_LEN = 0xffff;

    private static final Logger LOG = LoggerFactory.getLogger(SwitchHandshakeHandler.class);
    private static final OFFactory OF13 = OFFactories.getFactory(OFVersion.OF_13);
    private static final int OF13_BIT = 1 << OFVersion.OF_13.getWireVersion();

    private enum State { WAIT_HELLO, WAIT_FEATURES, WAIT_CONFIRM, UP, FAILED }

    private final OpenFlowController controller;
    private State state = State.WAIT_HELLO;
    private ScheduledFuture<?> timeout;
    private OFFeaturesReply features;

    SwitchHandshakeHandler(OpenFlowController controller) {
        this.controller = controller;
    }

    /** Our HELLO: version 1.3, with a version bitmap naming 1.3 alone. */
    static OFHello hello() {
        OFHelloElem bitmap = OF13.buildHelloElemVersionbitmap()
                .setBitmaps(Collections.singletonList(U32.of(OF13_BIT)))
                .build();
        return OF13.buildHello().setXid(HELLO_XID).setElements(Collections.singletonList(bitmap)).build();
    }

    /**
     * OpenFlow 1.3 version negotiation from our side, which knows 1.3 alone: if both hellos
     * carry a bitmap the highest common bit wins, so the peer's bitmap must include 1.3; without
     * a bitmap the smaller of the two header versions wins, so the peer must be at 1.3 or above.
     */
    static boolean acceptsOpenFlow13(OFHello peer) {
        List<OFHelloElem> elements = peer.getVersion().compareTo(OFVersion.OF_13) >= 0
                ? peer.getElements() : Collections.<OFHelloElem>emptyList();
        for (OFHelloElem e : elements) {
            if (e instanceof OFHelloElemVersionbitmap) {
                List<U32> words = ((OFHelloElemVersionbitmap) e).getBitmaps();
                return !words.isEmpty() && (words.get(0).getValue() & OF13_BIT) != 0;
            }
        }
        return peer.getVersion().compareTo(OFVersion.OF_13) >= 0;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (!controller.admit(ctx.channel())) {
            state = State.FAILED;
            ctx.close();
            return;
        }
        LOG.debug("switch connection from {}", ctx.channel().remoteAddress());
        ctx.writeAndFlush(hello());
        long millis = controller.config().handshakeTimeout().toMillis();
        timeout = ctx.executor().schedule(
                () -> fail(ctx, "no complete handshake within " + millis + " ms (stuck in " + state + ")"),
                millis, TimeUnit.MILLISECONDS);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof OFMessage) || state == State.FAILED || state == State.UP) {
            return;
        }
        OFMessage m = (OFMessage) msg;
        if (state == State.WAIT_HELLO) {
            if (m.getType() != OFType.HELLO) {
                fail(ctx, "expected HELLO first, got " + m.getType());
                return;
            }
            onHello(ctx, (OFHello) m);
            return;
        }
        if (m.getVersion() != OFVersion.OF_13) {
            fail(ctx, "message in version " + m.getVersion() + " after negotiating OF_13");
            return;
        }
        if (m.getType() == OFType.ERROR) {
            fail(ctx, "switch error during handshake (xid " + m.getXid() + "): "
                    + OpenFlowErrors.describe((OFErrorMsg) m));
            return;
        }
        if (state == State.WAIT_FEATURES && m.getType() == OFType.FEATURES_REPLY) {
            onFeatures(ctx, (OFFeaturesReply) m);
        } else if (state == State.WAIT_CONFIRM && m.getType() == OFType.BARRIER_REPLY && m.getXid() == BARRIER_XID) {
            onConfirmed(ctx);
        } else {
            LOG.debug("switch {}: ignoring {} during handshake ({})", ChannelNames.describe(ctx.channel()),
                    m.getType(), state);
        }
    }

    private void onHello(ChannelHandlerContext ctx, OFHello peer) {
        if (!acceptsOpenFlow13(peer)) {
            OFVersion v = peer.getVersion().compareTo(OFVersion.OF_13) < 0 ? peer.getVersion() : OFVersion.OF_13;
            String text = "Baton speaks OpenFlow 1.3 only; peer hello is " + peer.getVersion();
            OFErrorMsg err = OFFactories.getFactory(v).errorMsgs().buildHelloFailedErrorMsg()
                    .setXid(peer.getXid())
                    .setCode(OFHelloFailedCode.INCOMPATIBLE)
                    .setData(OFErrorCauseData.of(text.getBytes(StandardCharsets.US_ASCII), v))
                    .build();
            markFailed(ctx, "version negotiation failed: " + text);
            ctx.writeAndFlush(err).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        state = State.WAIT_FEATURES;
        ctx.writeAndFlush(OF13.buildFeaturesRequest().setXid(FEATURES_XID).build());
    }

    private void onFeatures(ChannelHandlerContext ctx, OFFeaturesReply reply) {
        features = reply;
        ctx.channel().attr(ChannelNames.SWITCH_ID).set(SwitchId.of(reply.getDatapathId().getLong()));
        state = State.WAIT_CONFIRM;
        ctx.write(OF13.buildSetConfig()
                .setXid(SET_CONFIG_XID)
                .setFlags(EnumSet.of(OFConfigFlags.FRAG_NORMAL))
                .setMissSendLen(MISS_SEND_LEN)
                .build());
        ctx.writeAndFlush(OF13.buildBarrierRequest().setXid(BARRIER_XID).build());
    }

    private void onConfirmed(ChannelHandlerContext ctx) {
        cancelTimeout();
        state = State.UP;
        SwitchConnection conn = new SwitchConnection(controller,
                SwitchId.of(features.getDatapathId().getLong()), ctx.channel(), features);
        ctx.pipeline().replace(this, "switch", new SwitchChannelHandler(controller, conn));
        if (!controller.switchReady(conn)) {
            ctx.close();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancelTimeout();
        if (state != State.FAILED && state != State.UP) {
            markFailed(ctx, "switch closed the connection during handshake (" + state + ")");
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (state == State.FAILED) {
            return;
        }
        LOG.debug("handshake exception", cause);
        fail(ctx, "exception: " + cause);
    }

    private void fail(ChannelHandlerContext ctx, String reason) {
        if (state == State.FAILED || state == State.UP) {
            return;
        }
        markFailed(ctx, reason);
        ctx.close();
    }

    private void markFailed(ChannelHandlerContext ctx, String reason) {
        state = State.FAILED;
        cancelTimeout();
        controller.liveCounters().handshakeFailures.increment();
        LOG.warn("switch {}: handshake failed: {}", ChannelNames.describe(ctx.channel()), reason);
    }

    private void cancelTimeout() {
        if (timeout != null) {
            timeout.cancel(false);
            timeout = null;
        }
    }
}
