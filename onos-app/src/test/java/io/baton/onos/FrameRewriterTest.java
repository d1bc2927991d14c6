package io.baton.onos;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.controller.packet.Frame;
import io.baton.controller.packet.FrameBuilder;
import io.baton.controller.packet.TcpOptions;
import io.baton.flowrules.api.FlowAction;
import io.baton.flowrules.api.Ipv4Address;
import io.baton.flowrules.api.MacAddress;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * A rewritten frame must be byte for byte the frame built with the new header in the first
 * place (FrameBuilder computes both checksums from scratch), for every field the engine rewrites.
 */
class FrameRewriterTest {
    static final MacAddress A = MacAddress.parse("00:00:00:00:00:01");
    static final MacAddress B = MacAddress.parse("02:00:0a:00:00:64");
    static final MacAddress C = MacAddress.parse("00:00:00:00:00:13");
    static final Ipv4Address CLIENT = Ipv4Address.parse("10.0.0.1");
    static final Ipv4Address VIP = Ipv4Address.parse("10.0.0.100");
    static final Ipv4Address SERVER = Ipv4Address.parse("10.0.0.13");
    static final byte[] DATA = "GET / HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    private static byte[] segment(MacAddress src, MacAddress dst, Ipv4Address ipSrc, Ipv4Address ipDst) {
        return FrameBuilder.tcp(src, dst, ipSrc, ipDst, 40000, 80, 1001, 7777, Frame.TCP_ACK | Frame.TCP_PSH, 502,
                TcpOptions.timestampsOnly(5, 6), DATA);
    }

    @Test
    void ipv4DestinationWithBothChecksums() {
        byte[] out = FrameRewriter.apply(segment(A, B, CLIENT, VIP), FlowAction.setIpv4Dst(SERVER));
        assertArrayEquals(segment(A, B, CLIENT, SERVER), out);
        assertTrue(Frame.parse(out).tcpChecksumOk());
    }

    @Test
    void ipv4Source() {
        assertArrayEquals(segment(A, B, VIP, CLIENT),
                FrameRewriter.apply(segment(A, B, SERVER, CLIENT), FlowAction.setIpv4Src(VIP)));
    }

    @Test
    void macs() {
        assertArrayEquals(segment(A, C, CLIENT, VIP), FrameRewriter.apply(segment(A, B, CLIENT, VIP), FlowAction.setEthDst(C)));
        assertArrayEquals(segment(C, B, CLIENT, VIP), FrameRewriter.apply(segment(A, B, CLIENT, VIP), FlowAction.setEthSrc(C)));
    }

    @Test
    void theCallersFrameIsNotChanged() {
        byte[] in = segment(A, B, CLIENT, VIP);
        byte[] copy = in.clone();
        FrameRewriter.apply(in, FlowAction.setIpv4Dst(SERVER));
        assertArrayEquals(copy, in);
    }

    @Test
    void notIpv4IsLeftAlone() {
        byte[] arp = FrameBuilder.arpRequest(A, CLIENT, VIP);
        assertSame(arp, FrameRewriter.apply(arp, FlowAction.setIpv4Dst(SERVER)));
        byte[] runt = new byte[10];
        assertSame(runt, FrameRewriter.apply(runt, FlowAction.setEthDst(C)));
    }
}
