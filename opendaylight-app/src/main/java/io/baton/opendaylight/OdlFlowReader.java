package io.baton.opendaylight;

import io.baton.flowrules.api.FlowMatch;
import io.baton.flowrules.api.FlowRemoved;
import io.baton.flowrules.api.FlowStatsEntry;
import io.baton.flowrules.api.Ipv4Address;
import io.baton.flowrules.api.MacAddress;
import org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.inet.types.rev130715.Ipv4Prefix;
import org.opendaylight.yang.gen.v1.urn.opendaylight.flow.types.rev131026.FlowCookie;
import org.opendaylight.yang.gen.v1.urn.opendaylight.flow.types.rev131026.RemovedFlowReason;
import org.opendaylight.yang.gen.v1.urn.opendaylight.model.match.types.rev131026.Match;
import org.opendaylight.yang.gen.v1.urn.opendaylight.model.match.types.rev131026.match.EthernetMatch;
import org.opendaylight.yang.gen.v1.urn.opendaylight.model.match.types.rev131026.match.TcpFlagsMatch;
import org.opendaylight.yang.gen.v1.urn.opendaylight.model.match.types.rev131026.match.IpMatch;
import org.opendaylight.yang.gen.v1.urn.opendaylight.model.match.types.rev131026.match.Layer3Match;
import org.opendaylight.yang.gen.v1.urn.opendaylight.model.match.types.rev131026.match.Layer4Match;
import org.opendaylight.yang.gen.v1.urn.opendaylight.model.match.types.rev131026.match.layer._3.match.Ipv4Match;
import org.opendaylight.yang.gen.v1.urn.opendaylight.model.match.types.rev131026.match.layer._4.match.TcpMatch;
import org.opendaylight.yangtools.yang.common.Uint16;
import org.opendaylight.yangtools.yang.common.Uint32;
import org.opendaylight.yangtools.yang.common.Uint64;
import org.opendaylight.yangtools.yang.common.Uint8;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

/**
 * Reads what openflowplugin reports (flow matches, flow-removed notifications, inventory flows)
 * back into Baton's values. Only exact fields Baton knows are carried over, under the prerequisites
 * FlowMatch states (IPv4 fields under eth_type 0x0800, TCP ports under ip_proto 6); everything else
 * is named in {@link MatchReading#ignored()} rather than thrown, because a switch may hold rules
 * Baton did not write. Stateless and thread-safe.
 */
public final class OdlFlowReader {
    private OdlFlowReader() {
    }

    /**
     * Baton's match for a reported one.
     *
     * @throws IllegalArgumentException if a field Baton knows holds something unreadable
     *     (a MAC or address that does not parse); the message says which
     */
    public static MatchReading fromMatch(Match m) {
        FlowMatch.Builder b = FlowMatch.builder();
        List<String> ignored = new ArrayList<>();
        if (m == null) {
            return new MatchReading(b.build(), ignored);
        }
        if (m.getInPort() != null) {
            OptionalInt port = NodeIds.portNumber(m.getInPort().getValue());
            if (port.isPresent()) {
                b.inPort(port.getAsInt());
            } else {
                ignored.add("in_port " + m.getInPort().getValue());
            }
        }
        Integer ethType = readEthernet(m.getEthernetMatch(), b, ignored);
        boolean ipv4 = ethType != null && ethType == FlowMatch.ETH_TYPE_IPV4;
        Integer ipProto = readIp(m.getIpMatch(), ipv4, b, ignored);
        readLayer3(m.getLayer3Match(), ipv4, b, ignored);
        readLayer4(m.getLayer4Match(), ipProto != null && ipProto == FlowMatch.IP_PROTO_TCP, b, ignored);
        note(ignored, "in_phy_port", m.getInPhyPort());
        note(ignored, "metadata", m.getMetadata());
        note(ignored, "tunnel", m.getTunnel());
        note(ignored, "vlan", m.getVlanMatch());
        note(ignored, "icmpv4", m.getIcmpv4Match());
        note(ignored, "icmpv6", m.getIcmpv6Match());
        note(ignored, "protocol_match_fields", m.getProtocolMatchFields());
        readTcpFlags(m.getTcpFlagsMatch(), b, ignored);
        note(ignored, "packet_type", m.getPacketTypeMatch());
        return new MatchReading(b.build(), ignored);
    }

    private static void readTcpFlags(TcpFlagsMatch flags, FlowMatch.Builder b, List<String> ignored) {
        if (flags == null || flags.getTcpFlags() == null) {
            note(ignored, "tcp_flags", flags);
            return;
        }
        int value = flags.getTcpFlags().intValue();
        // No mask: all twelve flag bits are looked at.
        int mask = flags.getTcpFlagsMask() != null ? flags.getTcpFlagsMask().intValue() : 0x0fff;
        if (mask <= 0 || mask > 0x0fff || (value & ~mask) != 0) {
            ignored.add("tcp_flags " + value + "/" + mask);
            return;
        }
        b.tcpFlags(value, mask);
    }

    private static Integer readEthernet(EthernetMatch eth, FlowMatch.Builder b, List<String> ignored) {
        if (eth == null) {
            return null;
        }
        if (eth.getEthernetSource() != null && eth.getEthernetSource().getAddress() != null) {
            if (eth.getEthernetSource().getMask() != null) {
                ignored.add("eth_src (masked)");
            } else {
                b.ethSrc(MacAddress.parse(eth.getEthernetSource().getAddress().getValue()));
            }
        }
        if (eth.getEthernetDestination() != null && eth.getEthernetDestination().getAddress() != null) {
            if (eth.getEthernetDestination().getMask() != null) {
                ignored.add("eth_dst (masked)");
            } else {
                b.ethDst(MacAddress.parse(eth.getEthernetDestination().getAddress().getValue()));
            }
        }
        if (eth.getEthernetType() == null || eth.getEthernetType().getType() == null) {
            return null;
        }
        int type = eth.getEthernetType().getType().getValue().intValue();
        b.ethType(type);
        return type;
    }

    private static Integer readIp(IpMatch ip, boolean ipv4, FlowMatch.Builder b, List<String> ignored) {
        if (ip == null) {
            return null;
        }
        note(ignored, "ip_dscp", ip.getIpDscp());
        note(ignored, "ip_ecn", ip.getIpEcn());
        Uint8 proto = ip.getIpProtocol();
        if (proto == null) {
            return null;
        }
        if (!ipv4) {
            ignored.add("ip_proto " + proto + " (not under eth_type 0x0800)");
            return null;
        }
        b.ipProto(proto.intValue());
        return proto.intValue();
    }

    private static void readLayer3(Layer3Match l3, boolean ipv4, FlowMatch.Builder b, List<String> ignored) {
        if (l3 == null) {
            return;
        }
        if (!(l3 instanceof Ipv4Match v4) || !ipv4) {
            ignored.add("layer 3 " + l3.implementedInterface().getSimpleName()
                    + (ipv4 ? "" : " (not under eth_type 0x0800)"));
            return;
        }
        if (v4.getIpv4Source() != null) {
            host(v4.getIpv4Source(), "ipv4_src", ignored).ifPresent(b::ipv4Src);
        }
        if (v4.getIpv4Destination() != null) {
            host(v4.getIpv4Destination(), "ipv4_dst", ignored).ifPresent(b::ipv4Dst);
        }
    }

    private static void readLayer4(Layer4Match l4, boolean tcp, FlowMatch.Builder b, List<String> ignored) {
        if (l4 == null) {
            return;
        }
        if (!(l4 instanceof TcpMatch t) || !tcp) {
            ignored.add("layer 4 " + l4.implementedInterface().getSimpleName() + (tcp ? "" : " (not under ip_proto 6)"));
            return;
        }
        if (t.getTcpSourcePort() != null) {
            if (t.getTcpSourcePortMask() != null) {
                ignored.add("tcp_src (masked)");
            } else {
                b.tcpSrc(t.getTcpSourcePort().getValue().intValue());
            }
        }
        if (t.getTcpDestinationPort() != null) {
            if (t.getTcpDestinationPortMask() != null) {
                ignored.add("tcp_dst (masked)");
            } else {
                b.tcpDst(t.getTcpDestinationPort().getValue().intValue());
            }
        }
    }

    /** An address with /32 (or no prefix) is exact; a shorter prefix is a mask Baton does not write. */
    private static java.util.Optional<Ipv4Address> host(Ipv4Prefix prefix, String field, List<String> ignored) {
        String text = prefix.getValue();
        int slash = text.indexOf('/');
        if (slash >= 0 && !text.substring(slash + 1).equals("32")) {
            ignored.add(field + " " + text + " (a prefix)");
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(Ipv4Address.parse(slash < 0 ? text : text.substring(0, slash)));
    }

    private static void note(List<String> ignored, String field, Object value) {
        if (value != null) {
            ignored.add(field);
        }
    }

    /** IDLE_TIMEOUT, HARD_TIMEOUT and DELETE map one to one; group delete and unknown are OTHER. */
    public static FlowRemoved.Reason fromReason(RemovedFlowReason r) {
        if (r == null) {
            return FlowRemoved.Reason.OTHER;
        }
        switch (r) {
            case OFPRRIDLETIMEOUT: return FlowRemoved.Reason.IDLE_TIMEOUT;
            case OFPRRHARDTIMEOUT: return FlowRemoved.Reason.HARD_TIMEOUT;
            case OFPRRDELETE: return FlowRemoved.Reason.DELETE;
            default: return FlowRemoved.Reason.OTHER;
        }
    }

    /**
     * The flow-removed notification openflowplugin 0.21 publishes (sal-flow {@code flow-removed},
     * from DeviceContextImpl.processFlowRemovedMessage). It carries no counters or duration
     * (FlowRemovedTranslator sets none): they are 0.
     */
    public static FlowRemoved fromFlowRemoved(
            org.opendaylight.yang.gen.v1.urn.opendaylight.flow.service.rev130819.FlowRemoved n, MatchReading match) {
        return new FlowRemoved(cookie(n.getCookie()), u16(n.getPriority()), match.match(), fromReason(n.getReason()),
                0, 0, 0);
    }

    /** The older {@code switch-flow-removed} notification, which does carry counters. */
    public static FlowRemoved fromSwitchFlowRemoved(
            org.opendaylight.yang.gen.v1.urn.opendaylight.flow.service.rev130819.SwitchFlowRemoved n, MatchReading match) {
        return new FlowRemoved(cookie(n.getCookie()), u16(n.getPriority()), match.match(),
                fromReason(n.getRemovedReason()), u64(n.getPacketCount()), u64(n.getByteCount()), u32(n.getDurationSec()));
    }

    /**
     * A flow of the operational inventory as a stats entry. Packet and byte counts and the
     * duration live in the flow-statistics augmentation (model-flow-statistics), which has no
     * 0.21.2 release on Maven Central to compile against: they are 0 here.
     */
    public static FlowStatsEntry fromInventoryFlow(
            org.opendaylight.yang.gen.v1.urn.opendaylight.flow.inventory.rev130819.tables.table.Flow f, MatchReading match) {
        return new FlowStatsEntry(cookie(f.getCookie()), u16(f.getPriority()), match.match(), 0, 0, 0,
                u16(f.getIdleTimeout()), u16(f.getHardTimeout()));
    }

    static long cookie(FlowCookie c) {
        return c == null || c.getValue() == null ? 0 : c.getValue().longValue();
    }

    private static int u16(Uint16 v) {
        return v == null ? 0 : v.intValue();
    }

    private static long u32(Uint32 v) {
        return v == null ? 0 : v.longValue();
    }

    private static long u64(Uint64 v) {
        return v == null ? 0 : v.longValue();
    }
}
