package io.baton.opendaylight;

import io.baton.flowrules.api.SwitchId;
import org.opendaylight.yang.gen.v1.urn.opendaylight.action.types.rev131112.action.action.OutputActionCase;
import org.opendaylight.yang.gen.v1.urn.opendaylight.action.types.rev131112.action.action.SetFieldCase;
import org.opendaylight.yang.gen.v1.urn.opendaylight.action.types.rev131112.action.action.set.field._case.SetField;
import org.opendaylight.yang.gen.v1.urn.opendaylight.action.types.rev131112.action.list.Action;
import org.opendaylight.yang.gen.v1.urn.opendaylight.action.types.rev131112.action.list.ActionKey;
import org.opendaylight.yang.gen.v1.urn.opendaylight.flow.service.rev130819.FlowRemovedBuilder;
import org.opendaylight.yang.gen.v1.urn.opendaylight.flow.types.rev131026.RemovedFlowReason;
import org.opendaylight.yang.gen.v1.urn.opendaylight.flow.types.rev131026.flow.Instructions;
import org.opendaylight.yang.gen.v1.urn.opendaylight.flow.types.rev131026.flow.Match;
import org.opendaylight.yang.gen.v1.urn.opendaylight.flow.types.rev131026.instruction.instruction.ApplyActionsCase;
import org.opendaylight.yang.gen.v1.urn.opendaylight.flow.types.rev131026.instruction.list.Instruction;
import org.opendaylight.yang.gen.v1.urn.opendaylight.inventory.rev130819.NodeRemovedBuilder;
import org.opendaylight.yang.gen.v1.urn.opendaylight.inventory.rev130819.NodeUpdated;
import org.opendaylight.yang.gen.v1.urn.opendaylight.inventory.rev130819.NodeUpdatedBuilder;
import org.opendaylight.yang.gen.v1.urn.opendaylight.inventory.rev130819.NodeRemoved;
import org.opendaylight.yang.gen.v1.urn.opendaylight.model.match.types.rev131026.match.layer._3.match.Ipv4Match;
import org.opendaylight.yang.gen.v1.urn.opendaylight.model.match.types.rev131026.match.layer._4.match.TcpMatch;
import org.opendaylight.yang.gen.v1.urn.opendaylight.packet.service.rev130709.PacketReceived;
import org.opendaylight.yang.gen.v1.urn.opendaylight.packet.service.rev130709.PacketReceivedBuilder;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Test helpers: OpenDaylight's structures rendered as short texts (read field by field, not via
 * the translator under test), so assertions state exactly what goes to openflowplugin; and the
 * notifications openflowplugin 0.21 publishes, built as it builds them.
 */
final class OdlTexts {
    private OdlTexts() {
    }

    /** "in_port=openflow:1:3,eth_type=2048,ip_proto=6,ipv4_dst=10.0.0.100/32,tcp_dst=80" and so on. */
    static String match(Match m) {
        List<String> f = new ArrayList<>();
        if (m.getInPort() != null) {
            f.add("in_port=" + m.getInPort().getValue());
        }
        if (m.getEthernetMatch() != null) {
            var e = m.getEthernetMatch();
            if (e.getEthernetSource() != null) {
                f.add("eth_src=" + e.getEthernetSource().getAddress().getValue());
            }
            if (e.getEthernetDestination() != null) {
                f.add("eth_dst=" + e.getEthernetDestination().getAddress().getValue());
            }
            if (e.getEthernetType() != null) {
                f.add("eth_type=" + e.getEthernetType().getType().getValue());
            }
        }
        if (m.getIpMatch() != null) {
            f.add("ip_proto=" + m.getIpMatch().getIpProtocol());
        }
        if (m.getLayer3Match() instanceof Ipv4Match v4) {
            if (v4.getIpv4Source() != null) {
                f.add("ipv4_src=" + v4.getIpv4Source().getValue());
            }
            if (v4.getIpv4Destination() != null) {
                f.add("ipv4_dst=" + v4.getIpv4Destination().getValue());
            }
        }
        if (m.getLayer4Match() instanceof TcpMatch t) {
            if (t.getTcpSourcePort() != null) {
                f.add("tcp_src=" + t.getTcpSourcePort().getValue());
            }
            if (t.getTcpDestinationPort() != null) {
                f.add("tcp_dst=" + t.getTcpDestinationPort().getValue());
            }
        }
        if (m.getTcpFlagsMatch() != null) {
            f.add("tcp_flags=" + m.getTcpFlagsMatch().getTcpFlags() + "/" + m.getTcpFlagsMatch().getTcpFlagsMask());
        }
        return String.join(",", f);
    }

    /** The actions of the single apply-actions instruction; "drop" for no instruction at all. */
    static List<String> instructions(Instructions ins) {
        Map<?, Instruction> map = ins.nonnullInstruction();
        if (map.isEmpty()) {
            return List.of("drop");
        }
        if (map.size() != 1) {
            throw new AssertionError("expected one instruction, got " + map.values());
        }
        Instruction only = map.values().iterator().next();
        if (!(only.getInstruction() instanceof ApplyActionsCase apply)) {
            throw new AssertionError("expected apply-actions, got " + only.getInstruction());
        }
        return actions(apply.getApplyActions().nonnullAction());
    }

    /** Actions in their order leaf's order: "set_eth_dst=..", "output=5/0", "output=CONTROLLER/65535". */
    static List<String> actions(Map<ActionKey, Action> actions) {
        List<Action> sorted = new ArrayList<>(actions.values());
        sorted.sort(Comparator.comparing(Action::getOrder));
        List<String> out = new ArrayList<>();
        for (Action a : sorted) {
            var act = a.getAction();
            if (act instanceof OutputActionCase o) {
                out.add("output=" + o.getOutputAction().getOutputNodeConnector().getValue() + "/"
                        + o.getOutputAction().getMaxLength());
            } else if (act instanceof SetFieldCase s) {
                out.add(setField(s.getSetField()));
            } else {
                out.add("unexpected " + act);
            }
        }
        return out;
    }

    private static String setField(SetField s) {
        List<String> f = new ArrayList<>();
        if (s.getEthernetMatch() != null && s.getEthernetMatch().getEthernetSource() != null) {
            f.add("set_eth_src=" + s.getEthernetMatch().getEthernetSource().getAddress().getValue());
        }
        if (s.getEthernetMatch() != null && s.getEthernetMatch().getEthernetDestination() != null) {
            f.add("set_eth_dst=" + s.getEthernetMatch().getEthernetDestination().getAddress().getValue());
        }
        if (s.getLayer3Match() instanceof Ipv4Match v4 && v4.getIpv4Source() != null) {
            f.add("set_ipv4_src=" + v4.getIpv4Source().getValue());
        }
        if (s.getLayer3Match() instanceof Ipv4Match v4 && v4.getIpv4Destination() != null) {
            f.add("set_ipv4_dst=" + v4.getIpv4Destination().getValue());
        }
        if (f.size() != 1) {
            throw new AssertionError("one field per set-field action expected: " + s);
        }
        return f.get(0);
    }

    // ------------------------------------------------------------------ notifications

    /** A packet-in as PacketReceivedTranslator builds it: ingress node connector and payload. */
    static PacketReceived packetIn(SwitchId sw, int port, byte[] frame) {
        return new PacketReceivedBuilder().setIngress(NodeIds.connectorRef(sw, Integer.toString(port)))
                .setPayload(frame).build();
    }

    /** As DeviceManagerImpl.sendNodeAddedNotification publishes it. */
    static NodeUpdated nodeUpdated(SwitchId sw) {
        return new NodeUpdatedBuilder().setId(NodeIds.nodeId(sw)).setNodeRef(NodeIds.nodeRef(sw)).build();
    }

    static NodeRemoved nodeRemoved(SwitchId sw) {
        return new NodeRemovedBuilder().setNodeRef(NodeIds.nodeRef(sw)).build();
    }

    /** As FlowRemovedTranslator builds it: match, cookie, node, priority, table, reason. */
    static org.opendaylight.yang.gen.v1.urn.opendaylight.flow.service.rev130819.FlowRemoved flowRemoved(
            SwitchId sw, long cookie, int priority, Match match, RemovedFlowReason reason) {
        return new FlowRemovedBuilder().setNode(NodeIds.nodeRef(sw)).setCookie(OdlFlowTranslator.cookie(cookie))
                .setPriority(org.opendaylight.yangtools.yang.common.Uint16.valueOf(priority)).setMatch(match)
                .setTableId(org.opendaylight.yangtools.yang.common.Uint8.ZERO).setReason(reason).build();
    }
}
