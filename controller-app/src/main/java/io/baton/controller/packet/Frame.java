package io.baton.controller.packet;

import io.baton.flowrules.api.Ipv4Address;
import io.baton.flowrules.api.MacAddress;

/**
 * One parsed Ethernet frame as the switch delivered it: Ethernet, then ARP or IPv4/TCP headers.
 * Parsing never throws; a frame that is cut short or inconsistent is {@link Kind#MALFORMED} with
 * a reason. Payload bytes are not copied: {@link #payloadOffset()} points into {@link #bytes()}.
 */
public final class Frame {
    /** What the frame carries, as far as Baton cares. */
    public enum Kind { ARP, TCP, IPV4_FRAGMENT, IPV4_OTHER, OTHER, MALFORMED }

    static final int ETH_LEN = 14;
    static final int ETH_TYPE_ARP = 0x0806;
    static final int ETH_TYPE_IPV4 = 0x0800;
    static final int ETH_TYPE_VLAN = 0x8100;

    public static final int TCP_FIN = 0x01;
    public static final int TCP_SYN = 0x02;
    public static final int TCP_RST = 0x04;
    public static final int TCP_PSH = 0x08;
    public static final int TCP_ACK = 0x10;

    private final byte[] bytes;
    private Kind kind;
    private String malformedReason;
    private MacAddress ethSrc;
    private MacAddress ethDst;
    private int ethType;
    // ARP
    private int arpOp;
    private MacAddress arpSenderMac;
    private Ipv4Address arpSenderIp;
    private Ipv4Address arpTargetIp;
    // IPv4
    private Ipv4Address ipSrc;
    private Ipv4Address ipDst;
    private int ipProto;
    // TCP
    private int srcPort;
    private int dstPort;
    private int seq;
    private int ack;
    private int flags;
    private int window;
    private int ipOffset;
    private int tcpOffset;
    private int tcpLength;
    private TcpOptions options = TcpOptions.NONE;
    private int payloadOffset;
    private int payloadLength;

    private Frame(byte[] bytes) {
        this.bytes = bytes;
    }

    /** Parses a frame; never throws. */
    public static Frame parse(byte[] bytes) {
        Frame f = new Frame(bytes);
        f.parseEthernet();
        return f;
    }

    private void malformed(String reason) {
        kind = Kind.MALFORMED;
        malformedReason = reason;
    }

    private void parseEthernet() {
        if (bytes.length < ETH_LEN) {
            malformed("frame shorter than an Ethernet header");
            return;
        }
        ethDst = MacAddress.of(bytes, 0);
        ethSrc = MacAddress.of(bytes, 6);
        ethType = Bytes.u16(bytes, 12);
        if (ethType == ETH_TYPE_ARP) {
            parseArp(ETH_LEN);
        } else if (ethType == ETH_TYPE_IPV4) {
            parseIpv4(ETH_LEN);
        } else {
            kind = Kind.OTHER;
        }
    }

    private void parseArp(int off) {
        if (bytes.length < off + 28) {
            malformed("ARP packet cut short");
            return;
        }
        if (Bytes.u16(bytes, off) != 1 || Bytes.u16(bytes, off + 2) != ETH_TYPE_IPV4
                || Bytes.u8(bytes, off + 4) != 6 || Bytes.u8(bytes, off + 5) != 4) {
            malformed("ARP for something other than Ethernet/IPv4");
            return;
        }
        kind = Kind.ARP;
        arpOp = Bytes.u16(bytes, off + 6);
        arpSenderMac = MacAddress.of(bytes, off + 8);
        arpSenderIp = Ipv4Address.of(bytes, off + 14);
        arpTargetIp = Ipv4Address.of(bytes, off + 24);
    }

    private void parseIpv4(int off) {
        if (bytes.length < off + 20) {
            malformed("IPv4 header cut short");
            return;
        }
        int vihl = Bytes.u8(bytes, off);
        int ihl = (vihl & 0x0f) * 4;
        if ((vihl >>> 4) != 4 || ihl < 20) {
            malformed("bad IPv4 version or header length");
            return;
        }
        int totalLength = Bytes.u16(bytes, off + 2);
        if (totalLength < ihl || off + totalLength > bytes.length) {
            malformed("IPv4 total length inconsistent with the frame");
            return;
        }
        if (Bytes.fold(Bytes.sum16(bytes, off, ihl)) != 0) {
            malformed("bad IPv4 header checksum");
            return;
        }
        ipProto = Bytes.u8(bytes, off + 9);
        ipSrc = Ipv4Address.of(bytes, off + 12);
        ipDst = Ipv4Address.of(bytes, off + 16);
        int fragment = Bytes.u16(bytes, off + 6);
        if ((fragment & 0x3fff) != 0) { // more-fragments flag or a non-zero offset
            kind = Kind.IPV4_FRAGMENT;
            return;
        }
        if (ipProto != 6) {
            kind = Kind.IPV4_OTHER;
            return;
        }
        parseTcp(off, ihl, totalLength);
    }

    private void parseTcp(int ipOff, int ihl, int totalLength) {
        int off = ipOff + ihl;
        int tcpLength = totalLength - ihl;
        if (tcpLength < 20) {
            malformed("TCP header cut short");
            return;
        }
        int dataOffset = (Bytes.u8(bytes, off + 12) >>> 4) * 4;
        if (dataOffset < 20 || dataOffset > tcpLength) {
            malformed("bad TCP data offset");
            return;
        }
        srcPort = Bytes.u16(bytes, off);
        dstPort = Bytes.u16(bytes, off + 2);
        seq = Bytes.i32(bytes, off + 4);
        ack = Bytes.i32(bytes, off + 8);
        flags = Bytes.u8(bytes, off + 13);
        window = Bytes.u16(bytes, off + 14);
        this.ipOffset = ipOff;
        this.tcpOffset = off;
        this.tcpLength = tcpLength;
        if (!parseOptions(off + 20, dataOffset - 20)) {
            return;
        }
        payloadOffset = off + dataOffset;
        payloadLength = tcpLength - dataOffset;
        kind = Kind.TCP;
    }

    private boolean parseOptions(int off, int len) {
        int mss = -1;
        int ws = -1;
        boolean sack = false;
        boolean ts = false;
        int tsVal = 0;
        int tsEcr = 0;
        int p = off;
        int end = off + len;
        while (p < end) {
            int kindByte = Bytes.u8(bytes, p);
            if (kindByte == 0) {
                break;
            }
            if (kindByte == 1) {
                p++;
                continue;
            }
            if (p + 1 >= end) {
                malformed("TCP option cut short");
                return false;
            }
            int olen = Bytes.u8(bytes, p + 1);
            if (olen < 2 || p + olen > end) {
                malformed("bad TCP option length");
                return false;
            }
            if (kindByte == 2 && olen == 4) {
                mss = Bytes.u16(bytes, p + 2);
            } else if (kindByte == 3 && olen == 3) {
                ws = Math.min(14, Bytes.u8(bytes, p + 2)); // RFC 7323 §2.3: cap at 14
            } else if (kindByte == 4 && olen == 2) {
                sack = true;
            } else if (kindByte == 8 && olen == 10) {
                ts = true;
                tsVal = Bytes.i32(bytes, p + 2);
                tsEcr = Bytes.i32(bytes, p + 6);
            }
            p += olen;
        }
        options = new TcpOptions(mss, ws, sack, ts, tsVal, tsEcr);
        return true;
    }

    public byte[] bytes() { return bytes; }
    public Kind kind() { return kind; }
    public String malformedReason() { return malformedReason; }
    public MacAddress ethSrc() { return ethSrc; }
    public MacAddress ethDst() { return ethDst; }
    public int ethType() { return ethType; }
    public boolean isArpRequest() { return kind == Kind.ARP && arpOp == 1; }
    public boolean isArpReply() { return kind == Kind.ARP && arpOp == 2; }
    public MacAddress arpSenderMac() { return arpSenderMac; }
    public Ipv4Address arpSenderIp() { return arpSenderIp; }
    public Ipv4Address arpTargetIp() { return arpTargetIp; }
    public Ipv4Address ipSrc() { return ipSrc; }
    public Ipv4Address ipDst() { return ipDst; }
    public int ipProto() { return ipProto; }
    public int srcPort() { return srcPort; }
    public int dstPort() { return dstPort; }
    public int seq() { return seq; }
    public int ack() { return ack; }
    public int flags() { return flags; }
    public boolean has(int flag) { return (flags & flag) != 0; }
    public int window() { return window; }
    /** Computed when asked: only segments for a VIP need it, not everything the switch sends up. */
    public boolean tcpChecksumOk() {
        long sum = Bytes.sum16(bytes, ipOffset + 12, 8) + 6 + tcpLength + Bytes.sum16(bytes, tcpOffset, tcpLength);
        return Bytes.fold(sum) == 0;
    }
    public TcpOptions options() { return options; }
    public int payloadOffset() { return payloadOffset; }
    public int payloadLength() { return payloadLength; }

    @Override
    public String toString() {
        if (kind == Kind.TCP) {
            return String.format("tcp %s:%d>%s:%d seq=%s ack=%s flags=0x%02x win=%d len=%d %s", ipSrc, srcPort, ipDst,
                    dstPort, Integer.toUnsignedString(seq), Integer.toUnsignedString(ack), flags, window, payloadLength,
                    options);
        }
        if (kind == Kind.MALFORMED) {
            return "malformed: " + malformedReason;
        }
        return kind + " " + ethSrc + ">" + ethDst;
    }
}
