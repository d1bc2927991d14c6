package io.baton.controller.packet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.flowrules.api.Ipv4Address;
import io.baton.flowrules.api.MacAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FrameTest {
    private static final MacAddress A = MacAddress.parse("00:00:00:00:00:01");
    private static final MacAddress B = MacAddress.parse("02:00:0a:00:00:64");
    private static final Ipv4Address IA = Ipv4Address.parse("10.0.0.1");
    private static final Ipv4Address IB = Ipv4Address.parse("10.0.0.100");

    @Test
    void builtSegmentParsesBackWithValidChecksumsAndOptions() {
        TcpOptions opts = new TcpOptions(1460, 7, true, true, 0x80000001, 42);
        byte[] payload = "GET / HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        byte[] frame = FrameBuilder.tcp(A, B, IA, IB, 40000, 80, 0xfffffff0, 7,
                Frame.TCP_SYN | Frame.TCP_ACK, 65535, opts, payload);
        Frame f = Frame.parse(frame);
        assertEquals(Frame.Kind.TCP, f.kind());
        assertTrue(f.tcpChecksumOk());
        assertEquals(IA, f.ipSrc());
        assertEquals(IB, f.ipDst());
        assertEquals(40000, f.srcPort());
        assertEquals(0xfffffff0, f.seq());
        assertEquals(7, f.ack());
        assertTrue(f.has(Frame.TCP_SYN) && f.has(Frame.TCP_ACK));
        assertEquals(1460, f.options().mss());
        assertEquals(7, f.options().windowScale());
        assertTrue(f.options().sackPermitted());
        assertEquals(0x80000001, f.options().tsVal());
        assertEquals(42, f.options().tsEcr());
        assertEquals(payload.length, f.payloadLength());
        assertEquals("GET / HTTP/1.1\r\n\r\n",
                new String(frame, f.payloadOffset(), f.payloadLength(), StandardCharsets.US_ASCII));
    }

    @Test
    void everyOptionCombinationRoundTrips() {
        for (int mask = 0; mask < 16; mask++) {
            TcpOptions o = new TcpOptions((mask & 1) != 0 ? 536 : -1, (mask & 2) != 0 ? 14 : -1,
                    (mask & 4) != 0, (mask & 8) != 0, 5, 6);
            Frame f = Frame.parse(FrameBuilder.tcp(A, B, IA, IB, 1, 2, 3, 4, Frame.TCP_ACK, 100, o, null));
            assertEquals(Frame.Kind.TCP, f.kind(), "options mask " + mask);
            assertEquals(o.mss(), f.options().mss());
            assertEquals(o.windowScale(), f.options().windowScale());
            assertEquals(o.sackPermitted(), f.options().sackPermitted());
            assertEquals(o.timestamps(), f.options().timestamps());
        }
    }

    @Test
    void corruptedPayloadFailsTheTcpChecksum() {
        byte[] frame = FrameBuilder.tcp(A, B, IA, IB, 1, 80, 3, 4, Frame.TCP_ACK, 100, TcpOptions.NONE,
                new byte[] {1, 2, 3});
        frame[frame.length - 1] ^= 0x40;
        Frame f = Frame.parse(frame);
        assertEquals(Frame.Kind.TCP, f.kind());
        assertFalse(f.tcpChecksumOk());
    }

    @Test
    void arpReplyRoundTrips() {
        Frame f = Frame.parse(FrameBuilder.arpReply(B, IB, A, IA));
        assertTrue(f.isArpReply());
        assertEquals(B, f.arpSenderMac());
        assertEquals(IB, f.arpSenderIp());
        assertEquals(IA, f.arpTargetIp());
        assertEquals(A, f.ethDst());
    }

    @Test
    void fragmentsAreRecognised() {
        byte[] frame = FrameBuilder.tcp(A, B, IA, IB, 1, 80, 3, 4, Frame.TCP_ACK, 100, TcpOptions.NONE, null);
        frame[14 + 6] = 0x20; // more fragments
        frame[14 + 10] = 0;
        frame[14 + 11] = 0;
        int sum = Bytes.fold(Bytes.sum16(frame, 14, 20));
        Bytes.putShort(frame, 14 + 10, sum);
        assertEquals(Frame.Kind.IPV4_FRAGMENT, Frame.parse(frame).kind());
    }

    @Test
    void truncationAtEveryLengthIsMalformed() {
        byte[] frame = FrameBuilder.tcp(A, B, IA, IB, 1, 80, 3, 4, Frame.TCP_ACK | Frame.TCP_PSH, 100,
                new TcpOptions(1460, 7, true, true, 1, 2), new byte[] {9, 9, 9});
        for (int n = 0; n < frame.length; n++) {
            Frame f = Frame.parse(Arrays.copyOf(frame, n));
            assertEquals(Frame.Kind.MALFORMED, f.kind(), "a frame cut to " + n + " bytes");
        }
    }

    @Test
    void randomBytesNeverThrow() {
        Random r = new Random(1);
        for (int i = 0; i < 20000; i++) {
            byte[] b = new byte[r.nextInt(120)];
            r.nextBytes(b);
            if (b.length > 14 && r.nextBoolean()) {
                b[12] = 0x08;
                b[13] = 0x00;
                b[14] = 0x45;
            }
            Frame.parse(b).toString();
        }
    }
}
