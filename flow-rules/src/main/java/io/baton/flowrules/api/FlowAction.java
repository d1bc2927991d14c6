package io.baton.flowrules.api;

import java.util.Objects;

/** One action of a rule or packet-out, immutable. Applied in list order. */
public final class FlowAction {
    /** What the action does. */
    public enum Kind { SET_ETH_SRC, SET_ETH_DST, SET_IPV4_SRC, SET_IPV4_DST, OUTPUT, FLOOD, CONTROLLER }

    private final Kind kind;
    private final MacAddress mac;
    private final Ipv4Address ipv4;
    private final int port;

    private FlowAction(Kind kind, MacAddress mac, Ipv4Address ipv4, int port) {
        this.kind = kind;
        this.mac = mac;
        this.ipv4 = ipv4;
        this.port = port;
    }

    public static FlowAction setEthSrc(MacAddress mac) {
        return new FlowAction(Kind.SET_ETH_SRC, Objects.requireNonNull(mac), null, 0);
    }

    public static FlowAction setEthDst(MacAddress mac) {
        return new FlowAction(Kind.SET_ETH_DST, Objects.requireNonNull(mac), null, 0);
    }

    public static FlowAction setIpv4Src(Ipv4Address ip) {
        return new FlowAction(Kind.SET_IPV4_SRC, null, Objects.requireNonNull(ip), 0);
    }

    public static FlowAction setIpv4Dst(Ipv4Address ip) {
        return new FlowAction(Kind.SET_IPV4_DST, null, Objects.requireNonNull(ip), 0);
    }

    /** Output on a physical switch port (1..0xffffff00). */
    public static FlowAction output(int port) {
        if (port <= 0) {
            throw new IllegalArgumentException("not a physical port: " + port);
        }
        return new FlowAction(Kind.OUTPUT, null, null, port);
    }

    /** Every port but the one the packet came in on. */
    public static FlowAction flood() {
        return new FlowAction(Kind.FLOOD, null, null, 0);
    }

    /** To the controller, whole packet (no switch buffering). */
    public static FlowAction toController() {
        return new FlowAction(Kind.CONTROLLER, null, null, 0);
    }

    public Kind kind() { return kind; }

    /** The address of a SET_ETH_* action. */
    public MacAddress mac() {
        if (mac == null) {
            throw new IllegalStateException(kind + " has no MAC address");
        }
        return mac;
    }

    /** The address of a SET_IPV4_* action. */
    public Ipv4Address ipv4() {
        if (ipv4 == null) {
            throw new IllegalStateException(kind + " has no IPv4 address");
        }
        return ipv4;
    }

    /** The port of an OUTPUT action. */
    public int port() {
        if (kind != Kind.OUTPUT) {
            throw new IllegalStateException(kind + " has no port");
        }
        return port;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof FlowAction)) {
            return false;
        }
        FlowAction a = (FlowAction) o;
        return kind == a.kind && port == a.port && Objects.equals(mac, a.mac) && Objects.equals(ipv4, a.ipv4);
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, mac, ipv4, port);
    }

    @Override
    public String toString() {
        switch (kind) {
            case SET_ETH_SRC: return "set_eth_src:" + mac;
            case SET_ETH_DST: return "set_eth_dst:" + mac;
            case SET_IPV4_SRC: return "set_ipv4_src:" + ipv4;
            case SET_IPV4_DST: return "set_ipv4_dst:" + ipv4;
            case OUTPUT: return "output:" + port;
            default: return kind.name().toLowerCase();
        }
    }
}
