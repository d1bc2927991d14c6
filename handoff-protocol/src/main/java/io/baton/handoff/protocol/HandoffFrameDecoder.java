package io.baton.handoff.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Cuts the byte stream into frames: reads the uint32 length prefix and emits the following
 * {@code length} bytes (type byte + body) as one {@link ByteBuf}. A length of 0 or above
 * {@link HandoffWire#MAX_FRAME_LENGTH} is fatal for the stream: the decoder counts it, discards
 * everything from then on, closes the channel and raises a {@link HandoffDecoderException}
 * (which travels down the pipeline as {@code exceptionCaught}). An oversize length is refused
 * as soon as the prefix arrives, before its body is buffered.
 *
 * <p>One instance per channel.
 */
public final class HandoffFrameDecoder extends ByteToMessageDecoder {

    private final ProtocolCounters counters;
    private boolean failed;

    public HandoffFrameDecoder() {
        this(new ProtocolCounters());
    }

    public HandoffFrameDecoder(ProtocolCounters counters) {
        if (counters == null) {
            throw new IllegalArgumentException("counters is null");
        }
        this.counters = counters;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed || !ctx.channel().isOpen()) {
            // After an error (here or in the message decoder, which closes the channel) the
            // rest of the stream is not decoded.
            in.skipBytes(in.readableBytes());
            return;
        }
        if (in.readableBytes() < HandoffWire.LENGTH_FIELD_SIZE) {
            return;
        }
        long length = in.getUnsignedInt(in.readerIndex());
        if (length == 0) {
            fail(ctx, in, DecodeFailure.EMPTY_FRAME, "length prefix is 0");
        }
        if (length > HandoffWire.MAX_FRAME_LENGTH) {
            fail(ctx, in, DecodeFailure.FRAME_TOO_LONG,
                    "frame of " + length + " bytes exceeds " + HandoffWire.MAX_FRAME_LENGTH);
        }
        if (in.readableBytes() < HandoffWire.LENGTH_FIELD_SIZE + length) {
            return;
        }
        in.skipBytes(HandoffWire.LENGTH_FIELD_SIZE);
        out.add(in.readRetainedSlice((int) length));
        counters.frameDecoded();
    }

    private void fail(ChannelHandlerContext ctx, ByteBuf in, DecodeFailure failure, String message) {
        failed = true;
        in.skipBytes(in.readableBytes());
        counters.decodeError(failure);
        ctx.close();
        throw new HandoffDecoderException(failure, message);
    }
}
