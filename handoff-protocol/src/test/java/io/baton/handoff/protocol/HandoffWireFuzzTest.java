package io.baton.handoff.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Fuzz test of the handoff decoders (Jazzer): {@link HandoffFrameDecoder} +
 * {@link HandoffMessageDecoder} in a pipeline, and {@link HandoffWire#decode(byte[])}.
 *
 * <p>The contract, for any bytes:
 * <ul>
 *   <li>nothing but a {@link HandoffDecoderException} with a {@link DecodeFailure} escapes, at most
 *       one per channel, and it closes the channel;</li>
 *   <li>the pipeline agrees with a reference reading of the stream that cuts frames by hand and
 *       decodes each with {@link HandoffWire#decode(byte[])}: same messages, same failure;</li>
 *   <li>every decoded message re-encodes to the very bytes it came from, and those decode to an
 *       equal message;</li>
 *   <li>the frame decoder holds exactly the bytes of the frame still incomplete, never
 *       {@code LENGTH_FIELD_SIZE + MAX_FRAME_LENGTH} or more;</li>
 *   <li>after a failure nothing more is decoded, whatever follows;</li>
 *   <li>the outcome does not depend on where the stream is split.</li>
 * </ul>
 *
 * <p>Fuzzer inputs are short (libFuzzer's 4 KiB by default), so when the input ends inside a
 * frame whose length prefix is valid, the rest of that frame is fed as zeros, 8 KiB at a time:
 * a 10-byte input can thus fill the decoder up to its limit.
 *
 * <p>In a plain build this runs in regression mode on the seeds in
 * {@code src/test/resources/io/baton/handoff/protocol/HandoffWireFuzzTestInputs/<method>/};
 * fuzzing mode (JAZZER_FUZZ=1) is described in the module's README.
 */
class HandoffWireFuzzTest {
    private static final int HOLD_LIMIT = HandoffWire.LENGTH_FIELD_SIZE + HandoffWire.MAX_FRAME_LENGTH;
    private static final int FILL_CHUNK = 8192;
    private static final int BYTE_BY_BYTE_MAX = 1024;
    private static final Method INTERNAL_BUFFER = internalBufferMethod();

    /** Any bytes, fed whole, then byte by byte if short. */
    @FuzzTest
    void anyBytesDecodeOrFailCleanly(byte[] input) {
        Reference ref = Reference.read(input);
        Outcome whole = feed(ref, List.of(input));
        ref.assertSame(whole, "whole");
        checkSingleFrame(input, ref);
        if (input.length <= BYTE_BY_BYTE_MAX) {
            List<byte[]> bytes = new ArrayList<>();
            for (byte b : input) {
                bytes.add(new byte[] {b});
            }
            ref.assertSame(feed(ref, bytes), "byte by byte");
        }
    }

    /**
     * The same stream cut at points the fuzzer picks. Input layout: {@code k = input[0] & 7}
     * cut points, each a big-endian u16 taken modulo (stream length + 1), then the stream.
     */
    @FuzzTest
    void anySplitGivesTheSameMessages(byte[] input) {
        if (input.length == 0) {
            return;
        }
        int k = input[0] & 7;
        int header = Math.min(input.length, 1 + 2 * k);
        byte[] stream = Arrays.copyOfRange(input, header, input.length);
        int[] cuts = new int[(header - 1) / 2];
        for (int i = 0; i < cuts.length; i++) {
            int v = (input[1 + 2 * i] & 0xFF) << 8 | (input[2 + 2 * i] & 0xFF);
            cuts[i] = v % (stream.length + 1);
        }
        Arrays.sort(cuts);
        List<byte[]> pieces = new ArrayList<>();
        int from = 0;
        for (int cut : cuts) {
            pieces.add(Arrays.copyOfRange(stream, from, cut));
            from = cut;
        }
        pieces.add(Arrays.copyOfRange(stream, from, stream.length));

        Reference ref = Reference.read(stream);
        Outcome whole = feed(ref, List.of(stream));
        ref.assertSame(whole, "whole");
        ref.assertSame(feed(ref, pieces), "cut at " + Arrays.toString(cuts));
    }

    /**
     * {@link HandoffWire#decode(byte[])} on the input itself: a frame-level failure as in the
     * pipeline, TRUNCATED or TRAILING_BYTES unless the input is exactly one frame, and then the
     * pipeline's message or failure.
     */
    private static void checkSingleFrame(byte[] input, Reference ref) {
        DecodeFailure expected;
        if (input.length < HandoffWire.LENGTH_FIELD_SIZE) {
            expected = DecodeFailure.TRUNCATED;
        } else {
            long length = Unpooled.wrappedBuffer(input).readUnsignedInt();
            long end = HandoffWire.LENGTH_FIELD_SIZE + length;
            if (length == 0 || length > HandoffWire.MAX_FRAME_LENGTH) {
                expected = ref.failure;
            } else if (end != input.length) {
                expected = end > input.length ? DecodeFailure.TRUNCATED : DecodeFailure.TRAILING_BYTES;
            } else {
                expected = ref.messages.isEmpty() ? ref.failure : null;
            }
        }
        try {
            HandoffMessage m = HandoffWire.decode(input);
            assertNull(expected, () -> "decode(byte[]) accepted " + m);
            assertEquals(ref.messages.get(0), m, "decode(byte[]) and the pipeline disagree");
        } catch (HandoffDecoderException e) {
            assertEquals(expected, e.failure(), "decode(byte[]) failure");
        }
    }

    /**
     * Feeds the pieces, then zeros to complete a frame the input leaves unfinished, into a fresh
     * pipeline; checks the bound after every piece; after a failure, also feeds a good frame.
     */
    private static Outcome feed(Reference ref, List<byte[]> pieces) {
        List<byte[]> all = new ArrayList<>(pieces);
        for (int left = ref.fill; left > 0; left -= FILL_CHUNK) {
            all.add(new byte[Math.min(FILL_CHUNK, left)]);
        }
        Recorder rec = new Recorder();
        EmbeddedChannel ch = new EmbeddedChannel();
        ProtocolCounters counters = HandoffPipeline.addCodec(ch.pipeline());
        ch.pipeline().addLast(rec);
        HandoffFrameDecoder frames = ch.pipeline().get(HandoffFrameDecoder.class);
        for (byte[] piece : all) {
            // pipeline().fireChannelRead, not writeInbound: that refuses a closed channel, and
            // what happens to bytes after a failure is part of the contract
            ch.pipeline().fireChannelRead(Unpooled.wrappedBuffer(piece));
            rec.collect(ch);
            int held = held(frames);
            assertTrue(held < HOLD_LIMIT, () -> "the frame decoder holds " + held + " bytes");
            if (rec.errors.isEmpty()) {
                assertTrue(ch.isOpen(), "open without an error");
            } else {
                assertEquals(0, held, "bytes kept after a failure");
            }
        }
        int decodedBeforeGoodFrame = rec.messages.size();
        if (!rec.errors.isEmpty()) {
            ch.pipeline().fireChannelRead(Unpooled.wrappedBuffer(HandoffWire.encode(new HandoffReady(7))));
            rec.collect(ch);
            assertEquals(decodedBeforeGoodFrame, rec.messages.size(), "decoded after a failure");
        } else {
            assertEquals(ref.pendingAfterFill, held(frames), "bytes held for the unfinished frame");
        }
        assertTrue(rec.errors.size() <= 1, () -> "more than one error: " + rec.errors);
        DecodeFailure failure = null;
        if (!rec.errors.isEmpty()) {
            Throwable t = rec.errors.get(0);
            if (!(t instanceof HandoffDecoderException)) {
                throw new AssertionError("escaped: " + t, t);
            }
            failure = ((HandoffDecoderException) t).failure();
            assertNotNull(failure, "a decode error names its failure");
            assertTrue(!ch.isOpen(), "a decode error closes the channel");
            assertEquals(1, counters.decodeErrors(failure), "the error is counted once");
        }
        assertEquals(rec.messages.size(), counters.messagesDecoded());
        ch.finishAndReleaseAll();
        return new Outcome(rec.messages, failure);
    }

    private static int held(HandoffFrameDecoder decoder) {
        try {
            return ((ByteBuf) INTERNAL_BUFFER.invoke(decoder)).readableBytes();
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    /** {@code ByteToMessageDecoder.internalBuffer()} is protected: the decoder's buffered bytes. */
    private static Method internalBufferMethod() {
        try {
            Method m = ByteToMessageDecoder.class.getDeclaredMethod("internalBuffer");
            m.setAccessible(true);
            return m;
        } catch (NoSuchMethodException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * What reached the end of the pipeline. Once the channel is closed its pipeline may be torn
     * down (the close runs as a task), so what then reaches the tail is collected too: exceptions
     * from {@code checkException()}, messages from the inbound queue (raw bytes there are not
     * decoded messages and are dropped).
     */
    private static final class Recorder extends ChannelInboundHandlerAdapter {
        final List<Object> messages = new ArrayList<>();
        final List<Throwable> errors = new ArrayList<>();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            messages.add(msg);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            errors.add(cause);
        }

        void collect(EmbeddedChannel ch) {
            try {
                ch.checkException();
            } catch (Throwable t) {
                errors.add(t);
            }
            Object o;
            while ((o = ch.readInbound()) != null) {
                if (o instanceof HandoffMessage) {
                    messages.add(o);
                } else {
                    ReferenceCountUtil.release(o);
                }
            }
        }
    }

    private static final class Outcome {
        final List<Object> messages;
        final DecodeFailure failure;

        Outcome(List<Object> messages, DecodeFailure failure) {
            this.messages = messages;
            this.failure = failure;
        }
    }

    /**
     * The stream read without Netty: frames cut by hand, each decoded with
     * {@link HandoffWire#decode(byte[])}, and each message checked to round-trip.
     */
    private static final class Reference {
        final List<Object> messages = new ArrayList<>();
        final List<byte[]> frames = new ArrayList<>();
        DecodeFailure failure;
        /** Zeros the pipeline gets after the input to finish its last frame. */
        int fill;
        /** Bytes the frame decoder still holds after the fill (a length prefix cut short). */
        int pendingAfterFill;

        static Reference read(byte[] input) {
            Reference r = new Reference();
            int off = 0;
            while (input.length - off >= HandoffWire.LENGTH_FIELD_SIZE) {
                long length = Unpooled.wrappedBuffer(input, off, 4).readUnsignedInt();
                if (length == 0) {
                    r.failure = DecodeFailure.EMPTY_FRAME;
                    break;
                }
                if (length > HandoffWire.MAX_FRAME_LENGTH) {
                    r.failure = DecodeFailure.FRAME_TOO_LONG;
                    break;
                }
                int end = off + HandoffWire.LENGTH_FIELD_SIZE + (int) length;
                byte[] frame = Arrays.copyOfRange(input, off, end); // zero-filled past the input
                if (end > input.length) {
                    r.fill = end - input.length;
                }
                if (!r.decode(frame) || r.fill > 0) {
                    break;
                }
                off = end;
            }
            if (r.failure == null && r.fill == 0) {
                r.pendingAfterFill = input.length - off;
            }
            return r;
        }

        private boolean decode(byte[] frame) {
            HandoffMessage m;
            try {
                m = HandoffWire.decode(frame);
            } catch (HandoffDecoderException e) {
                assertNotNull(e.failure(), "a decode error names its failure");
                failure = e.failure();
                return false;
            }
            byte[] again = HandoffWire.encode(m);
            assertArrayEquals(frame, again, () -> m.type() + " does not re-encode to its bytes");
            HandoffMessage back = HandoffWire.decode(again);
            assertEquals(m, back, "round trip");
            assertEquals(m.hashCode(), back.hashCode());
            assertEquals(m.toString(), back.toString());
            messages.add(m);
            frames.add(frame);
            return true;
        }

        void assertSame(Outcome o, String how) {
            assertEquals(messages, o.messages, how + ": messages");
            assertEquals(failure, o.failure, how + ": failure");
        }
    }

    // ---- the seeds

    /** The committed seeds hold a good frame of every type, so the regression run decodes each. */
    @Test
    void seedsCoverEveryMessageType() throws IOException {
        Set<MessageType> seen = EnumSet.noneOf(MessageType.class);
        for (MessageType t : MessageType.values()) {
            byte[] seed = seed("anyBytesDecodeOrFailCleanly", t.name().toLowerCase().replace('_', '-'));
            HandoffMessage m = HandoffWire.decode(seed);
            assertEquals(t, m.type());
            seen.add(m.type());
        }
        assertEquals(EnumSet.allOf(MessageType.class), seen);
        Reference every = Reference.read(Arrays.copyOfRange(seed("anySplitGivesTheSameMessages", "every-type-three-cuts"), 7,
                seed("anySplitGivesTheSameMessages", "every-type-three-cuts").length));
        assertNull(every.failure);
        assertEquals(MessageType.values().length, every.messages.size());
    }

    /** The largest frame the decoder may hold, finished with zeros: a HandoffRequest needs it to be longer. */
    @Test
    void aFrameOfTheMaximumLengthIsFilledThenJudged() throws IOException {
        byte[] seed = seed("anyBytesDecodeOrFailCleanly", "max-length-request-prefix");
        Reference ref = Reference.read(seed);
        assertEquals(HOLD_LIMIT - seed.length, ref.fill);
        assertEquals(DecodeFailure.TRAILING_BYTES, ref.failure);
        anyBytesDecodeOrFailCleanly(seed);
    }

    static byte[] seed(String method, String name) throws IOException {
        try (InputStream in = HandoffWireFuzzTest.class.getResourceAsStream("HandoffWireFuzzTestInputs/" + method + "/" + name)) {
            if (in == null) {
                throw new IOException("no seed " + method + "/" + name);
            }
            return in.readAllBytes();
        }
    }

    /** The reference itself refuses what the wire format refuses, so it cannot agree by accident. */
    @Test
    void referenceSeesEveryFrameLevelFailure() {
        assertEquals(DecodeFailure.EMPTY_FRAME, Reference.read(new byte[4]).failure);
        assertEquals(DecodeFailure.FRAME_TOO_LONG, Reference.read(new byte[] {0, 2, 0, 1}).failure);
        assertEquals(DecodeFailure.UNKNOWN_TYPE, Reference.read(new byte[] {0, 0, 0, 1, 99}).failure);
        assertEquals(3, Reference.read(new byte[] {0, 0, 0}).pendingAfterFill);
        assertThrows(HandoffDecoderException.class, () -> HandoffWire.decode(new byte[0]));
        try {
            anyBytesDecodeOrFailCleanly(new byte[0]);
            anySplitGivesTheSameMessages(new byte[0]);
        } catch (RuntimeException e) {
            fail(e);
        }
    }
}
