package io.baton.opendaylight;

import io.baton.flowrules.api.FlowAction;
import io.baton.flowrules.api.FlowMatch;
import io.baton.flowrules.api.FlowRule;
import io.baton.flowrules.api.Ipv4Address;
import io.baton.flowrules.api.MacAddress;
import io.baton.flowrules.api.PacketOut;
import io.baton.flowrules.api.SwitchId;
import org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.inet.types.rev130715.Ipv4Prefix;
import org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.inet.types.rev130715.PortNumber;
import org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.inet.types.rev130715.Uri;
import org.opendaylight.yang.gen.v1.urn.opendaylight.action.types.rev131112.action.action.OutputActionCaseBuilder;
import org.opendaylight.yang.gen.v1.urn.opendaylight.action.types.rev131112.action.action.SetFieldCaseBuilder;
import org.opendaylight.yang.gen.v1.urn.opendaylight.action.types.rev131112.action.action.output.action._case.OutputActionBuilder;
import org.opendaylight.yang.gen.v1.urn.opendaylight.action.types.rev131112.action.action.set.field._case.SetFieldBuilder;
import org.opendaylight.yang.gen.v1.urn.opendaylight.action.types.rev131112.action.list.Action;
import org.opendaylight.yang.gen.v1.urn.opendaylight.action.types.rev131112.action.list.ActionBuilder;
import org.opendaylight.yang.gen.v1.urn.opendaylight.action.types.rev131112.action.list.ActionKey;
import org.opendaylight.yang.gen.v1.urn.opendaylight.flow.service.rev130819.AddFlowInput;
import org.opendaylight.yang.gen.v1.urn.opendaylight.flow.service.rev130819.AddFlowInputBuilder;
import org.opendaylight.yang.gen.v1.urn.opendaylight.flow.service.rev130819.RemoveFlowInput;
import org.opendaylight.yang.gen.v1.urn.opendaylight.flow.service.rev130819.RemoveFlowInputBuilder;
import org.opendaylight.yang.gen.v1.urn.opendaylight.flow.types.rev131026.FlowCookie;
import org.opendaylight.yang.gen.v1.urn.opendaylight.flow.types.rev131026.FlowModFlags;
import org.opendaylight.yang.gen.v1.urn.opendaylight.flow.types.rev131026.flow.Instructions;
import org.opendaylight.yang.gen.v1.urn.opendaylight.flow.types.rev131026.flow.InstructionsBuilder;
import org.opendaylight.yang.gen.v1.urn.opendaylight.flow.types.rev131026.flow.Match;
import org.opendaylight.yang.gen.v1.urn.opendaylight.flow.types.rev131026.flow.MatchBuilder;
import org.opendaylight.yang.gen.v1.urn.opendaylight.flow.types.rev131026.instruction.instruction.ApplyActionsCaseBuilder;
import org.opendaylight.yang.gen.v1.urn.opendaylight.flow.types.rev131026.instruction.instruction.apply.actions._case.ApplyActionsBuilder;
import org.opendaylight.yang.gen.v1.urn.opendaylight.flow.types.rev131026.instruction.list.InstructionBuilder;
import org.opendaylight.yang.gen.v1.urn.opendaylight.l2.types.rev130827.EtherType;
import org.opendaylight.yang.gen.v1.urn.opendaylight.model.match.types.rev131026.ethernet.match.fields.EthernetDestinationBuilder;
import org.opendaylight.yang.gen.v1.urn.opendaylight.model.match.types.rev131026.ethernet.match.fields.EthernetSourceBuilder;
import org.opendaylight.yang.gen.v1.urn.opendaylight.model.match.types.rev131026.ethernet.match.fields.EthernetTypeBuilder;
import org.opendaylight.yang.gen.v1.urn.opendaylight.model.match.types.rev131026.match.EthernetMatchBuilder;
import org.opendaylight.yang.gen.v1.urn.opendaylight.model.match.types.rev131026.match.IpMatchBuilder;
import org.opendaylight.yang.gen.v1.urn.opendaylight.model.match.types.rev131026.match.TcpFlagsMatchBuilder;
import org.opendaylight.yang.gen.v1.urn.opendaylight.model.match.types.rev131026.match.layer._3.match.Ipv4MatchBuilder;
import org.opendaylight.yang.gen.v1.urn.opendaylight.model.match.types.rev131026.match.layer._4.match.TcpMatchBuilder;
import org.opendaylight.yang.gen.v1.urn.opendaylight.packet.service.rev130709.TransmitPacketInput;
import org.opendaylight.yang.gen.v1.urn.opendaylight.packet.service.rev130709.TransmitPacketInputBuilder;
import org.opendaylight.yangtools.binding.util.BindingMap;
import org.opendaylight.yangtools.yang.common.Uint16;
import org.opendaylight.yangtools.yang.common.Uint32;
import org.opendaylight.yangtools.yang.common.Uint64;
import org.opendaylight.yangtools.yang.common.Uint8;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The one place where Baton's flow values become OpenDaylight (openflowplugin 0.21) RPC inputs;
 * what comes back (matches, flow-removed, inventory flows) is read by {@link OdlFlowReader}.
 * The counterpart of flow-rules' OpenFlow13Translator, with the same conventions, so a rule looks
 * the same on the switch whichever controller put it there: table 0; the whole packet to the
 * controller (max_len 0xffff); no switch buffer; no actions means no instruction, which OpenFlow
 * defines as drop. Stateless and thread-safe.
 *
 * <p>Actions are OpenFlow 1.3 set-field actions, one per field, so their order is kept. Ports in
 * actions are written as numbers or logical names ("3", "FLOOD", "CONTROLLER"): openflowplugin reads
 * only the part after the last ':' (InventoryDataServiceUtil.portNumberfromNodeConnectorId). The
 * in-port of a match is a full node connector id, as openflowplugin reports it back.
 */
public final class OdlFlowTranslator {
    /** Baton keeps every rule in table 0. */
    static final Uint8 TABLE = Uint8.ZERO;
    /** OFPTT_ALL: delete-by-cookie looks in every table, as OpenFlow13Translator does. */
    static final Uint8 ALL_TABLES = Uint8.MAX_VALUE;
    /** OFPCML_NO_BUFFER: a CONTROLLER output carries the whole packet. */
    static final int CONTROLLER_MAX_LEN = 0xffff;
    /** OFP_NO_BUFFER. */
    static final Uint32 NO_BUFFER = Uint32.MAX_VALUE;
    static final long FULL_COOKIE_MASK = -1L;
    static final String CONTROLLER = "CONTROLLER";
    static final String FLOOD = "FLOOD";

    private OdlFlowTranslator() {
    }

    /**
     * An add-flow RPC input for the rule on the switch. {@code barrier} asks for a barrier after
     * the flow-mod: openflowplugin 0.21 completes a flow RPC only once a barrier reply followed it
     * anyway (its outbound queue), so the RPC result is the switch's confirmation either way.
     */
    public static AddFlowInput toAddFlow(SwitchId sw, FlowRule rule) {
        if (rule.meterId() != 0) {
            // OdlSouthbound has no installMeters, so the engine never names a meter here.
            throw new IllegalArgumentException("meters are not supported on OpenDaylight yet: " + rule);
        }
        return new AddFlowInputBuilder()
                .setNode(NodeIds.nodeRef(sw))
                .setTableId(TABLE)
                .setPriority(Uint16.valueOf(rule.priority()))
                .setCookie(cookie(rule.cookie()))
                .setMatch(toMatch(sw, rule.match()))
                .setInstructions(toInstructions(rule.actions()))
                .setIdleTimeout(Uint16.valueOf(rule.idleTimeoutSeconds()))
                .setHardTimeout(Uint16.valueOf(rule.hardTimeoutSeconds()))
                .setBufferId(NO_BUFFER)
                .setFlags(flags(rule.notifyOnRemoval()))
                .setStrict(false)
                .setBarrier(true)
                .build();
    }

    /**
     * A strict remove-flow RPC input for exactly this rule: same table, match, priority and cookie
     * (full mask), so another application's rule with the same match and priority stays.
     */
    public static RemoveFlowInput toRemoveFlow(SwitchId sw, FlowRule rule) {
        return new RemoveFlowInputBuilder()
                .setNode(NodeIds.nodeRef(sw))
                .setTableId(TABLE)
                .setPriority(Uint16.valueOf(rule.priority()))
                .setCookie(cookie(rule.cookie()))
                .setCookieMask(cookie(FULL_COOKIE_MASK))
                .setMatch(toMatch(sw, rule.match()))
                .setStrict(true)
                .setBarrier(true)
                .build();
    }

    /** A non-strict remove-flow RPC input for every rule in every table whose cookie matches under the mask. */
    public static RemoveFlowInput toRemoveByCookie(SwitchId sw, long cookie, long cookieMask) {
        return new RemoveFlowInputBuilder()
                .setNode(NodeIds.nodeRef(sw))
                .setTableId(ALL_TABLES)
                .setCookie(cookie(cookie))
                .setCookieMask(cookie(cookieMask))
                .setMatch(new MatchBuilder().build())
                .setStrict(false)
                .setBarrier(true)
                .build();
    }

    /**
     * A transmit-packet RPC input carrying the whole frame with its actions. openflowplugin sends
     * the actions when there are any and otherwise outputs to {@code egress}; egress is required
     * either way (PacketOutConvertor reads it unconditionally), so it names the packet's first
     * output. The in-port is the packet's, or none for {@link PacketOut#FROM_CONTROLLER}, which
     * openflowplugin turns into CONTROLLER.
     *
     * @throws IllegalArgumentException for a packet without actions: it would go nowhere
     */
    public static TransmitPacketInput toTransmitPacket(SwitchId sw, PacketOut packet) {
        if (packet.actions().isEmpty()) {
            throw new IllegalArgumentException("packet-out without actions goes nowhere");
        }
        TransmitPacketInputBuilder b = new TransmitPacketInputBuilder()
                .setNode(NodeIds.nodeRef(sw))
                .setEgress(NodeIds.connectorRef(sw, egressPort(packet.actions())))
                .setBufferId(NO_BUFFER)
                .setPayload(packet.frame())
                .setAction(toActions(packet.actions()));
        if (packet.inPort() != PacketOut.FROM_CONTROLLER) {
            b.setIngress(NodeIds.connectorRef(sw, Integer.toString(packet.inPort())));
        }
        return b.build();
    }

    /** The flow match: one exact field per present FlowMatch field (TCP flags under their mask). */
    public static Match toMatch(SwitchId sw, FlowMatch m) {
        MatchBuilder b = new MatchBuilder();
        if (m.tcpFlags().isPresent()) {
            b.setTcpFlagsMatch(new TcpFlagsMatchBuilder().setTcpFlags(Uint16.valueOf(m.tcpFlags().get()))
                    .setTcpFlagsMask(Uint16.valueOf(m.tcpFlagsMask().get())).build());
        }
        m.inPort().ifPresent(p -> b.setInPort(NodeIds.connectorId(sw, Integer.toString(p))));
        if (m.ethSrc().isPresent() || m.ethDst().isPresent() || m.ethType().isPresent()) {
            EthernetMatchBuilder eth = new EthernetMatchBuilder();
            m.ethSrc().ifPresent(mac -> eth.setEthernetSource(new EthernetSourceBuilder().setAddress(yangMac(mac)).build()));
            m.ethDst().ifPresent(mac -> eth.setEthernetDestination(
                    new EthernetDestinationBuilder().setAddress(yangMac(mac)).build()));
            m.ethType().ifPresent(t -> eth.setEthernetType(
                    new EthernetTypeBuilder().setType(new EtherType(Uint32.valueOf(t))).build()));
            b.setEthernetMatch(eth.build());
        }
        m.ipProto().ifPresent(p -> b.setIpMatch(new IpMatchBuilder().setIpProtocol(Uint8.valueOf(p)).build()));
        if (m.ipv4Src().isPresent() || m.ipv4Dst().isPresent()) {
            Ipv4MatchBuilder ip = new Ipv4MatchBuilder();
            m.ipv4Src().ifPresent(a -> ip.setIpv4Source(hostPrefix(a)));
            m.ipv4Dst().ifPresent(a -> ip.setIpv4Destination(hostPrefix(a)));
            b.setLayer3Match(ip.build());
        }
        if (m.tcpSrc().isPresent() || m.tcpDst().isPresent()) {
            TcpMatchBuilder tcp = new TcpMatchBuilder();
            m.tcpSrc().ifPresent(p -> tcp.setTcpSourcePort(new PortNumber(Uint16.valueOf(p))));
            m.tcpDst().ifPresent(p -> tcp.setTcpDestinationPort(new PortNumber(Uint16.valueOf(p))));
            b.setLayer4Match(tcp.build());
        }
        return b.build();
    }

    /** One apply-actions instruction, or none when there are no actions (drop). */
    public static Instructions toInstructions(List<FlowAction> actions) {
        if (actions.isEmpty()) {
            return new InstructionsBuilder().setInstruction(Map.of()).build();
        }
        return new InstructionsBuilder().setInstruction(BindingMap.of(new InstructionBuilder()
                .setOrder(0)
                .setInstruction(new ApplyActionsCaseBuilder()
                        .setApplyActions(new ApplyActionsBuilder().setAction(toActions(actions)).build())
                        .build())
                .build())).build();
    }

    /** The actions in order (the order leaf is what openflowplugin sorts by). */
    public static Map<ActionKey, Action> toActions(List<FlowAction> actions) {
        List<Action> out = new ArrayList<>(actions.size());
        for (FlowAction fa : actions) {
            out.add(new ActionBuilder().setOrder(out.size()).setAction(toAction(fa)).build());
        }
        return BindingMap.of(out);
    }

    private static org.opendaylight.yang.gen.v1.urn.opendaylight.action.types.rev131112.action.Action toAction(
            FlowAction fa) {
        switch (fa.kind()) {
            case SET_ETH_SRC:
                return setField(new SetFieldBuilder().setEthernetMatch(new EthernetMatchBuilder()
                        .setEthernetSource(new EthernetSourceBuilder().setAddress(yangMac(fa.mac())).build()).build()));
            case SET_ETH_DST:
                return setField(new SetFieldBuilder().setEthernetMatch(new EthernetMatchBuilder()
                        .setEthernetDestination(new EthernetDestinationBuilder().setAddress(yangMac(fa.mac())).build())
                        .build()));
            case SET_IPV4_SRC:
                return setField(new SetFieldBuilder().setLayer3Match(
                        new Ipv4MatchBuilder().setIpv4Source(hostPrefix(fa.ipv4())).build()));
            case SET_IPV4_DST:
                return setField(new SetFieldBuilder().setLayer3Match(
                        new Ipv4MatchBuilder().setIpv4Destination(hostPrefix(fa.ipv4())).build()));
            case OUTPUT:
                return output(Integer.toString(fa.port()), 0);
            case FLOOD:
                return output(FLOOD, 0);
            case CONTROLLER:
                return output(CONTROLLER, CONTROLLER_MAX_LEN);
            default:
                throw new IllegalArgumentException("unknown action kind " + fa.kind());
        }
    }

    private static org.opendaylight.yang.gen.v1.urn.opendaylight.action.types.rev131112.action.Action setField(
            SetFieldBuilder fields) {
        return new SetFieldCaseBuilder().setSetField(fields.build()).build();
    }

    private static org.opendaylight.yang.gen.v1.urn.opendaylight.action.types.rev131112.action.Action output(
            String port, int maxLength) {
        return new OutputActionCaseBuilder().setOutputAction(new OutputActionBuilder()
                .setOutputNodeConnector(new Uri(port))
                .setMaxLength(Uint16.valueOf(maxLength))
                .build()).build();
    }

    private static String egressPort(List<FlowAction> actions) {
        for (FlowAction a : actions) {
            switch (a.kind()) {
                case OUTPUT: return Integer.toString(a.port());
                case FLOOD: return FLOOD;
                case CONTROLLER: return CONTROLLER;
                default: break;
            }
        }
        return CONTROLLER; // rewrites only: the actions decide, egress is a formality then
    }

    /** Bits in yang order: CHECK_OVERLAP, NO_BYT_COUNTS, NO_PKT_COUNTS, RESET_COUNTS, SEND_FLOW_REM. */
    static FlowModFlags flags(boolean sendFlowRemoved) {
        return new FlowModFlags(false, false, false, false, sendFlowRemoved);
    }

    static FlowCookie cookie(long value) {
        return new FlowCookie(Uint64.fromLongBits(value));
    }

    static org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.yang.types.rev130715.MacAddress yangMac(
            MacAddress mac) {
        return new org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.yang.types.rev130715.MacAddress(
                mac.toString());
    }

    static Ipv4Prefix hostPrefix(Ipv4Address a) {
        return new Ipv4Prefix(a + "/32");
    }
}
