package io.baton.handoff.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;

/** Writes a {@link HandoffMessage} as one frame (length prefix + type + body). Sharable. */
@ChannelHandler.Sharable
public final class HandoffMessageEncoder extends MessageToByteEncoder<HandoffMessage> {

    private final ProtocolCounters counters;

    public HandoffMessageEncoder() {
        this(new ProtocolCounters());
    }

    public HandoffMessageEncoder(ProtocolCounters counters) {
        super(HandoffMessage.class);
        if (counters == null) {
            throw new IllegalArgumentException("counters is null");
        }
        this.counters = counters;
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, HandoffMessage msg, ByteBuf out) {
        HandoffWire.encode(msg, out);
        counters.messageEncoded();
    }
}
