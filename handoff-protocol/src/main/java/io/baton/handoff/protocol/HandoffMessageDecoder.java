package io.baton.handoff.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageDecoder;
import java.util.List;

/**
 * Turns one frame (type byte + body, as {@link HandoffFrameDecoder} emits it) into a {@link
 * HandoffMessage}. A malformed frame is counted, the channel is closed, later frames are
 * dropped, and a {@link HandoffDecoderException} travels down the pipeline.
 *
 * <p>One instance per channel.
 */
public final class HandoffMessageDecoder extends MessageToMessageDecoder<ByteBuf> {

    private final ProtocolCounters counters;
    private boolean failed;

    public HandoffMessageDecoder() {
        this(new ProtocolCounters());
    }

    public HandoffMessageDecoder(ProtocolCounters counters) {
        if (counters == null) {
            throw new IllegalArgumentException("counters is null");
        }
        this.counters = counters;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf frame, List<Object> out) {
        if (failed) {
            frame.skipBytes(frame.readableBytes());
            return;
        }
        try {
            out.add(HandoffWire.decodeFrame(frame));
            counters.messageDecoded();
        } catch (HandoffDecoderException e) {
            failed = true;
            counters.decodeError(e.failure());
            ctx.close();
            throw e;
        }
    }
}
