package io.baton.controller.openflow;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;

import org.projectfloodlight.openflow.exceptions.OFParseError;
import org.projectfloodlight.openflow.protocol.OFFactories;
import org.projectfloodlight.openflow.protocol.OFMessage;
import org.projectfloodlight.openflow.protocol.OFMessageReader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * Bytes from a switch to openflowj messages. Frames by the length field of the 8-byte OpenFlow
 * header, then parses the frame with openflowj's generic reader (any version openflowj knows;
 * the handlers after this one decide which versions they accept).
 *
 * <p>A message that cannot be framed (unknown version byte, length below 8) or parsed is
 * counted, logged, and its connection closed; the rest of the buffered input is discarded. Only
 * that switch is affected.
 */
final class OpenFlowMessageDecoder extends ByteToMessageDecoder {
    static final int HEADER_LENGTH = 8;
    private static final int MAX_KNOWN_VERSION = 6; // OF 1.5, the newest openflowj reads

    private static final Logger LOG = LoggerFactory.getLogger(OpenFlowMessageDecoder.class);
    private static final OFMessageReader<OFMessage> READER = OFFactories.getGenericReader();

    private final Counters counters;
    private boolean failed;

    OpenFlowMessageDecoder(Counters counters) {
        this.counters = counters;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        int start = in.readerIndex();
        int readable = in.readableBytes();
        if (readable < 1) {
            return;
        }
        int version = in.getUnsignedByte(start);
        if (version < 1 || version > MAX_KNOWN_VERSION) {
            malformed(ctx, in, String.format("unknown OpenFlow version byte 0x%02x", version), null);
            return;
        }
        if (readable < HEADER_LENGTH) {
            return;
        }
        int length = in.getUnsignedShort(start + 2);
        if (length < HEADER_LENGTH) {
            malformed(ctx, in, "header length " + length + " is below 8", null);
            return;
        }
        if (readable < length) {
            return;
        }
        int type = in.getUnsignedByte(start + 1);
        long xid = in.getUnsignedInt(start + 4);
        ByteBuf frame = in.retainedSlice(start, length);
        in.skipBytes(length);
        try {
            OFMessage msg = READER.readFrom(frame);
            if (msg == null) {
                malformed(ctx, in, describeHeader(version, type, length, xid) + " did not parse", null);
                return;
            }
            out.add(msg);
        } catch (OFParseError | RuntimeException e) {
            malformed(ctx, in, describeHeader(version, type, length, xid) + ": " + e.getMessage(), e);
        } finally {
            frame.release();
        }
    }

    private static String describeHeader(int version, int type, int length, long xid) {
        return String.format("message version=0x%02x type=%d length=%d xid=%d", version, type, length, xid);
    }

    private void malformed(ChannelHandlerContext ctx, ByteBuf in, String reason, Throwable cause) {
        failed = true;
        in.skipBytes(in.readableBytes());
        counters.malformedMessages.increment();
        LOG.warn("closing switch {}: malformed OpenFlow input: {}", ChannelNames.describe(ctx.channel()), reason);
        if (cause != null) {
            LOG.debug("parse failure", cause);
        }
        ctx.close();
    }
}
