package io.baton.handoff.protocol;

import io.netty.channel.ChannelPipeline;

/** Adds the handoff codec to a pipeline. */
public final class HandoffPipeline {

    /** Name of the {@link HandoffFrameDecoder} in the pipeline. */
    public static final String FRAME_DECODER = "handoffFrameDecoder";
    /** Name of the {@link HandoffMessageDecoder} in the pipeline. */
    public static final String MESSAGE_DECODER = "handoffMessageDecoder";
    /** Name of the {@link HandoffMessageEncoder} in the pipeline. */
    public static final String MESSAGE_ENCODER = "handoffMessageEncoder";

    private HandoffPipeline() {
    }

    /**
     * Appends frame decoder, message decoder and message encoder, counting into a new
     * {@link ProtocolCounters}, which is returned. Handlers added after these receive
     * {@link HandoffMessage}s and may write them.
     */
    public static ProtocolCounters addCodec(ChannelPipeline p) {
        return addCodec(p, new ProtocolCounters());
    }

    /** As {@link #addCodec(ChannelPipeline)}, counting into {@code counters} (may be shared by channels). */
    public static ProtocolCounters addCodec(ChannelPipeline p, ProtocolCounters counters) {
        p.addLast(FRAME_DECODER, new HandoffFrameDecoder(counters));
        p.addLast(MESSAGE_DECODER, new HandoffMessageDecoder(counters));
        p.addLast(MESSAGE_ENCODER, new HandoffMessageEncoder(counters));
        return counters;
    }
}
