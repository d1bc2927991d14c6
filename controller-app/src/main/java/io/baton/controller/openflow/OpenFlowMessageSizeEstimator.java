package io.baton.controller.openflow;

import io.netty.buffer.ByteBuf;
import io.netty.channel.MessageSizeEstimator;

import org.projectfloodlight.openflow.protocol.OFMessage;
import org.projectfloodlight.openflow.protocol.OFPacketOut;

/**
 * Tells Netty roughly how many bytes an openflowj message will take, so that the outbound
 * buffer's water marks (and so {@code Channel.isWritable()}) count messages queued but not yet
 * encoded, including those written from threads other than the channel's.
 */
final class OpenFlowMessageSizeEstimator implements MessageSizeEstimator {
    static final OpenFlowMessageSizeEstimator INSTANCE = new OpenFlowMessageSizeEstimator();

    private static final Handle HANDLE = msg -> {
        if (msg instanceof ByteBuf) {
            return ((ByteBuf) msg).readableBytes();
        }
        if (msg instanceof OFPacketOut) {
            return 64 + ((OFPacketOut) msg).getData().length;
        }
        if (msg instanceof OFMessage) {
            return 128;
        }
        return 8;
    };

    private OpenFlowMessageSizeEstimator() {
    }

    @Override
    public Handle newHandle() {
        return HANDLE;
    }
}
