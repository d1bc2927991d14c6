package io.baton.handoff.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class HandoffCodecTest {

    private static EmbeddedChannel channel(ProtocolCounters counters) {
        EmbeddedChannel ch = new EmbeddedChannel();
        HandoffPipeline.addCodec(ch.pipeline(), counters);
        return ch;
    }

    private static byte[] concat(List<HandoffMessage> messages) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (HandoffMessage m : messages) {
            out.writeBytes(HandoffWire.encode(m));
        }
        return out.toByteArray();
    }

    private static List<Object> drainInbound(EmbeddedChannel ch) {
        List<Object> got = new ArrayList<>();
        Object o;
        while ((o = ch.readInbound()) != null) {
            got.add(o);
        }
        return got;
    }

    /** Builds a frame from a type byte and body bytes with a correct length prefix. */
    private static byte[] frame(int type, byte[] body) {
        ByteBuffer b = ByteBuffer.allocate(5 + body.length);
        b.putInt(1 + body.length).put((byte) type).put(body);
        return b.array();
    }

    private static byte[] contentOf(HandoffMessage m) {
        byte[] f = HandoffWire.encode(m);
        byte[] c = new byte[f.length - 4];
        System.arraycopy(f, 4, c, 0, c.length);
        return c;
    }

    private static DecodeFailure failureOf(byte[] wholeFrame) {
        HandoffDecoderException e = assertThrows(HandoffDecoderException.class, () -> HandoffWire.decode(wholeFrame));
        // The same bytes through a pipeline: same failure, channel closed, counted.
        ProtocolCounters c = new ProtocolCounters();
        EmbeddedChannel ch = channel(c);
        HandoffDecoderException e2 = assertThrows(HandoffDecoderException.class,
                () -> ch.writeInbound(Unpooled.copiedBuffer(wholeFrame)));
        assertEquals(e.failure(), e2.failure());
        assertFalse(ch.isOpen(), "channel must be closed after a decode error");
        assertEquals(1, c.decodeErrors(e.failure()));
        assertEquals(1, c.decodeErrors());
        assertTrue(drainInbound(ch).isEmpty());
        return e.failure();
    }

    @Test
    void samplesCoverEveryType() {
        Set<MessageType> seen = EnumSet.noneOf(MessageType.class);
        for (HandoffMessage m : Samples.all()) {
            seen.add(m.type());
        }
        assertEquals(EnumSet.allOf(MessageType.class), seen);
        for (MessageType t : MessageType.values()) {
            assertEquals(t, MessageType.fromCode(t.code()));
        }
        assertNull(MessageType.fromCode(0));
        assertNull(MessageType.fromCode(14));
    }

    @Test
    void healthChecksAreBounded() {
        List<HealthChecks.Check> many = new ArrayList<>();
        for (int i = 0; i <= HandoffWire.MAX_HEALTH_CHECKS; i++) {
            many.add(new HealthChecks.Check("s/p" + i, "/", "", 2, 100, 50));
        }
        assertThrows(IllegalArgumentException.class, () -> new HealthChecks(many));
        assertThrows(IllegalArgumentException.class, () -> new HealthChecks.Check("a/b", "no-slash", "", 2, 100, 50));
        assertThrows(IllegalArgumentException.class, () -> new HealthChecks.Check("a/b", "/x y", "", 2, 100, 50));
        assertThrows(IllegalArgumentException.class, () -> new HealthChecks.Check("a/b", "/", "", 2, 100, 500));
        // A count beyond the bound on the wire is refused before anything is allocated.
        assertEquals(DecodeFailure.OVERSIZE_FIELD, failureOf(frame(MessageType.HEALTH_CHECKS.code(), new byte[] {0x10, 0})));
    }

    @Test
    void everyMessageRoundTripsThroughTheWireFunctions() {
        for (HandoffMessage m : Samples.all()) {
            byte[] f = HandoffWire.encode(m);
            assertEquals(f.length - 4, ByteBuffer.wrap(f).getInt(), "length prefix of " + m.type());
            assertEquals(m.type().code(), f[4]);
            HandoffMessage back = HandoffWire.decode(f);
            assertEquals(m, back);
            assertEquals(m.hashCode(), back.hashCode());
            assertEquals(m.toString(), back.toString());
            assertNotNull(m.toString());
        }
    }

    @Test
    void everyMessageRoundTripsThroughAPipeline() {
        ProtocolCounters counters = new ProtocolCounters();
        EmbeddedChannel ch = channel(counters);
        List<HandoffMessage> all = Samples.all();
        for (HandoffMessage m : all) {
            assertTrue(ch.writeOutbound(m));
            ByteBuf wire = ch.readOutbound();
            assertTrue(ch.writeInbound(wire));
            assertEquals(m, ch.readInbound());
        }
        assertEquals(all.size(), counters.messagesEncoded());
        assertEquals(all.size(), counters.framesDecoded());
        assertEquals(all.size(), counters.messagesDecoded());
        assertEquals(0, counters.decodeErrors());
        assertTrue(ch.finish() == false || drainInbound(ch).isEmpty());
    }

    @Test
    void equalityIsByValue() {
        assertEquals(new HandoffCommit(1), new HandoffCommit(1));
        assertNotEquals(new HandoffCommit(1), new HandoffAbort(1));
        assertNotEquals(new HandoffCommit(1), new HandoffReady(1));
        assertNotEquals(Samples.request(10), Samples.request(11));
        assertEquals(Samples.request(10), Samples.request(10).toBuilder().build());
        assertNotEquals(Samples.request(10), Samples.request(10).toBuilder().sack(false).build());
        byte[] nonce = Samples.bytes(32, 9);
        Challenge c = new Challenge(nonce);
        nonce[0]++;
        assertFalse(java.util.Arrays.equals(nonce, c.controllerNonce()), "constructor must copy");
        byte[] got = c.controllerNonce();
        got[1]++;
        assertArrayEquals(c.controllerNonce(), new Challenge(c.controllerNonce()).controllerNonce());
        assertFalse(java.util.Arrays.equals(got, c.controllerNonce()), "getter must copy");
    }

    @Test
    void decodesAtEverySplitPointOfAStream() {
        List<HandoffMessage> msgs = Samples.small();
        byte[] stream = concat(msgs);
        for (int split = 0; split <= stream.length; split++) {
            EmbeddedChannel ch = channel(new ProtocolCounters());
            ch.writeInbound(Unpooled.copiedBuffer(stream, 0, split));
            ch.writeInbound(Unpooled.copiedBuffer(stream, split, stream.length - split));
            assertEquals(msgs, drainInbound(ch), "split at " + split);
            assertTrue(ch.isOpen());
        }
    }

    @Test
    void decodesAtEveryPairOfSplitPointsOfAShortStream() {
        List<HandoffMessage> msgs = List.of(new HandoffReady(1), new Heartbeat(5, 6), new HandoffDrop(2, 3, "x"));
        byte[] stream = concat(msgs);
        for (int a = 0; a <= stream.length; a++) {
            for (int b = a; b <= stream.length; b++) {
                EmbeddedChannel ch = channel(new ProtocolCounters());
                ch.writeInbound(Unpooled.copiedBuffer(stream, 0, a));
                ch.writeInbound(Unpooled.copiedBuffer(stream, a, b - a));
                ch.writeInbound(Unpooled.copiedBuffer(stream, b, stream.length - b));
                assertEquals(msgs, drainInbound(ch), "split at " + a + "," + b);
            }
        }
    }

    @Test
    void decodesByteByByteAndAtSampledSplitsOfALargeStream() {
        List<HandoffMessage> msgs = Samples.all();
        byte[] stream = concat(msgs);
        EmbeddedChannel one = channel(new ProtocolCounters());
        for (int i = 0; i < stream.length; i++) {
            one.writeInbound(Unpooled.copiedBuffer(stream, i, 1));
        }
        assertEquals(msgs, drainInbound(one));
        Random r = new Random(7);
        for (int k = 0; k < 200; k++) {
            int split = k < 100 ? r.nextInt(stream.length + 1) : stream.length - 200 + r.nextInt(201);
            EmbeddedChannel ch = channel(new ProtocolCounters());
            ch.writeInbound(Unpooled.copiedBuffer(stream, 0, split));
            ch.writeInbound(Unpooled.copiedBuffer(stream, split, stream.length - split));
            assertEquals(msgs, drainInbound(ch), "split at " + split);
        }
    }

    @Test
    void emptyFrameIsRefused() {
        assertEquals(DecodeFailure.EMPTY_FRAME, failureOf(new byte[] {0, 0, 0, 0}));
    }

    @Test
    void oversizeFrameIsRefusedAsSoonAsTheLengthArrives() {
        ProtocolCounters c = new ProtocolCounters();
        EmbeddedChannel ch = channel(c);
        byte[] ok = HandoffWire.encode(new HandoffReady(9));
        ByteBuf bad = Unpooled.buffer().writeBytes(ok).writeInt(HandoffWire.MAX_FRAME_LENGTH + 1);
        HandoffDecoderException e = assertThrows(HandoffDecoderException.class, () -> ch.writeInbound(bad));
        assertEquals(DecodeFailure.FRAME_TOO_LONG, e.failure());
        assertTrue(e.getMessage().contains("131073"), e.getMessage());
        assertEquals(List.of(new HandoffReady(9)), drainInbound(ch), "frames before the bad one are delivered");
        assertFalse(ch.isOpen());
        assertEquals(1, c.decodeErrors(DecodeFailure.FRAME_TOO_LONG));
        byte[] huge = {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff};
        assertEquals(DecodeFailure.FRAME_TOO_LONG, failureOf(huge));
    }

    @Test
    void frameOfExactlyTheMaximumIsCutButItsBodyMustStillFit() {
        byte[] body = new byte[HandoffWire.MAX_FRAME_LENGTH - 1];
        assertEquals(DecodeFailure.TRAILING_BYTES, failureOf(frame(MessageType.HEARTBEAT.code(), body)));
    }

    @Test
    void unknownTypesAreRefused() {
        for (int t : new int[] {0, 14, 127, 255}) {
            assertEquals(DecodeFailure.UNKNOWN_TYPE, failureOf(frame(t, new byte[8])));
        }
    }

    @Test
    void everyTruncationOfEveryMessageIsRefused() {
        for (HandoffMessage m : Samples.small()) {
            byte[] content = contentOf(m);
            for (int k = 1; k < content.length; k++) {
                byte[] body = new byte[k - 1];
                System.arraycopy(content, 1, body, 0, k - 1);
                DecodeFailure f = failureOf(frame(content[0], body));
                assertEquals(DecodeFailure.TRUNCATED, f, m.type() + " cut to " + k);
            }
        }
    }

    @Test
    void trailingBytesAreRefused() {
        for (HandoffMessage m : Samples.small()) {
            byte[] content = contentOf(m);
            byte[] body = new byte[content.length];
            System.arraycopy(content, 1, body, 0, content.length - 1);
            assertEquals(DecodeFailure.TRAILING_BYTES, failureOf(frame(content[0], body)), m.type().toString());
        }
    }

    @Test
    void truncatedWholeFrameFromTheWireFunctionIsRefused() {
        byte[] f = HandoffWire.encode(new HandoffReady(1));
        byte[] cut = java.util.Arrays.copyOf(f, f.length - 1);
        assertEquals(DecodeFailure.TRUNCATED,
                assertThrows(HandoffDecoderException.class, () -> HandoffWire.decode(cut)).failure());
        assertEquals(DecodeFailure.TRUNCATED,
                assertThrows(HandoffDecoderException.class, () -> HandoffWire.decode(new byte[3])).failure());
        // In a pipeline, a partial frame just waits for more bytes.
        EmbeddedChannel ch = channel(new ProtocolCounters());
        ch.writeInbound(Unpooled.copiedBuffer(cut));
        assertTrue(drainInbound(ch).isEmpty());
        assertTrue(ch.isOpen());
    }

    @Test
    void liveConnectionListsAreBounded() {
        List<LiveConnections.Entry> many = new ArrayList<>();
        for (int i = 0; i <= HandoffWire.MAX_LIVE_ENTRIES; i++) {
            many.add(new LiveConnections.Entry(i, 1, 1, 2, 80));
        }
        assertThrows(IllegalArgumentException.class, () -> new LiveConnections(many, true));
        assertThrows(IllegalArgumentException.class, () -> new LiveConnections.Entry(1, 1, 65536, 2, 80));
        assertThrows(IllegalArgumentException.class, () -> new LiveConnections.Entry(1, 1, 1, 2, -1));
        // A count beyond the bound is refused before anything is allocated; a count the body
        // cannot hold is refused as truncated, also before allocating.
        assertEquals(DecodeFailure.OVERSIZE_FIELD,
                failureOf(frame(MessageType.LIVE_CONNECTIONS.code(), new byte[] {1, 0x10, 1})));
        assertEquals(DecodeFailure.TRUNCATED,
                failureOf(frame(MessageType.LIVE_CONNECTIONS.code(), new byte[] {1, 0x0f, (byte) 0xff})));
        assertEquals(DecodeFailure.INVALID_FIELD,
                failureOf(frame(MessageType.LIVE_CONNECTIONS.code(), new byte[] {2, 0, 0})));
    }

    @Test
    void badFieldValuesAreRefused() {
        // boolean 2 in a HandoffRequest (sack is at 1 + 8 + 9*4 in the content)
        byte[] req = contentOf(Samples.request(3));
        int sackAt = 1 + 8 + 9 * 4;
        assertEquals(1, req[sackAt]);
        req[sackAt] = 2;
        assertEquals(DecodeFailure.INVALID_FIELD, failureOf(frame(req[0], java.util.Arrays.copyOfRange(req, 1, req.length))));
        // and in forwardBeforeCommit, after sack, timestamps and four ints
        req = contentOf(Samples.request(3));
        int forwardAt = sackAt + 2 + 4 * 4;
        assertEquals(1, req[forwardAt]);
        req[forwardAt] = 2;
        assertEquals(DecodeFailure.INVALID_FIELD, failureOf(frame(req[0], java.util.Arrays.copyOfRange(req, 1, req.length))));

        // nonce of 31 bytes, and of 33
        ByteBuffer b31 = ByteBuffer.allocate(4 + 31).putInt(31);
        assertEquals(DecodeFailure.INVALID_FIELD, failureOf(frame(1, b31.array())));
        ByteBuffer b33 = ByteBuffer.allocate(4 + 33).putInt(33);
        assertEquals(DecodeFailure.OVERSIZE_FIELD, failureOf(frame(1, b33.array())));
        ByteBuffer bHuge = ByteBuffer.allocate(4 + 8).putInt(-1);
        assertEquals(DecodeFailure.OVERSIZE_FIELD, failureOf(frame(3, bHuge.array())));

        // data longer than 65536
        byte[] r0 = contentOf(Samples.request(0));
        ByteBuffer big = ByteBuffer.allocate(r0.length - 1 + HandoffWire.MAX_DATA + 1);
        big.put(r0, 1, r0.length - 5).putInt(HandoffWire.MAX_DATA + 1).put(new byte[HandoffWire.MAX_DATA + 1]);
        assertEquals(DecodeFailure.OVERSIZE_FIELD, failureOf(frame(5, big.array())));

        // data length 2^32-1
        ByteBuffer hugeData = ByteBuffer.allocate(r0.length - 1);
        hugeData.put(r0, 1, r0.length - 5).putInt(-1);
        assertEquals(DecodeFailure.OVERSIZE_FIELD, failureOf(frame(5, hugeData.array())));

        // detail longer than allowed, and malformed UTF-8
        ByteBuffer d = ByteBuffer.allocate(8 + 4 + 2 + 4097).putLong(1).putInt(1).putShort((short) 4097);
        assertEquals(DecodeFailure.OVERSIZE_FIELD, failureOf(frame(7, d.array())));
        ByteBuffer u = ByteBuffer.allocate(8 + 4 + 2 + 2).putLong(1).putInt(1).putShort((short) 2)
                .put((byte) 0xc3).put((byte) 0x28);
        assertEquals(DecodeFailure.INVALID_FIELD, failureOf(frame(7, u.array())));

        // Hello: label too long, mac with more than 48 bits, too many vips
        assertEquals(DecodeFailure.OVERSIZE_FIELD, failureOf(frame(2, helloBody(256, 0, 0))));
        assertEquals(DecodeFailure.INVALID_FIELD, failureOf(frame(2, helloBody(1, 1L << 48, 0))));
        assertEquals(DecodeFailure.OVERSIZE_FIELD, failureOf(frame(2, helloBody(1, 0, HandoffWire.MAX_VIPS + 1))));
        byte[] tenVips = helloBody(1, 0, 10);
        assertEquals(DecodeFailure.TRUNCATED, failureOf(frame(2, java.util.Arrays.copyOf(tenVips, tenVips.length - 4))));
    }

    private static byte[] helloBody(int labelLen, long mac, int vipCount) {
        ByteBuffer b = ByteBuffer.allocate(4 + 32 + 4 + 32 + 4 + 8 + 2 + labelLen + 4 + 2 + 4 * Math.min(vipCount, HandoffWire.MAX_VIPS + 1));
        b.putInt(32).put(new byte[32]).putInt(32).put(new byte[32]).putInt(0x0a000001).putLong(mac)
                .putShort((short) labelLen).put(new byte[labelLen]).putInt(1).putShort((short) vipCount);
        return b.array();
    }

    @Test
    void constructorsRefuseWhatTheWireCannotCarry() {
        assertThrows(IllegalArgumentException.class, () -> new Challenge(new byte[31]));
        assertThrows(IllegalArgumentException.class, () -> new Challenge(null));
        assertThrows(IllegalArgumentException.class, () -> new Welcome(new byte[33]));
        assertThrows(IllegalArgumentException.class, () -> Samples.request(HandoffWire.MAX_DATA + 1));
        assertThrows(IllegalArgumentException.class,
                () -> new Hello(new byte[32], new byte[32], 1, 1L << 48, "x", 1, new int[0]));
        assertThrows(IllegalArgumentException.class,
                () -> new Hello(new byte[32], new byte[32], 1, 1, "x".repeat(256), 1, new int[0]));
        assertThrows(IllegalArgumentException.class,
                () -> new Hello(new byte[32], new byte[32], 1, 1, "x", 1, new int[HandoffWire.MAX_VIPS + 1]));
        assertThrows(IllegalArgumentException.class, () -> new HandoffDrop(1, 1, "x".repeat(4097)));
        assertThrows(IllegalArgumentException.class, () -> new HandoffDrop(1, 1, null));
    }

    @Test
    void requestValidationNamesTheProblem() {
        assertNull(Samples.request(5).validationProblem());
        assertTrue(Samples.request(5).toBuilder().clientPort(0).build().validationProblem().contains("clientPort"));
        assertTrue(Samples.request(5).toBuilder().localPort(70000).build().validationProblem().contains("localPort"));
        assertTrue(Samples.request(5).toBuilder().sndWscale(15).build().validationProblem().contains("sndWscale"));
        assertTrue(Samples.request(5).toBuilder().rcvWscale(-2).build().validationProblem().contains("rcvWscale"));
        assertTrue(Samples.request(5).toBuilder().mss(-1).build().validationProblem().contains("mss"));
        assertTrue(Samples.request(5).toBuilder().sndWnd(-1).build().validationProblem().contains("sndWnd"));
        assertTrue(Samples.request(5).toBuilder().localIpv4(0).build().validationProblem().contains("localIpv4"));
    }

    @Test
    void randomGarbageOnlyEverRaisesDecodeErrors() {
        Random r = new Random(12345);
        List<byte[]> valid = new ArrayList<>();
        for (HandoffMessage m : Samples.small()) {
            valid.add(contentOf(m));
        }
        for (int i = 0; i < 20000; i++) {
            byte[] content;
            if (i % 2 == 0) {
                content = valid.get(r.nextInt(valid.size())).clone();
                int flips = 1 + r.nextInt(4);
                for (int k = 0; k < flips; k++) {
                    content[r.nextInt(content.length)] = (byte) r.nextInt(256);
                }
            } else {
                content = new byte[1 + r.nextInt(80)];
                r.nextBytes(content);
                content[0] = (byte) (1 + r.nextInt(11));
            }
            try {
                HandoffMessage m = HandoffWire.decodeFrame(Unpooled.wrappedBuffer(content));
                // If it decoded, it must re-encode to the same bytes.
                assertArrayEquals(content, contentOf(m));
            } catch (HandoffDecoderException expected) {
                assertNotNull(expected.failure());
            } catch (RuntimeException e) {
                fail("unexpected " + e + " for content of " + content.length + " bytes");
            }
        }
        // Random streams through a pipeline: only HandoffDecoderException, channel closed on error.
        for (int i = 0; i < 2000; i++) {
            byte[] stream = new byte[r.nextInt(200)];
            r.nextBytes(stream);
            if (stream.length >= 4 && r.nextBoolean()) {
                stream[0] = 0;
                stream[1] = 0;
            }
            EmbeddedChannel ch = channel(new ProtocolCounters());
            try {
                ch.writeInbound(Unpooled.copiedBuffer(stream));
            } catch (HandoffDecoderException expected) {
                assertFalse(ch.isOpen());
            } catch (RuntimeException e) {
                fail("unexpected " + e);
            }
        }
    }

    @Test
    void afterABadFrameLaterFramesAreDropped() {
        ProtocolCounters c = new ProtocolCounters();
        EmbeddedChannel ch = channel(c);
        ByteBuf buf = Unpooled.buffer();
        buf.writeBytes(HandoffWire.encode(new HandoffReady(1)));
        buf.writeBytes(frame(42, new byte[3]));
        buf.writeBytes(HandoffWire.encode(new HandoffReady(2)));
        assertThrows(HandoffDecoderException.class, () -> ch.writeInbound(buf));
        assertEquals(List.of(new HandoffReady(1)), drainInbound(ch));
        assertEquals(1, c.decodeErrors(DecodeFailure.UNKNOWN_TYPE));
        assertFalse(ch.isOpen());
        assertTrue(c.toString().contains("UNKNOWN_TYPE=1"), c.toString());
    }

    @Test
    void ipv4AndMacHelpers() {
        assertEquals("10.0.0.1", Ipv4.toString(Ipv4.parse("10.0.0.1")));
        assertEquals("255.255.255.255", Ipv4.toString(-1));
        assertEquals(0x7f000001, Ipv4.parse("127.0.0.1"));
        for (String bad : new String[] {"1.2.3", "1.2.3.256", "a.b.c.d", "1..2.3", "1.2.3.4.5", ""}) {
            assertThrows(IllegalArgumentException.class, () -> Ipv4.parse(bad), bad);
        }
        assertEquals("02:42:ac:11:00:02", Ipv4.macToString(Ipv4.parseMac("02:42:AC:11:00:02")));
        assertEquals(0x0242ac110002L, Ipv4.macFromBytes(new byte[] {2, 0x42, (byte) 0xac, 0x11, 0, 2}));
        assertThrows(IllegalArgumentException.class, () -> Ipv4.parseMac("02:42:ac:11:00"));
        assertThrows(IllegalArgumentException.class, () -> Ipv4.parseMac("02:42:ac:11:00:zz"));
    }
}
