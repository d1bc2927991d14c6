package io.baton.onos;

import io.baton.flowrules.api.FlowAction;
import io.baton.flowrules.api.FlowMatch;
import io.baton.flowrules.api.FlowRemoved;
import io.baton.flowrules.api.FlowRule;
import io.baton.flowrules.api.FlowStatsEntry;
import io.baton.flowrules.api.Ipv4Address;
import io.baton.flowrules.api.MacAddress;
import org.onlab.packet.Ip4Address;
import org.onlab.packet.IpAddress;
import org.onlab.packet.IpPrefix;
import org.onlab.packet.TpPort;
import org.onosproject.net.DeviceId;
import org.onosproject.net.PortNumber;
import org.onosproject.net.flow.DefaultFlowRule;
import org.onosproject.net.flow.DefaultTrafficSelector;
import org.onosproject.net.flow.DefaultTrafficTreatment;
import org.onosproject.net.flow.FlowEntry;
import org.onosproject.net.flow.TrafficSelector;
import org.onosproject.net.flow.TrafficTreatment;
import org.onosproject.net.flow.criteria.Criteria;
import org.onosproject.net.flow.criteria.Criterion;
import org.onosproject.net.flow.criteria.EthCriterion;
import org.onosproject.net.flow.criteria.EthTypeCriterion;
import org.onosproject.net.flow.criteria.IPCriterion;
import org.onosproject.net.flow.criteria.IPProtocolCriterion;
import org.onosproject.net.flow.criteria.PortCriterion;
import org.onosproject.net.flow.criteria.TcpFlagsCriterion;
import org.onosproject.net.flow.criteria.TcpPortCriterion;
import org.onosproject.net.flow.instructions.Instruction;
import org.onosproject.net.flow.instructions.Instructions;
import org.onosproject.net.flow.instructions.L2ModificationInstruction;
import org.onosproject.net.flow.instructions.L3ModificationInstruction;

import java.util.ArrayList;
import java.util.List;

/**
 * The one place where Baton's platform-neutral flow values become ONOS flow rules, selectors
 * and treatments, and back: the ONOS counterpart of {@code OpenFlow13Translator}. Stateless.
 *
 * <p>ONOS conventions it follows (read in {@code DefaultFlowRule.Builder}): a rule names either
 * an application or a cookie; Baton gives the cookie ({@code withCookie}), which ONOS keeps as the
 * rule's FlowId and sends to the switch unchanged, so Baton's cookie scheme (kind and connection
 * id) survives. {@code withHardTimeout} also sets the idle timeout, so it comes first and
 * {@code makeTemporary(idle)} second. A rule with neither timeout is permanent.
 *
 * <p>What does not carry over: ONOS asks the switch for a flow-removed message for every rule
 * (its OpenFlow provider always sets SEND_FLOW_REM), so {@link FlowRule#notifyOnRemoval()} has no
 * ONOS form and rules read back from ONOS say {@code true}.
 */
public final class OnosFlowTranslator {
    /** Baton puts every rule in table 0, as on the embedded controller. */
    static final int TABLE = 0;

    private OnosFlowTranslator() {
    }

    // ---------------------------------------------------------------------------------- to ONOS

    /** The ONOS rule for {@code rule} on {@code device}. */
    public static org.onosproject.net.flow.FlowRule toOnos(DeviceId device, FlowRule rule) {
        if (rule.meterId() != 0) {
            // OnosSouthbound has no installMeters, so the engine never names a meter here.
            throw new IllegalArgumentException("meters are not supported on ONOS yet: " + rule);
        }
        org.onosproject.net.flow.FlowRule.Builder b = DefaultFlowRule.builder()
                .forDevice(device)
                .forTable(TABLE)
                .withCookie(rule.cookie())
                .withPriority(rule.priority())
                .withSelector(toSelector(rule.match()))
                .withTreatment(toTreatment(rule.actions()));
        if (rule.idleTimeoutSeconds() == 0 && rule.hardTimeoutSeconds() == 0) {
            b.makePermanent();
        } else {
            b.withHardTimeout(rule.hardTimeoutSeconds()); // sets the idle timeout too: overwritten next
            b.makeTemporary(rule.idleTimeoutSeconds());
        }
        return b.build();
    }

    /** One exact criterion per field present in the match. */
    public static TrafficSelector toSelector(FlowMatch m) {
        TrafficSelector.Builder b = DefaultTrafficSelector.builder();
        m.inPort().ifPresent(p -> b.matchInPort(PortNumber.portNumber(Integer.toUnsignedLong(p))));
        m.ethSrc().ifPresent(mac -> b.matchEthSrc(toOnos(mac)));
        m.ethDst().ifPresent(mac -> b.matchEthDst(toOnos(mac)));
        m.ethType().ifPresent(t -> b.matchEthType(t.shortValue()));
        m.ipProto().ifPresent(p -> b.matchIPProtocol(p.byteValue()));
        m.ipv4Src().ifPresent(ip -> b.matchIPSrc(toPrefix(ip)));
        m.ipv4Dst().ifPresent(ip -> b.matchIPDst(toPrefix(ip)));
        m.tcpSrc().ifPresent(p -> b.matchTcpSrc(TpPort.tpPort(p)));
        m.tcpDst().ifPresent(p -> b.matchTcpDst(TpPort.tpPort(p)));
        if (m.tcpFlags().isPresent()) {
            int flags = m.tcpFlags().get();
            if (!m.tcpFlagsMask().get().equals(flags)) {
                throw new IllegalArgumentException("ONOS matches TCP flags only as a set that must be set: " + m);
            }
            // ONOS's criterion is exact: "SYN set, others unseen" becomes "SYN alone". A SYN with
            // ECN bits then misses the rule and takes the VIP intercept below it, as on a switch
            // without the SYN rule.
            b.add(Criteria.matchTcpFlags(flags));
        }
        return b.build();
    }

    /**
     * The actions in order as immediate instructions; no actions is the empty treatment, which
     * ONOS's OpenFlow provider sends as a flow-mod with no instruction: drop.
     */
    public static TrafficTreatment toTreatment(List<FlowAction> actions) {
        TrafficTreatment.Builder b = DefaultTrafficTreatment.builder();
        for (FlowAction a : actions) {
            switch (a.kind()) {
                case SET_ETH_SRC:
                    b.setEthSrc(toOnos(a.mac()));
                    break;
                case SET_ETH_DST:
                    b.setEthDst(toOnos(a.mac()));
                    break;
                case SET_IPV4_SRC:
                    b.setIpSrc(toOnos(a.ipv4()));
                    break;
                case SET_IPV4_DST:
                    b.setIpDst(toOnos(a.ipv4()));
                    break;
                case OUTPUT:
                    b.setOutput(PortNumber.portNumber(Integer.toUnsignedLong(a.port())));
                    break;
                case FLOOD:
                    b.setOutput(PortNumber.FLOOD);
                    break;
                case CONTROLLER:
                    b.setOutput(PortNumber.CONTROLLER);
                    break;
                default:
                    throw new IllegalArgumentException("unknown action kind " + a.kind());
            }
        }
        return b.build();
    }

    /** The output port of one action: a physical port, FLOOD or CONTROLLER. */
    static PortNumber outputPort(FlowAction a) {
        switch (a.kind()) {
            case OUTPUT:
                return PortNumber.portNumber(Integer.toUnsignedLong(a.port()));
            case FLOOD:
                return PortNumber.FLOOD;
            case CONTROLLER:
                return PortNumber.CONTROLLER;
            default:
                throw new IllegalArgumentException(a.kind() + " is not an output");
        }
    }

    // -------------------------------------------------------------------------------- from ONOS

    /**
     * The Baton match for an ONOS selector. Refused, with the criterion named, when the selector
     * has a criterion Baton never builds (VLAN, IPv6, masks, a prefix shorter than /32 ...):
     * dropping it would make the match wider than the switch's.
     */
    public static Translation<FlowMatch> fromSelector(TrafficSelector selector) {
        FlowMatch.Builder b = FlowMatch.builder();
        for (Criterion c : selector.criteria()) {
            String refusal = addCriterion(b, c);
            if (refusal != null) {
                return Translation.refused(refusal);
            }
        }
        try {
            return Translation.of(b.build());
        } catch (IllegalStateException e) {
            return Translation.refused("criteria without their prerequisites: " + e.getMessage());
        }
    }

    /** Adds one criterion; returns why it cannot be added, or null. */
    private static String addCriterion(FlowMatch.Builder b, Criterion c) {
        switch (c.type()) {
            case IN_PORT:
                PortNumber port = ((PortCriterion) c).port();
                if (port.isLogical() || port.toLong() > 0xffff_ff00L) {
                    return "criterion IN_PORT is a logical port: " + port;
                }
                b.inPort((int) port.toLong());
                return null;
            case ETH_SRC:
                b.ethSrc(fromOnos(((EthCriterion) c).mac()));
                return null;
            case ETH_DST:
                b.ethDst(fromOnos(((EthCriterion) c).mac()));
                return null;
            case ETH_TYPE:
                b.ethType(((EthTypeCriterion) c).ethType().toShort() & 0xffff);
                return null;
            case IP_PROTO:
                b.ipProto(((IPProtocolCriterion) c).protocol() & 0xff);
                return null;
            case IPV4_SRC:
            case IPV4_DST:
                IpPrefix prefix = ((IPCriterion) c).ip();
                if (!prefix.isIp4() || prefix.prefixLength() != 32) {
                    return "criterion " + c.type() + " is not one IPv4 address: " + prefix;
                }
                Ipv4Address ip = Ipv4Address.of(prefix.address().getIp4Address().toInt());
                if (c.type() == Criterion.Type.IPV4_SRC) {
                    b.ipv4Src(ip);
                } else {
                    b.ipv4Dst(ip);
                }
                return null;
            case TCP_SRC:
                b.tcpSrc(((TcpPortCriterion) c).tcpPort().toInt());
                return null;
            case TCP_DST:
                b.tcpDst(((TcpPortCriterion) c).tcpPort().toInt());
                return null;
            case TCP_FLAGS:
                int flags = ((TcpFlagsCriterion) c).flags();
                b.tcpFlags(flags, flags); // what toSelector makes of a Baton flags match
                return null;
            default:
                return "criterion " + c.type() + " has no Baton form: " + c;
        }
    }

    /** The Baton actions for an ONOS treatment's immediate instructions, in order. */
    public static Translation<List<FlowAction>> fromTreatment(TrafficTreatment treatment) {
        if (!treatment.deferred().isEmpty() || treatment.clearedDeferred() || treatment.tableTransition() != null
                || treatment.metered() != null || treatment.writeMetadata() != null) {
            return Translation.refused("treatment with more than immediate instructions: " + treatment);
        }
        List<FlowAction> actions = new ArrayList<>();
        for (Instruction i : treatment.immediate()) {
            if (i.type() == Instruction.Type.NOACTION) {
                continue; // ONOS's mark of an empty treatment: drop, which is no actions in Baton
            }
            FlowAction a = fromInstruction(i);
            if (a == null) {
                return Translation.refused("instruction has no Baton form: " + i);
            }
            actions.add(a);
        }
        return Translation.of(actions);
    }

    private static FlowAction fromInstruction(Instruction i) {
        switch (i.type()) {
            case OUTPUT:
                PortNumber p = ((Instructions.OutputInstruction) i).port();
                if (PortNumber.FLOOD.equals(p)) {
                    return FlowAction.flood();
                }
                if (PortNumber.CONTROLLER.equals(p)) {
                    return FlowAction.toController();
                }
                return p.isLogical() ? null : FlowAction.output((int) p.toLong());
            case L2MODIFICATION:
                L2ModificationInstruction l2 = (L2ModificationInstruction) i;
                if (l2.subtype() == L2ModificationInstruction.L2SubType.ETH_SRC) {
                    return FlowAction.setEthSrc(fromOnos(((L2ModificationInstruction.ModEtherInstruction) l2).mac()));
                }
                if (l2.subtype() == L2ModificationInstruction.L2SubType.ETH_DST) {
                    return FlowAction.setEthDst(fromOnos(((L2ModificationInstruction.ModEtherInstruction) l2).mac()));
                }
                return null;
            case L3MODIFICATION:
                L3ModificationInstruction l3 = (L3ModificationInstruction) i;
                if (!(l3 instanceof L3ModificationInstruction.ModIPInstruction)
                        || !((L3ModificationInstruction.ModIPInstruction) l3).ip().isIp4()) {
                    return null;
                }
                if (l3.subtype() == L3ModificationInstruction.L3SubType.IPV4_SRC) {
                    return FlowAction.setIpv4Src(fromOnos(((L3ModificationInstruction.ModIPInstruction) l3).ip()));
                }
                if (l3.subtype() == L3ModificationInstruction.L3SubType.IPV4_DST) {
                    return FlowAction.setIpv4Dst(fromOnos(((L3ModificationInstruction.ModIPInstruction) l3).ip()));
                }
                return null;
            default:
                return null;
        }
    }

    /**
     * The Baton rule an ONOS rule stands for (the inverse of {@link #toOnos}); notifyOnRemoval is
     * always true, as ONOS asks every switch for flow-removed messages.
     */
    public static Translation<FlowRule> fromOnos(org.onosproject.net.flow.FlowRule rule) {
        Translation<FlowMatch> match = fromSelector(rule.selector());
        if (!match.isOk()) {
            return Translation.refused(match.refusal());
        }
        Translation<List<FlowAction>> actions = fromTreatment(rule.treatment());
        if (!actions.isOk()) {
            return Translation.refused(actions.refusal());
        }
        return Translation.of(FlowRule.builder()
                .match(match.value())
                .actions(actions.value())
                .priority(rule.priority())
                .cookie(rule.id().value())
                .idleTimeoutSeconds(rule.isPermanent() ? 0 : rule.timeout())
                .hardTimeoutSeconds(rule.hardTimeout())
                .notifyOnRemoval(true)
                .build());
    }

    /** A flow entry as the switch last reported it, in Baton's stats form. */
    public static Translation<FlowStatsEntry> toStats(FlowEntry e) {
        return fromSelector(e.selector()).map(match -> new FlowStatsEntry(e.id().value(), e.priority(), match,
                e.packets(), e.bytes(), e.life(), e.isPermanent() ? 0 : e.timeout(), e.hardTimeout()));
    }

    /** A removed flow entry in Baton's form, with the reason already decided by the caller. */
    public static Translation<FlowRemoved> toRemoved(FlowEntry e, FlowRemoved.Reason reason) {
        return fromSelector(e.selector()).map(match -> new FlowRemoved(e.id().value(), e.priority(), match,
                reason, e.packets(), e.bytes(), e.life()));
    }

    /** The switch's reason as ONOS stored it; OTHER when ONOS has none. */
    public static FlowRemoved.Reason reasonOf(org.onosproject.net.flow.FlowRule.FlowRemoveReason r) {
        if (r == null) {
            return FlowRemoved.Reason.OTHER;
        }
        switch (r) {
            case IDLE_TIMEOUT:
                return FlowRemoved.Reason.IDLE_TIMEOUT;
            case HARD_TIMEOUT:
                return FlowRemoved.Reason.HARD_TIMEOUT;
            case DELETE:
                return FlowRemoved.Reason.DELETE;
            default:
                return FlowRemoved.Reason.OTHER;
        }
    }

    // ----------------------------------------------------------------------------- addresses

    static org.onlab.packet.MacAddress toOnos(MacAddress mac) {
        return org.onlab.packet.MacAddress.valueOf(mac.toLong());
    }

    static MacAddress fromOnos(org.onlab.packet.MacAddress mac) {
        return MacAddress.of(mac.toLong());
    }

    static IpAddress toOnos(Ipv4Address ip) {
        return Ip4Address.valueOf(ip.toInt());
    }

    static Ipv4Address fromOnos(IpAddress ip) {
        return Ipv4Address.of(ip.getIp4Address().toInt());
    }

    private static IpPrefix toPrefix(Ipv4Address ip) {
        return IpPrefix.valueOf(ip.toInt(), 32);
    }
}
