package io.baton.controller.openflow;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;

import org.projectfloodlight.openflow.protocol.OFMessage;

/** openflowj messages to bytes, with openflowj's own writer. Stateless, shared by all channels. */
@ChannelHandler.Sharable
final class OpenFlowMessageEncoder extends MessageToByteEncoder<OFMessage> {
    static final OpenFlowMessageEncoder INSTANCE = new OpenFlowMessageEncoder();

    private OpenFlowMessageEncoder() {
        super(OFMessage.class);
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, OFMessage msg, ByteBuf out) {
        msg.writeTo(out);
    }
}
