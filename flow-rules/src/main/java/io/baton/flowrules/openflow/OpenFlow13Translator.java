package io.baton.flowrules.openflow;

import io.baton.flowrules.api.FlowAction;
import io.baton.flowrules.api.FlowMatch;
import io.baton.flowrules.api.FlowRemoved;
import io.baton.flowrules.api.FlowRule;
import io.baton.flowrules.api.FlowStatsEntry;
import io.baton.flowrules.api.Ipv4Address;
import io.baton.flowrules.api.MacAddress;
import io.baton.flowrules.api.Meter;
import io.baton.flowrules.api.PacketOut;

import org.projectfloodlight.openflow.protocol.OFFactories;
import org.projectfloodlight.openflow.protocol.OFFactory;
import org.projectfloodlight.openflow.protocol.OFFlowAdd;
import org.projectfloodlight.openflow.protocol.OFFlowDelete;
import org.projectfloodlight.openflow.protocol.OFFlowDeleteStrict;
import org.projectfloodlight.openflow.protocol.OFFlowModFlags;
import org.projectfloodlight.openflow.protocol.OFFlowStatsRequest;
import org.projectfloodlight.openflow.protocol.OFMeterFlags;
import org.projectfloodlight.openflow.protocol.OFMeterMod;
import org.projectfloodlight.openflow.protocol.OFMeterModCommand;
import org.projectfloodlight.openflow.protocol.OFOxmList;
import org.projectfloodlight.openflow.protocol.OFPacketOut;
import org.projectfloodlight.openflow.protocol.OFVersion;
import org.projectfloodlight.openflow.protocol.action.OFAction;
import org.projectfloodlight.openflow.protocol.action.OFActionOutput;
import org.projectfloodlight.openflow.protocol.action.OFActionSetField;
import org.projectfloodlight.openflow.protocol.action.OFActions;
import org.projectfloodlight.openflow.protocol.instruction.OFInstruction;
import org.projectfloodlight.openflow.protocol.instruction.OFInstructionApplyActions;
import org.projectfloodlight.openflow.protocol.match.Match;
import org.projectfloodlight.openflow.protocol.match.MatchField;
import org.projectfloodlight.openflow.protocol.oxm.OFOxm;
import org.projectfloodlight.openflow.protocol.oxm.OFOxms;
import org.projectfloodlight.openflow.types.EthType;
import org.projectfloodlight.openflow.types.IPv4Address;
import org.projectfloodlight.openflow.types.IpProtocol;
import org.projectfloodlight.openflow.types.Masked;
import org.projectfloodlight.openflow.types.OFBufferId;
import org.projectfloodlight.openflow.types.OFGroup;
import org.projectfloodlight.openflow.types.OFPort;
import org.projectfloodlight.openflow.types.TableId;
import org.projectfloodlight.openflow.types.TransportPort;
import org.projectfloodlight.openflow.types.U16;
import org.projectfloodlight.openflow.types.U64;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The one place where Baton's platform-neutral flow values become OpenFlow 1.3 messages
 * (openflowj) and back. Stateless and thread-safe.
 *
 * <p>Conventions: every rule lives in table 0; flow-mods carry no switch buffer (NO_BUFFER);
 * a CONTROLLER output asks for the whole packet ({@link #CONTROLLER_MAX_LEN}); other outputs
 * carry max_len 0 (ignored by switches). A rule with no actions is installed with no
 * instruction at all, which OpenFlow defines as drop.
 */
public final class OpenFlow13Translator {
    /** The openflowj factory for OpenFlow 1.3 messages. */
    public static final OFFactory FACTORY = OFFactories.getFactory(OFVersion.OF_13);

    /** OFPCML_NO_BUFFER: send the whole packet to the controller, do not buffer it. */
    public static final int CONTROLLER_MAX_LEN = 0xffff;

    /** All 64 cookie bits significant. */
    public static final long FULL_COOKIE_MASK = -1L;

    private static final TableId TABLE = TableId.of(0);

    private OpenFlow13Translator() {
    }

    // ----------------------------------------------------------------------------- to OpenFlow

    /**
     * An ADD flow-mod for the rule: match, apply-actions, priority, cookie, timeouts, and
     * SEND_FLOW_REM when the rule asks to be notified on removal.
     */
    public static OFFlowAdd toFlowAdd(FlowRule rule, long xid) {
        Set<OFFlowModFlags> flags = rule.notifyOnRemoval()
                ? EnumSet.of(OFFlowModFlags.SEND_FLOW_REM)
                : Collections.<OFFlowModFlags>emptySet();
        return FACTORY.buildFlowAdd()
                .setXid(xid)
                .setTableId(TABLE)
                .setMatch(toMatch(rule.match()))
                .setInstructions(toInstructions(rule))
                .setPriority(rule.priority())
                .setCookie(U64.of(rule.cookie()))
                .setIdleTimeout(rule.idleTimeoutSeconds())
                .setHardTimeout(rule.hardTimeoutSeconds())
                .setBufferId(OFBufferId.NO_BUFFER)
                .setOutPort(OFPort.ANY)
                .setOutGroup(OFGroup.ANY)
                .setFlags(flags)
                .build();
    }

    /** {@link #toFlowDeleteStrict(FlowRule, long)} with xid 0. */
    public static OFFlowDeleteStrict toFlowDeleteStrict(FlowRule rule) {
        return toFlowDeleteStrict(rule, 0);
    }

    /**
     * A DELETE_STRICT flow-mod removing exactly this rule: same table, match and priority, and
     * also the same cookie (full mask), so a rule someone else installed with the same match
     * and priority but another cookie is left alone.
     */
    public static OFFlowDeleteStrict toFlowDeleteStrict(FlowRule rule, long xid) {
        return FACTORY.buildFlowDeleteStrict()
                .setXid(xid)
                .setTableId(TABLE)
                .setMatch(toMatch(rule.match()))
                .setPriority(rule.priority())
                .setCookie(U64.of(rule.cookie()))
                .setCookieMask(U64.of(FULL_COOKIE_MASK))
                .setBufferId(OFBufferId.NO_BUFFER)
                .setOutPort(OFPort.ANY)
                .setOutGroup(OFGroup.ANY)
                .build();
    }

    /** {@link #toFlowDeleteByCookie(long, long, long)} with xid 0. */
    public static OFFlowDelete toFlowDeleteByCookie(long cookie, long cookieMask) {
        return toFlowDeleteByCookie(cookie, cookieMask, 0);
    }

    /**
     * A (non-strict) DELETE flow-mod for every rule in every table whose cookie equals
     * {@code cookie} on the bits set in {@code cookieMask}. A mask of 0 deletes every rule.
     */
    public static OFFlowDelete toFlowDeleteByCookie(long cookie, long cookieMask, long xid) {
        return FACTORY.buildFlowDelete()
                .setXid(xid)
                .setTableId(TableId.ALL)
                .setMatch(FACTORY.matchWildcardAll())
                .setCookie(U64.of(cookie))
                .setCookieMask(U64.of(cookieMask))
                .setBufferId(OFBufferId.NO_BUFFER)
                .setOutPort(OFPort.ANY)
                .setOutGroup(OFGroup.ANY)
                .build();
    }

    /** A flow-stats multipart request for every table and rule whose cookie matches under the mask. */
    public static OFFlowStatsRequest toFlowStatsRequest(long cookie, long cookieMask, long xid) {
        return FACTORY.buildFlowStatsRequest()
                .setXid(xid)
                .setTableId(TableId.ALL)
                .setMatch(FACTORY.matchWildcardAll())
                .setCookie(U64.of(cookie))
                .setCookieMask(U64.of(cookieMask))
                .setOutPort(OFPort.ANY)
                .setOutGroup(OFGroup.ANY)
                .build();
    }

    /** {@link #toPacketOut(PacketOut, long)} with xid 0. */
    public static OFPacketOut toPacketOut(PacketOut packet) {
        return toPacketOut(packet, 0);
    }

    /**
     * A packet-out carrying the whole frame (NO_BUFFER); in_port is CONTROLLER when the packet
     * is {@link PacketOut#FROM_CONTROLLER}. The frame array is shared, not copied.
     */
    public static OFPacketOut toPacketOut(PacketOut packet, long xid) {
        OFPort inPort = packet.inPort() == PacketOut.FROM_CONTROLLER
                ? OFPort.CONTROLLER
                : OFPort.of(packet.inPort());
        return FACTORY.buildPacketOut()
                .setXid(xid)
                .setBufferId(OFBufferId.NO_BUFFER)
                .setInPort(inPort)
                .setActions(toActions(packet.actions()))
                .setData(packet.frame())
                .build();
    }

    /**
     * The OXM match for a FlowMatch: one exact OXM per present field. The OXM list is built once:
     * openflowj's Match.Builder rebuilds its whole list on every setExact, which the controller
     * bench found to be the engine's largest single cost per handoff.
     */
    public static Match toMatch(FlowMatch m) {
        OFOxms oxms = FACTORY.oxms();
        List<OFOxm<?>> fields = new ArrayList<>(10);
        m.inPort().ifPresent(p -> fields.add(oxms.inPort(OFPort.of(p))));
        m.ethSrc().ifPresent(mac -> fields.add(oxms.ethSrc(toOf(mac))));
        m.ethDst().ifPresent(mac -> fields.add(oxms.ethDst(toOf(mac))));
        m.ethType().ifPresent(t -> fields.add(oxms.ethType(EthType.of(t))));
        m.ipProto().ifPresent(p -> fields.add(oxms.ipProto(IpProtocol.of(p.shortValue()))));
        m.ipv4Src().ifPresent(ip -> fields.add(oxms.ipv4Src(toOf(ip))));
        m.ipv4Dst().ifPresent(ip -> fields.add(oxms.ipv4Dst(toOf(ip))));
        m.tcpSrc().ifPresent(p -> fields.add(oxms.tcpSrc(TransportPort.of(p))));
        m.tcpDst().ifPresent(p -> fields.add(oxms.tcpDst(TransportPort.of(p))));
        // OpenFlow 1.3 has no TCP flags field; Open vSwitch takes the ONF extension's.
        m.tcpFlags().ifPresent(f -> fields.add(oxms.ovsTcpFlagsMasked(U16.of(f), U16.of(m.tcpFlagsMask().get()))));
        return FACTORY.matchV3(OFOxmList.ofList(fields));
    }

    /** The actions in order; an empty list stays empty. */
    public static List<OFAction> toActions(List<FlowAction> actions) {
        OFActions a = FACTORY.actions();
        OFOxms oxms = FACTORY.oxms();
        List<OFAction> out = new ArrayList<>(actions.size());
        for (FlowAction fa : actions) {
            switch (fa.kind()) {
                case SET_ETH_SRC:
                    out.add(a.setField(oxms.ethSrc(toOf(fa.mac()))));
                    break;
                case SET_ETH_DST:
                    out.add(a.setField(oxms.ethDst(toOf(fa.mac()))));
                    break;
                case SET_IPV4_SRC:
                    out.add(a.setField(oxms.ipv4Src(toOf(fa.ipv4()))));
                    break;
                case SET_IPV4_DST:
                    out.add(a.setField(oxms.ipv4Dst(toOf(fa.ipv4()))));
                    break;
                case OUTPUT:
                    out.add(a.output(OFPort.of(fa.port()), 0));
                    break;
                case FLOOD:
                    out.add(a.output(OFPort.FLOOD, 0));
                    break;
                case CONTROLLER:
                    out.add(a.output(OFPort.CONTROLLER, CONTROLLER_MAX_LEN));
                    break;
                default:
                    throw new IllegalArgumentException("unknown action kind " + fa.kind());
            }
        }
        return out;
    }

    /** The rule's meter instruction, if it has a meter, then its actions. */
    public static List<OFInstruction> toInstructions(FlowRule rule) {
        List<OFInstruction> actions = toInstructions(rule.actions());
        if (rule.meterId() == 0) {
            return actions;
        }
        List<OFInstruction> out = new ArrayList<>(1 + actions.size());
        out.add(FACTORY.instructions().buildMeter().setMeterId(rule.meterId()).build());
        out.addAll(actions);
        return out;
    }

    /** A meter-mod that creates the meter: one drop band, in packets per second, with its burst. */
    public static OFMeterMod toMeterAdd(Meter meter, long xid) {
        return toMeterMod(OFMeterModCommand.ADD, meter, xid);
    }

    /** A meter-mod that changes an existing meter's band. */
    public static OFMeterMod toMeterModify(Meter meter, long xid) {
        return toMeterMod(OFMeterModCommand.MODIFY, meter, xid);
    }

    /** A meter-mod that deletes the meter (the switch also deletes the rules that name it). */
    public static OFMeterMod toMeterDelete(long meterId, long xid) {
        return FACTORY.buildMeterMod().setXid(xid).setCommand(OFMeterModCommand.DELETE).setMeterId(meterId)
                .setFlags(Collections.emptySet()).setMeters(Collections.emptyList()).build();
    }

    private static OFMeterMod toMeterMod(OFMeterModCommand command, Meter meter, long xid) {
        return FACTORY.buildMeterMod()
                .setXid(xid)
                .setCommand(command)
                .setMeterId(meter.id())
                .setFlags(EnumSet.of(OFMeterFlags.PKTPS, OFMeterFlags.BURST, OFMeterFlags.STATS))
                .setMeters(Collections.singletonList(
                        FACTORY.meterBands().drop(meter.packetsPerSecond(), meter.burstPackets())))
                .build();
    }

    /** One apply-actions instruction, or none when there are no actions (drop). */
    public static List<OFInstruction> toInstructions(List<FlowAction> actions) {
        if (actions.isEmpty()) {
            return Collections.emptyList();
        }
        return Collections.singletonList(FACTORY.instructions().applyActions(toActions(actions)));
    }

    // --------------------------------------------------------------------------- from OpenFlow

    /**
     * The FlowMatch for an OpenFlow match. Only the fields FlowMatch knows are carried over,
     * and only when exact (not masked) and when their prerequisites are met as FlowMatch states
     * them (ip_proto and IPv4 addresses under eth_type 0x0800, TCP ports under ip_proto 6).
     * Anything else (VLAN, IPv6, UDP, masks, ...) is dropped, so the result can be wider than
     * the switch's match; use {@link #isRepresentable(Match)} to know.
     */
    public static FlowMatch fromMatch(Match m) {
        FlowMatch.Builder b = FlowMatch.builder();
        if (exact(m, MatchField.IN_PORT)) {
            b.inPort(m.get(MatchField.IN_PORT).getPortNumber());
        }
        if (exact(m, MatchField.ETH_SRC)) {
            b.ethSrc(MacAddress.of(m.get(MatchField.ETH_SRC).getLong()));
        }
        if (exact(m, MatchField.ETH_DST)) {
            b.ethDst(MacAddress.of(m.get(MatchField.ETH_DST).getLong()));
        }
        Integer ethType = null;
        if (exact(m, MatchField.ETH_TYPE)) {
            ethType = m.get(MatchField.ETH_TYPE).getValue();
            b.ethType(ethType);
        }
        if (ethType != null && ethType == FlowMatch.ETH_TYPE_IPV4) {
            Integer ipProto = null;
            if (exact(m, MatchField.IP_PROTO)) {
                ipProto = (int) m.get(MatchField.IP_PROTO).getIpProtocolNumber();
                b.ipProto(ipProto);
            }
            if (exact(m, MatchField.IPV4_SRC)) {
                b.ipv4Src(Ipv4Address.of(m.get(MatchField.IPV4_SRC).getInt()));
            }
            if (exact(m, MatchField.IPV4_DST)) {
                b.ipv4Dst(Ipv4Address.of(m.get(MatchField.IPV4_DST).getInt()));
            }
            if (ipProto != null && ipProto == FlowMatch.IP_PROTO_TCP) {
                if (exact(m, MatchField.TCP_SRC)) {
                    b.tcpSrc(m.get(MatchField.TCP_SRC).getPort());
                }
                if (exact(m, MatchField.TCP_DST)) {
                    b.tcpDst(m.get(MatchField.TCP_DST).getPort());
                }
                if (m.isPartiallyMasked(MatchField.OVS_TCP_FLAGS)) {
                    Masked<U16> f = m.getMasked(MatchField.OVS_TCP_FLAGS);
                    b.tcpFlags(f.getValue().getValue(), f.getMask().getValue());
                } else if (exact(m, MatchField.OVS_TCP_FLAGS)) {
                    b.tcpFlags(m.get(MatchField.OVS_TCP_FLAGS).getValue(), 0xfff);
                }
            }
        }
        return b.build();
    }

    /** True if {@link #fromMatch(Match)} loses nothing: translating back gives an equal match. */
    public static boolean isRepresentable(Match m) {
        try {
            return toMatch(fromMatch(m)).equals(m);
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** The platform-neutral form of a switch's flow-removed message. */
    public static FlowRemoved fromFlowRemoved(org.projectfloodlight.openflow.protocol.OFFlowRemoved msg) {
        return new FlowRemoved(
                msg.getCookie().getValue(),
                msg.getPriority(),
                fromMatch(msg.getMatch()),
                fromReason(msg.getReason()),
                msg.getPacketCount().getValue(),
                msg.getByteCount().getValue(),
                msg.getDurationSec());
    }

    /** The platform-neutral form of one flow-stats entry. */
    public static FlowStatsEntry fromFlowStatsEntry(org.projectfloodlight.openflow.protocol.OFFlowStatsEntry e) {
        return new FlowStatsEntry(
                e.getCookie().getValue(),
                e.getPriority(),
                fromMatch(e.getMatch()),
                e.getPacketCount().getValue(),
                e.getByteCount().getValue(),
                e.getDurationSec(),
                e.getIdleTimeout(),
                e.getHardTimeout(),
                fromInstructions(e.getInstructions()));
    }

    /**
     * The actions of the apply-actions instructions, in order. Actions FlowAction cannot say
     * (other set-fields, groups, queues...) are left out, so the result may say less than the
     * switch does; Baton's own rules use none of them.
     */
    public static List<FlowAction> fromInstructions(List<OFInstruction> instructions) {
        List<FlowAction> out = new ArrayList<>();
        for (OFInstruction i : instructions) {
            if (i instanceof OFInstructionApplyActions) {
                for (OFAction a : ((OFInstructionApplyActions) i).getActions()) {
                    FlowAction fa = fromAction(a);
                    if (fa != null) {
                        out.add(fa);
                    }
                }
            }
        }
        return out;
    }

    private static FlowAction fromAction(OFAction a) {
        if (a instanceof OFActionOutput) {
            OFPort port = ((OFActionOutput) a).getPort();
            if (port.equals(OFPort.CONTROLLER)) {
                return FlowAction.toController();
            }
            if (port.equals(OFPort.FLOOD)) {
                return FlowAction.flood();
            }
            int n = port.getPortNumber();
            return n > 0 ? FlowAction.output(n) : null; // reserved ports are "negative" ints
        }
        if (a instanceof OFActionSetField) {
            OFOxm<?> f = ((OFActionSetField) a).getField();
            if (f.isMasked()) {
                return null;
            }
            MatchField<?> field = f.getMatchField();
            if (field.equals(MatchField.ETH_SRC)) {
                return FlowAction.setEthSrc(MacAddress.of(((org.projectfloodlight.openflow.types.MacAddress) f.getValue()).getLong()));
            }
            if (field.equals(MatchField.ETH_DST)) {
                return FlowAction.setEthDst(MacAddress.of(((org.projectfloodlight.openflow.types.MacAddress) f.getValue()).getLong()));
            }
            if (field.equals(MatchField.IPV4_SRC)) {
                return FlowAction.setIpv4Src(Ipv4Address.of(((IPv4Address) f.getValue()).getInt()));
            }
            if (field.equals(MatchField.IPV4_DST)) {
                return FlowAction.setIpv4Dst(Ipv4Address.of(((IPv4Address) f.getValue()).getInt()));
            }
        }
        return null;
    }

    /** IDLE_TIMEOUT, HARD_TIMEOUT and DELETE map one to one; anything else is OTHER. */
    public static FlowRemoved.Reason fromReason(org.projectfloodlight.openflow.protocol.OFFlowRemovedReason r) {
        if (r == null) {
            return FlowRemoved.Reason.OTHER;
        }
        switch (r) {
            case IDLE_TIMEOUT: return FlowRemoved.Reason.IDLE_TIMEOUT;
            case HARD_TIMEOUT: return FlowRemoved.Reason.HARD_TIMEOUT;
            case DELETE: return FlowRemoved.Reason.DELETE;
            default: return FlowRemoved.Reason.OTHER;
        }
    }

    // -------------------------------------------------------------------------------- helpers

    private static boolean exact(Match m, MatchField<?> f) {
        return m.supports(f) && m.isExact(f);
    }

    private static org.projectfloodlight.openflow.types.MacAddress toOf(MacAddress mac) {
        return org.projectfloodlight.openflow.types.MacAddress.of(mac.toLong());
    }

    private static IPv4Address toOf(Ipv4Address ip) {
        return IPv4Address.of(ip.toInt());
    }
}
