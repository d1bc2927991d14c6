package io.baton.onos;

import io.baton.flowrules.api.FlowAction;

/**
 * Applies a packet-out's set-field actions to the frame itself. ONOS's OpenFlow packet provider
 * sends only the OUTPUT instructions of an outbound packet's treatment and silently drops the
 * rest (read in {@code OpenFlowPacketProvider.emit}), while Baton's engine releases held client
 * segments with the forward rule's rewrites (MAC and, in NAT mode, IPv4 destination). So the
 * rewrites are made here, before the frame goes to ONOS.
 *
 * <p>Checksums are updated incrementally (RFC 1624, eqn. 3): the IPv4 header checksum for an
 * address change, and the TCP or UDP checksum, whose pseudo-header covers both addresses
 * (RFC 793 §3.1, RFC 768). A UDP checksum of 0 means "none" and stays 0. Frames that are too
 * short for the field, or not IPv4 for an IPv4 rewrite, are returned unchanged: the switch would
 * have done nothing either.
 */
final class FrameRewriter {
    private static final int ETH_HEADER = 14;
    private static final int ETH_TYPE_VLAN = 0x8100;
    private static final int ETH_TYPE_IPV4 = 0x0800;
    private static final int PROTO_TCP = 6;
    private static final int PROTO_UDP = 17;

    private FrameRewriter() {
    }

    /**
     * The frame with {@code action} applied, as a new array if anything changed.
     *
     * @param action a SET_* action
     */
    static byte[] apply(byte[] frame, FlowAction action) {
        switch (action.kind()) {
            case SET_ETH_DST:
                return setMac(frame, 0, action.mac().toBytes());
            case SET_ETH_SRC:
                return setMac(frame, 6, action.mac().toBytes());
            case SET_IPV4_SRC:
                return setIpv4(frame, 12, action.ipv4().toInt());
            case SET_IPV4_DST:
                return setIpv4(frame, 16, action.ipv4().toInt());
            default:
                throw new IllegalArgumentException(action.kind() + " is not a rewrite");
        }
    }

    private static byte[] setMac(byte[] frame, int offset, byte[] mac) {
        if (frame.length < ETH_HEADER) {
            return frame;
        }
        byte[] out = frame.clone();
        System.arraycopy(mac, 0, out, offset, 6);
        return out;
    }

    /** @param fieldOffset 12 for the source address, 16 for the destination, in the IPv4 header */
    private static byte[] setIpv4(byte[] frame, int fieldOffset, int address) {
        int ip = ipOffset(frame);
        if (ip < 0 || frame.length < ip + 20) {
            return frame;
        }
        int headerLength = (frame[ip] & 0x0f) * 4;
        if (headerLength < 20 || frame.length < ip + headerLength) {
            return frame;
        }
        byte[] out = frame.clone();
        int at = ip + fieldOffset;
        int oldHigh = u16(out, at);
        int oldLow = u16(out, at + 2);
        int newHigh = address >>> 16;
        int newLow = address & 0xffff;
        putU16(out, at, newHigh);
        putU16(out, at + 2, newLow);
        adjust(out, ip + 10, oldHigh, oldLow, newHigh, newLow);

        boolean firstFragment = (u16(out, ip + 6) & 0x1fff) == 0;
        int l4 = ip + headerLength;
        int proto = out[ip + 9] & 0xff;
        if (firstFragment && proto == PROTO_TCP && out.length >= l4 + 18) {
            adjust(out, l4 + 16, oldHigh, oldLow, newHigh, newLow);
        } else if (firstFragment && proto == PROTO_UDP && out.length >= l4 + 8 && u16(out, l4 + 6) != 0) {
            adjust(out, l4 + 6, oldHigh, oldLow, newHigh, newLow);
            if (u16(out, l4 + 6) == 0) {
                putU16(out, l4 + 6, 0xffff); // RFC 768: a computed 0 is sent as all ones
            }
        }
        return out;
    }

    /** Where the IPv4 header starts (after at most one VLAN tag), or -1 if it is not IPv4. */
    private static int ipOffset(byte[] frame) {
        if (frame.length < ETH_HEADER) {
            return -1;
        }
        int type = u16(frame, 12);
        int offset = ETH_HEADER;
        if (type == ETH_TYPE_VLAN && frame.length >= ETH_HEADER + 4) {
            type = u16(frame, 16);
            offset += 4;
        }
        return type == ETH_TYPE_IPV4 ? offset : -1;
    }

    /** RFC 1624 eqn. 3 for two changed 16-bit words: HC' = ~(~HC + ~m + m'). */
    private static void adjust(byte[] b, int checksumAt, int oldHigh, int oldLow, int newHigh, int newLow) {
        int sum = ~u16(b, checksumAt) & 0xffff;
        sum += ~oldHigh & 0xffff;
        sum += ~oldLow & 0xffff;
        sum += newHigh;
        sum += newLow;
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        putU16(b, checksumAt, ~sum & 0xffff);
    }

    private static int u16(byte[] b, int at) {
        return ((b[at] & 0xff) << 8) | (b[at + 1] & 0xff);
    }

    private static void putU16(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 8);
        b[at + 1] = (byte) v;
    }
}
