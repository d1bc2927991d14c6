package io.baton.flowrules.api;

import java.util.Objects;
import java.util.Optional;

/**
 * The header fields a rule matches, immutable. Absent fields are wildcards. Prerequisites
 * (ethType before IPv4 fields, ipProto before TCP ports) are the builder's to check, so every
 * value that exists is valid for OpenFlow 1.3.
 */
public final class FlowMatch {
    public static final int ETH_TYPE_IPV4 = 0x0800;
    public static final int ETH_TYPE_ARP = 0x0806;
    public static final int IP_PROTO_TCP = 6;

    private static final FlowMatch ANY = new Builder().build();

    private final Integer inPort;
    private final MacAddress ethSrc;
    private final MacAddress ethDst;
    private final Integer ethType;
    private final Integer ipProto;
    private final Ipv4Address ipv4Src;
    private final Ipv4Address ipv4Dst;
    private final Integer tcpSrc;
    private final Integer tcpDst;
    private final Integer tcpFlags;
    private final Integer tcpFlagsMask;

    private FlowMatch(Builder b) {
        inPort = b.inPort;
        ethSrc = b.ethSrc;
        ethDst = b.ethDst;
        ethType = b.ethType;
        ipProto = b.ipProto;
        ipv4Src = b.ipv4Src;
        ipv4Dst = b.ipv4Dst;
        tcpSrc = b.tcpSrc;
        tcpDst = b.tcpDst;
        tcpFlags = b.tcpFlags;
        tcpFlagsMask = b.tcpFlagsMask;
    }

    /** Matches every packet (the table-miss rule's match). */
    public static FlowMatch any() {
        return ANY;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Optional<Integer> inPort() { return Optional.ofNullable(inPort); }
    public Optional<MacAddress> ethSrc() { return Optional.ofNullable(ethSrc); }
    public Optional<MacAddress> ethDst() { return Optional.ofNullable(ethDst); }
    public Optional<Integer> ethType() { return Optional.ofNullable(ethType); }
    public Optional<Integer> ipProto() { return Optional.ofNullable(ipProto); }
    public Optional<Ipv4Address> ipv4Src() { return Optional.ofNullable(ipv4Src); }
    public Optional<Ipv4Address> ipv4Dst() { return Optional.ofNullable(ipv4Dst); }
    public Optional<Integer> tcpSrc() { return Optional.ofNullable(tcpSrc); }
    public Optional<Integer> tcpDst() { return Optional.ofNullable(tcpDst); }
    /** TCP flags that must be set, under {@link #tcpFlagsMask()}; absent when flags do not matter. */
    public Optional<Integer> tcpFlags() { return Optional.ofNullable(tcpFlags); }
    /** The flags {@link #tcpFlags()} looks at; present exactly when it is. */
    public Optional<Integer> tcpFlagsMask() { return Optional.ofNullable(tcpFlagsMask); }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof FlowMatch)) {
            return false;
        }
        FlowMatch m = (FlowMatch) o;
        return Objects.equals(inPort, m.inPort) && Objects.equals(ethSrc, m.ethSrc)
                && Objects.equals(ethDst, m.ethDst) && Objects.equals(ethType, m.ethType)
                && Objects.equals(ipProto, m.ipProto) && Objects.equals(ipv4Src, m.ipv4Src)
                && Objects.equals(ipv4Dst, m.ipv4Dst) && Objects.equals(tcpSrc, m.tcpSrc)
                && Objects.equals(tcpDst, m.tcpDst) && Objects.equals(tcpFlags, m.tcpFlags)
                && Objects.equals(tcpFlagsMask, m.tcpFlagsMask);
    }

    @Override
    public int hashCode() {
        return Objects.hash(inPort, ethSrc, ethDst, ethType, ipProto, ipv4Src, ipv4Dst, tcpSrc, tcpDst, tcpFlags, tcpFlagsMask);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("match{");
        append(sb, "in_port", inPort);
        append(sb, "eth_src", ethSrc);
        append(sb, "eth_dst", ethDst);
        append(sb, "eth_type", ethType == null ? null : String.format("0x%04x", ethType));
        append(sb, "ip_proto", ipProto);
        append(sb, "ipv4_src", ipv4Src);
        append(sb, "ipv4_dst", ipv4Dst);
        append(sb, "tcp_src", tcpSrc);
        append(sb, "tcp_dst", tcpDst);
        append(sb, "tcp_flags", tcpFlags == null ? null : String.format("0x%03x/0x%03x", tcpFlags, tcpFlagsMask));
        return sb.append('}').toString();
    }

    private static void append(StringBuilder sb, String name, Object value) {
        if (value != null) {
            if (sb.charAt(sb.length() - 1) != '{') {
                sb.append(',');
            }
            sb.append(name).append('=').append(value);
        }
    }

    /** Builds a match; {@link #build()} checks OpenFlow prerequisites. */
    public static final class Builder {
        private Integer inPort;
        private MacAddress ethSrc;
        private MacAddress ethDst;
        private Integer ethType;
        private Integer ipProto;
        private Ipv4Address ipv4Src;
        private Ipv4Address ipv4Dst;
        private Integer tcpSrc;
        private Integer tcpDst;
        private Integer tcpFlags;
        private Integer tcpFlagsMask;

        private Builder() {
        }

        public Builder inPort(int port) { inPort = port; return this; }
        public Builder ethSrc(MacAddress mac) { ethSrc = Objects.requireNonNull(mac); return this; }
        public Builder ethDst(MacAddress mac) { ethDst = Objects.requireNonNull(mac); return this; }
        public Builder ethType(int type) { ethType = type; return this; }
        public Builder ipProto(int proto) { ipProto = proto; return this; }
        public Builder ipv4Src(Ipv4Address ip) { ipv4Src = Objects.requireNonNull(ip); return this; }
        public Builder ipv4Dst(Ipv4Address ip) { ipv4Dst = Objects.requireNonNull(ip); return this; }
        public Builder tcpSrc(int port) { tcpSrc = checkPort(port); return this; }
        public Builder tcpDst(int port) { tcpDst = checkPort(port); return this; }

        /** The 12 TCP flag bits under {@code mask} must equal {@code flags}, e.g. SYN set: (0x002, 0x002). */
        public Builder tcpFlags(int flags, int mask) {
            if (mask <= 0 || mask > 0xfff || (flags & ~mask) != 0) {
                throw new IllegalArgumentException(String.format("bad TCP flags match 0x%x/0x%x", flags, mask));
            }
            tcpFlags = flags;
            tcpFlagsMask = mask;
            return this;
        }

        /** A TCP/IPv4 match: sets eth_type and ip_proto for the caller. */
        public Builder tcp() {
            ethType = ETH_TYPE_IPV4;
            ipProto = IP_PROTO_TCP;
            return this;
        }

        public FlowMatch build() {
            if ((ipv4Src != null || ipv4Dst != null || ipProto != null)
                    && !Integer.valueOf(ETH_TYPE_IPV4).equals(ethType)) {
                throw new IllegalStateException("IPv4 fields need eth_type 0x0800");
            }
            if ((tcpSrc != null || tcpDst != null || tcpFlags != null) && !Integer.valueOf(IP_PROTO_TCP).equals(ipProto)) {
                throw new IllegalStateException("TCP ports and flags need ip_proto 6");
            }
            return new FlowMatch(this);
        }

        private static int checkPort(int port) {
            if (port < 0 || port > 0xffff) {
                throw new IllegalArgumentException("TCP port out of range: " + port);
            }
            return port;
        }
    }
}
