package io.baton.agent.relay;

import java.nio.ByteBuffer;

/** PROXY protocol version 2 headers (HAProxy's spec), the binary form nginx reads with {@code proxy_protocol}. */
public final class ProxyHeader {

    /** The 12-byte v2 signature. */
    public static final byte[] SIGNATURE = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};
    /** Length of a TCP over IPv4 header. */
    public static final int TCP4_LENGTH = 28;

    private ProxyHeader() {
    }

    /** Version 2, command PROXY, AF_INET + STREAM, addresses and ports of the proxied connection. */
    public static byte[] tcp4(int srcIpv4, int srcPort, int dstIpv4, int dstPort) {
        ByteBuffer b = ByteBuffer.allocate(TCP4_LENGTH);
        b.put(SIGNATURE);
        b.put((byte) 0x21); // version 2, PROXY
        b.put((byte) 0x11); // AF_INET, STREAM
        b.putShort((short) 12);
        b.putInt(srcIpv4).putInt(dstIpv4);
        b.putShort((short) srcPort).putShort((short) dstPort);
        return b.array();
    }
}
