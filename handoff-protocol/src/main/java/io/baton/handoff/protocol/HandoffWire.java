package io.baton.handoff.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.EncoderException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The wire format as pure functions (the Netty handlers call these).
 *
 * <p>A frame is {@code uint32 length} (of what follows) + {@code uint8 type} + body, with
 * {@code 1 <= length <= MAX_FRAME_LENGTH}. Integers are big-endian; strings are {@code uint16}
 * length + UTF-8; byte arrays are {@code uint32} length + bytes; int arrays are {@code uint16}
 * count + count big-endian int32; booleans one byte 0 or 1. See README.md for every body.
 */
public final class HandoffWire {

    /** Largest allowed value of the length prefix (type byte + body). */
    public static final int MAX_FRAME_LENGTH = 131072;
    /** Size of the length prefix. */
    public static final int LENGTH_FIELD_SIZE = 4;
    /** Length of every nonce. */
    public static final int NONCE_LENGTH = 32;
    /** Length of every proof (HMAC-SHA256). */
    public static final int PROOF_LENGTH = 32;
    /** Largest {@code data} of a {@link HandoffRequest}. */
    public static final int MAX_DATA = 65536;
    /** Largest {@link Hello#label()}, in UTF-8 bytes. */
    public static final int MAX_LABEL_BYTES = 255;
    /** Largest {@link HandoffDrop#detail()}, in UTF-8 bytes. */
    public static final int MAX_DETAIL_BYTES = 4096;
    /** Largest number of {@link Hello#vips()}. */
    public static final int MAX_VIPS = 4096;
    /** Most health checks one agent is asked to run. */
    public static final int MAX_HEALTH_CHECKS = 64;
    /** Longest health check id ("service/pool") and host. */
    public static final int MAX_CHECK_NAME_BYTES = 255;
    /** Entries of one LiveConnections message (20 bytes each); longer lists take several messages. */
    public static final int MAX_LIVE_ENTRIES = 4096;
    /** Longest health check path. */
    public static final int MAX_CHECK_PATH_BYTES = 1024;

    private HandoffWire() {
    }

    /**
     * Appends one whole frame (length prefix included) to {@code out}.
     *
     * @throws EncoderException if the frame would exceed {@link #MAX_FRAME_LENGTH} (nothing is
     *                          left in {@code out} then)
     */
    public static void encode(HandoffMessage message, ByteBuf out) {
        if (message == null) {
            throw new EncoderException("null message");
        }
        int start = out.writerIndex();
        out.writeInt(0);
        out.writeByte(message.type().code());
        writeBody(message, out);
        int length = out.writerIndex() - start - LENGTH_FIELD_SIZE;
        if (length > MAX_FRAME_LENGTH) {
            out.writerIndex(start);
            throw new EncoderException(message.type() + " frame of " + length + " bytes exceeds " + MAX_FRAME_LENGTH);
        }
        out.setInt(start, length);
    }

    /** One whole frame (length prefix included) as a byte array. */
    public static byte[] encode(HandoffMessage message) {
        ByteBuf buf = Unpooled.buffer();
        try {
            encode(message, buf);
            byte[] b = new byte[buf.readableBytes()];
            buf.readBytes(b);
            return b;
        } finally {
            buf.release();
        }
    }

    /**
     * Decodes one whole frame given as bytes (length prefix included, nothing after it).
     *
     * @throws HandoffDecoderException on any malformed input
     */
    public static HandoffMessage decode(byte[] frame) {
        if (frame.length < LENGTH_FIELD_SIZE) {
            throw new HandoffDecoderException(DecodeFailure.TRUNCATED, "frame of " + frame.length + " bytes has no length prefix");
        }
        ByteBuf buf = Unpooled.wrappedBuffer(frame);
        long length = buf.readUnsignedInt();
        if (length == 0) {
            throw new HandoffDecoderException(DecodeFailure.EMPTY_FRAME, "length prefix is 0");
        }
        if (length > MAX_FRAME_LENGTH) {
            throw new HandoffDecoderException(DecodeFailure.FRAME_TOO_LONG,
                    "frame of " + length + " bytes exceeds " + MAX_FRAME_LENGTH);
        }
        if (length > buf.readableBytes()) {
            throw new HandoffDecoderException(DecodeFailure.TRUNCATED,
                    "length prefix says " + length + " bytes, " + buf.readableBytes() + " follow");
        }
        if (length < buf.readableBytes()) {
            throw new HandoffDecoderException(DecodeFailure.TRAILING_BYTES,
                    (buf.readableBytes() - length) + " bytes after the frame");
        }
        return decodeFrame(buf);
    }

    /**
     * Decodes the content of one frame: type byte + body, without the length prefix. Reads
     * {@code frame} to its end.
     *
     * @throws HandoffDecoderException on any malformed input (never another exception)
     */
    public static HandoffMessage decodeFrame(ByteBuf frame) {
        In in = new In(frame);
        try {
            int code = in.u8("type");
            MessageType type = MessageType.fromCode(code);
            if (type == null) {
                throw new HandoffDecoderException(DecodeFailure.UNKNOWN_TYPE, "type " + code);
            }
            HandoffMessage m = readBody(type, in);
            if (frame.isReadable()) {
                throw new HandoffDecoderException(DecodeFailure.TRAILING_BYTES,
                        type + " body followed by " + frame.readableBytes() + " extra bytes");
            }
            return m;
        } catch (IllegalArgumentException e) {
            throw new HandoffDecoderException(DecodeFailure.INVALID_FIELD, String.valueOf(e.getMessage()));
        } catch (IndexOutOfBoundsException e) {
            throw new HandoffDecoderException(DecodeFailure.TRUNCATED, String.valueOf(e.getMessage()));
        } finally {
            frame.skipBytes(frame.readableBytes());
        }
    }

    private static void writeBody(HandoffMessage m, ByteBuf out) {
        switch (m.type()) {
            case CHALLENGE:
                writeBytes(out, ((Challenge) m).controllerNonce());
                break;
            case HELLO: {
                Hello h = (Hello) m;
                writeBytes(out, h.agentNonce());
                writeBytes(out, h.proof());
                out.writeInt(h.serverIpv4());
                out.writeLong(h.serverMac());
                writeString(out, h.label());
                out.writeInt(h.capabilities());
                int[] vips = h.vips();
                out.writeShort(vips.length);
                for (int v : vips) {
                    out.writeInt(v);
                }
                break;
            }
            case WELCOME:
                writeBytes(out, ((Welcome) m).proof());
                break;
            case HEARTBEAT: {
                Heartbeat h = (Heartbeat) m;
                out.writeLong(h.sentAtMillis());
                out.writeInt(h.activeConnections());
                break;
            }
            case HANDOFF_REQUEST: {
                HandoffRequest r = (HandoffRequest) m;
                out.writeLong(r.handoffId());
                out.writeInt(r.clientIpv4());
                out.writeInt(r.clientPort());
                out.writeInt(r.localIpv4());
                out.writeInt(r.localPort());
                out.writeInt(r.sendSeq());
                out.writeInt(r.recvSeq());
                out.writeInt(r.mss());
                out.writeInt(r.sndWscale());
                out.writeInt(r.rcvWscale());
                out.writeByte(r.sack() ? 1 : 0);
                out.writeByte(r.timestamps() ? 1 : 0);
                out.writeInt(r.tsVal());
                out.writeInt(r.tsEcr());
                out.writeInt(r.sndWnd());
                out.writeInt(r.rcvWnd());
                out.writeByte(r.forwardBeforeCommit() ? 1 : 0);
                writeBytes(out, r.data());
                break;
            }
            case HANDOFF_READY:
                out.writeLong(((HandoffReady) m).handoffId());
                break;
            case HANDOFF_DROP: {
                HandoffDrop d = (HandoffDrop) m;
                out.writeLong(d.handoffId());
                out.writeInt(d.reasonCode());
                writeString(out, d.detail());
                break;
            }
            case HANDOFF_COMMIT:
                out.writeLong(((HandoffCommit) m).handoffId());
                break;
            case HANDOFF_ABORT:
                out.writeLong(((HandoffAbort) m).handoffId());
                break;
            case CONNECTION_CLOSED: {
                ConnectionClosed c = (ConnectionClosed) m;
                out.writeLong(c.handoffId());
                out.writeLong(c.bytesFromClient());
                out.writeLong(c.bytesToClient());
                out.writeInt(c.reasonCode());
                break;
            }
            case HEALTH_CHECKS: {
                HealthChecks h = (HealthChecks) m;
                out.writeShort(h.checks().size());
                for (HealthChecks.Check c : h.checks()) {
                    writeString(out, c.id());
                    writeString(out, c.path());
                    writeString(out, c.host());
                    out.writeByte(c.expectStatusClass());
                    out.writeInt(c.intervalMillis());
                    out.writeInt(c.timeoutMillis());
                }
                break;
            }
            case HEALTH_REPORT: {
                HealthReport r = (HealthReport) m;
                writeString(out, r.checkId());
                out.writeByte(r.ok() ? 1 : 0);
                out.writeInt(r.status());
                writeString(out, r.detail());
                break;
            }
            case LIVE_CONNECTIONS: {
                LiveConnections l = (LiveConnections) m;
                out.writeByte(l.last() ? 1 : 0);
                out.writeShort(l.entries().size());
                for (LiveConnections.Entry e : l.entries()) {
                    out.writeLong(e.handoffId());
                    out.writeInt(e.clientIpv4());
                    out.writeShort(e.clientPort());
                    out.writeInt(e.localIpv4());
                    out.writeShort(e.localPort());
                }
                break;
            }
            default:
                throw new EncoderException("no encoding for " + m.type());
        }
    }

    private static HandoffMessage readBody(MessageType type, In in) {
        switch (type) {
            case CHALLENGE:
                return new Challenge(in.fixedBytes(NONCE_LENGTH, "controllerNonce"));
            case HELLO: {
                byte[] nonce = in.fixedBytes(NONCE_LENGTH, "agentNonce");
                byte[] proof = in.fixedBytes(PROOF_LENGTH, "proof");
                int ip = in.i32("serverIpv4");
                long mac = in.i64("serverMac");
                if ((mac & ~0xFFFF_FFFF_FFFFL) != 0) {
                    throw new HandoffDecoderException(DecodeFailure.INVALID_FIELD, "serverMac has more than 48 bits");
                }
                String label = in.string(MAX_LABEL_BYTES, "label");
                int caps = in.i32("capabilities");
                int count = in.u16("vips count");
                if (count > MAX_VIPS) {
                    throw new HandoffDecoderException(DecodeFailure.OVERSIZE_FIELD, count + " vips, more than " + MAX_VIPS);
                }
                in.need(4L * count, "vips");
                int[] vips = new int[count];
                for (int i = 0; i < count; i++) {
                    vips[i] = in.i32("vip");
                }
                return new Hello(nonce, proof, ip, mac, label, caps, vips);
            }
            case WELCOME:
                return new Welcome(in.fixedBytes(PROOF_LENGTH, "proof"));
            case HEARTBEAT:
                return new Heartbeat(in.i64("sentAtMillis"), in.i32("activeConnections"));
            case HANDOFF_REQUEST: {
                long id = in.i64("handoffId");
                int clientIpv4 = in.i32("clientIpv4");
                int clientPort = in.i32("clientPort");
                int localIpv4 = in.i32("localIpv4");
                int localPort = in.i32("localPort");
                int sendSeq = in.i32("sendSeq");
                int recvSeq = in.i32("recvSeq");
                int mss = in.i32("mss");
                int sndWscale = in.i32("sndWscale");
                int rcvWscale = in.i32("rcvWscale");
                boolean sack = in.bool("sack");
                boolean timestamps = in.bool("timestamps");
                int tsVal = in.i32("tsVal");
                int tsEcr = in.i32("tsEcr");
                int sndWnd = in.i32("sndWnd");
                int rcvWnd = in.i32("rcvWnd");
                boolean forwardBeforeCommit = in.bool("forwardBeforeCommit");
                byte[] data = in.bytes(MAX_DATA, "data");
                return new HandoffRequest(id, clientIpv4, clientPort, localIpv4, localPort, sendSeq, recvSeq,
                        mss, sndWscale, rcvWscale, sack, timestamps, tsVal, tsEcr, sndWnd, rcvWnd,
                        forwardBeforeCommit, data);
            }
            case HANDOFF_READY:
                return new HandoffReady(in.i64("handoffId"));
            case HANDOFF_DROP:
                return new HandoffDrop(in.i64("handoffId"), in.i32("reasonCode"), in.string(MAX_DETAIL_BYTES, "detail"));
            case HANDOFF_COMMIT:
                return new HandoffCommit(in.i64("handoffId"));
            case HANDOFF_ABORT:
                return new HandoffAbort(in.i64("handoffId"));
            case CONNECTION_CLOSED:
                return new ConnectionClosed(in.i64("handoffId"), in.i64("bytesFromClient"),
                        in.i64("bytesToClient"), in.i32("reasonCode"));
            case HEALTH_CHECKS: {
                int count = in.u16("checks count");
                if (count > MAX_HEALTH_CHECKS) {
                    throw new HandoffDecoderException(DecodeFailure.OVERSIZE_FIELD, count + " checks, more than " + MAX_HEALTH_CHECKS);
                }
                java.util.List<HealthChecks.Check> checks = new java.util.ArrayList<>(count);
                for (int i = 0; i < count; i++) {
                    checks.add(new HealthChecks.Check(in.string(MAX_CHECK_NAME_BYTES, "id"),
                            in.string(MAX_CHECK_PATH_BYTES, "path"), in.string(MAX_CHECK_NAME_BYTES, "host"),
                            in.u8("expectStatusClass"), in.i32("intervalMillis"), in.i32("timeoutMillis")));
                }
                return new HealthChecks(checks);
            }
            case HEALTH_REPORT:
                return new HealthReport(in.string(MAX_CHECK_NAME_BYTES, "checkId"), in.bool("ok"), in.i32("status"),
                        in.string(MAX_DETAIL_BYTES, "detail"));
            case LIVE_CONNECTIONS: {
                boolean last = in.bool("last");
                int count = in.u16("entries count");
                if (count > MAX_LIVE_ENTRIES) {
                    throw new HandoffDecoderException(DecodeFailure.OVERSIZE_FIELD, count + " entries, more than " + MAX_LIVE_ENTRIES);
                }
                in.need(20L * count, "entries");
                java.util.List<LiveConnections.Entry> entries = new java.util.ArrayList<>(count);
                for (int i = 0; i < count; i++) {
                    entries.add(new LiveConnections.Entry(in.i64("handoffId"), in.i32("clientIpv4"), in.u16("clientPort"),
                            in.i32("localIpv4"), in.u16("localPort")));
                }
                return new LiveConnections(entries, last);
            }
            default:
                throw new HandoffDecoderException(DecodeFailure.UNKNOWN_TYPE, "type " + type);
        }
    }

    private static void writeBytes(ByteBuf out, byte[] b) {
        out.writeInt(b.length);
        out.writeBytes(b);
    }

    private static void writeString(ByteBuf out, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        if (b.length > 0xFFFF) {
            throw new EncoderException("string of " + b.length + " UTF-8 bytes does not fit a uint16 length");
        }
        out.writeShort(b.length);
        out.writeBytes(b);
    }

    /** A bounds-checked reader: every shortfall is a {@link HandoffDecoderException}. */
    private static final class In {
        private final ByteBuf buf;

        In(ByteBuf buf) {
            this.buf = buf;
        }

        void need(long n, String field) {
            if (buf.readableBytes() < n) {
                throw new HandoffDecoderException(DecodeFailure.TRUNCATED,
                        field + " needs " + n + " bytes, " + buf.readableBytes() + " left");
            }
        }

        int u8(String field) {
            need(1, field);
            return buf.readUnsignedByte();
        }

        int u16(String field) {
            need(2, field);
            return buf.readUnsignedShort();
        }

        int i32(String field) {
            need(4, field);
            return buf.readInt();
        }

        long i64(String field) {
            need(8, field);
            return buf.readLong();
        }

        boolean bool(String field) {
            int v = u8(field);
            if (v > 1) {
                throw new HandoffDecoderException(DecodeFailure.INVALID_FIELD, field + " is " + v + ", not 0 or 1");
            }
            return v == 1;
        }

        byte[] bytes(int max, String field) {
            need(4, field + " length");
            long n = buf.readUnsignedInt();
            if (n > max) {
                throw new HandoffDecoderException(DecodeFailure.OVERSIZE_FIELD, field + " of " + n + " bytes, more than " + max);
            }
            need(n, field);
            byte[] b = new byte[(int) n];
            buf.readBytes(b);
            return b;
        }

        byte[] fixedBytes(int length, String field) {
            byte[] b = bytes(length, field);
            if (b.length != length) {
                throw new HandoffDecoderException(DecodeFailure.INVALID_FIELD,
                        field + " is " + b.length + " bytes, must be " + length);
            }
            return b;
        }

        String string(int maxBytes, String field) {
            int n = u16(field + " length");
            if (n > maxBytes) {
                throw new HandoffDecoderException(DecodeFailure.OVERSIZE_FIELD,
                        field + " of " + n + " bytes, more than " + maxBytes);
            }
            need(n, field);
            byte[] b = new byte[n];
            buf.readBytes(b);
            try {
                CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(b));
                return chars.toString();
            } catch (CharacterCodingException e) {
                throw new HandoffDecoderException(DecodeFailure.INVALID_FIELD, field + " is not valid UTF-8");
            }
        }
    }
}
