package io.baton.controller.packet;

import io.baton.flowrules.api.Ipv4Address;
import io.baton.flowrules.api.MacAddress;

/** Builds the frames the controller sends: ARP, and TCP segments with correct checksums. */
public final class FrameBuilder {
    private FrameBuilder() {
    }

    /** An ARP reply telling {@code targetMac/targetIp} that {@code senderIp} is at {@code senderMac}. */
    public static byte[] arpReply(MacAddress senderMac, Ipv4Address senderIp, MacAddress targetMac, Ipv4Address targetIp) {
        return arp(2, senderMac, senderIp, targetMac, targetIp, targetMac);
    }

    /**
     * A broadcast ARP request for {@code targetIp}. With sender IP 0.0.0.0 it is an RFC 5227
     * probe, which hosts answer even when the asker has no address of their subnet.
     */
    public static byte[] arpRequest(MacAddress senderMac, Ipv4Address senderIp, Ipv4Address targetIp) {
        return arp(1, senderMac, senderIp, MacAddress.ZERO, targetIp, MacAddress.BROADCAST);
    }

    private static byte[] arp(int op, MacAddress sha, Ipv4Address spa, MacAddress tha, Ipv4Address tpa, MacAddress ethDst) {
        byte[] b = new byte[Frame.ETH_LEN + 28];
        ethDst.writeTo(b, 0);
        sha.writeTo(b, 6);
        Bytes.putShort(b, 12, Frame.ETH_TYPE_ARP);
        int p = Frame.ETH_LEN;
        Bytes.putShort(b, p, 1);
        Bytes.putShort(b, p + 2, Frame.ETH_TYPE_IPV4);
        b[p + 4] = 6;
        b[p + 5] = 4;
        Bytes.putShort(b, p + 6, op);
        sha.writeTo(b, p + 8);
        spa.writeTo(b, p + 14);
        tha.writeTo(b, p + 18);
        tpa.writeTo(b, p + 24);
        return b;
    }

    /** A TCP segment in an Ethernet frame; IPv4 and TCP checksums computed. */
    public static byte[] tcp(MacAddress ethSrc, MacAddress ethDst, Ipv4Address ipSrc, Ipv4Address ipDst,
                             int srcPort, int dstPort, int seq, int ack, int flags, int window,
                             TcpOptions options, byte[] payload) {
        int optLen = options.encodedLength();
        int payloadLen = payload == null ? 0 : payload.length;
        int tcpLen = 20 + optLen + payloadLen;
        byte[] b = new byte[Frame.ETH_LEN + 20 + tcpLen];
        ethDst.writeTo(b, 0);
        ethSrc.writeTo(b, 6);
        Bytes.putShort(b, 12, Frame.ETH_TYPE_IPV4);
        int ip = Frame.ETH_LEN;
        b[ip] = 0x45;
        Bytes.putShort(b, ip + 2, 20 + tcpLen);
        Bytes.putShort(b, ip + 6, 0x4000); // don't fragment
        b[ip + 8] = 64;
        b[ip + 9] = 6;
        ipSrc.writeTo(b, ip + 12);
        ipDst.writeTo(b, ip + 16);
        Bytes.putShort(b, ip + 10, Bytes.fold(Bytes.sum16(b, ip, 20)));
        int t = ip + 20;
        Bytes.putShort(b, t, srcPort);
        Bytes.putShort(b, t + 2, dstPort);
        Bytes.putInt(b, t + 4, seq);
        Bytes.putInt(b, t + 8, ack);
        b[t + 12] = (byte) (((20 + optLen) / 4) << 4);
        b[t + 13] = (byte) flags;
        Bytes.putShort(b, t + 14, Math.min(window, 0xffff));
        options.encode(b, t + 20);
        if (payloadLen > 0) {
            System.arraycopy(payload, 0, b, t + 20 + optLen, payloadLen);
        }
        long sum = Bytes.sum16(b, ip + 12, 8) + 6 + tcpLen + Bytes.sum16(b, t, tcpLen);
        Bytes.putShort(b, t + 16, Bytes.fold(sum));
        return b;
    }
}
