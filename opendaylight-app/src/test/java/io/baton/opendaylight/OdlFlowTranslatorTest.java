package io.baton.opendaylight;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.flowrules.api.FlowAction;
import io.baton.flowrules.api.FlowMatch;
import io.baton.flowrules.api.FlowRemoved;
import io.baton.flowrules.api.FlowRule;
import io.baton.flowrules.api.Ipv4Address;
import io.baton.flowrules.api.MacAddress;
import io.baton.flowrules.api.PacketOut;
import io.baton.flowrules.api.SwitchId;
import org.junit.jupiter.api.Test;
import org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.inet.types.rev130715.Ipv4Prefix;
import org.opendaylight.yang.gen.v1.urn.opendaylight.flow.service.rev130819.AddFlowInput;
import org.opendaylight.yang.gen.v1.urn.opendaylight.flow.service.rev130819.RemoveFlowInput;
import org.opendaylight.yang.gen.v1.urn.opendaylight.flow.types.rev131026.RemovedFlowReason;
import org.opendaylight.yang.gen.v1.urn.opendaylight.flow.types.rev131026.flow.Match;
import org.opendaylight.yang.gen.v1.urn.opendaylight.flow.types.rev131026.flow.MatchBuilder;
import org.opendaylight.yang.gen.v1.urn.opendaylight.model.match.types.rev131026.match.VlanMatchBuilder;
import org.opendaylight.yang.gen.v1.urn.opendaylight.model.match.types.rev131026.match.layer._3.match.Ipv4MatchBuilder;
import org.opendaylight.yang.gen.v1.urn.opendaylight.model.match.types.rev131026.match.layer._4.match.UdpMatchBuilder;
import org.opendaylight.yang.gen.v1.urn.opendaylight.packet.service.rev130709.TransmitPacketInput;

import java.util.List;

/**
 * Baton's flow values to openflowplugin's RPC inputs and back. Test plan: each match field alone,
 * each action kind alone, the rule's other attributes, the two removals, the packet-out; then round
 * trips of whole matches; then what a switch may report that Baton has no field for.
 */
class OdlFlowTranslatorTest {
    static final SwitchId SW = SwitchId.of(0x1aL);
    static final MacAddress MAC = MacAddress.parse("00:00:00:00:00:13");
    static final Ipv4Address IP = Ipv4Address.parse("10.0.0.13");

    private static String match(FlowMatch m) {
        return OdlTexts.match(OdlFlowTranslator.toMatch(SW, m));
    }

    @Test
    void eachMatchFieldAlone() {
        assertEquals("", match(FlowMatch.any()));
        assertEquals("in_port=openflow:26:7", match(FlowMatch.builder().inPort(7).build()), "decimal dpid, as ODL names nodes");
        assertEquals("eth_src=00:00:00:00:00:13", match(FlowMatch.builder().ethSrc(MAC).build()));
        assertEquals("eth_dst=00:00:00:00:00:13", match(FlowMatch.builder().ethDst(MAC).build()));
        assertEquals("eth_type=2054", match(FlowMatch.builder().ethType(FlowMatch.ETH_TYPE_ARP).build()));
        assertEquals("eth_type=2048,ip_proto=17", match(FlowMatch.builder().ethType(0x800).ipProto(17).build()));
        assertEquals("eth_type=2048,ipv4_src=10.0.0.13/32", match(FlowMatch.builder().ethType(0x800).ipv4Src(IP).build()));
        assertEquals("eth_type=2048,ipv4_dst=10.0.0.13/32", match(FlowMatch.builder().ethType(0x800).ipv4Dst(IP).build()));
        assertEquals("eth_type=2048,ip_proto=6,tcp_src=40000", match(FlowMatch.builder().tcp().tcpSrc(40000).build()));
        assertEquals("eth_type=2048,ip_proto=6,tcp_dst=80", match(FlowMatch.builder().tcp().tcpDst(80).build()));
    }

    private static List<String> actions(FlowAction... a) {
        return OdlTexts.instructions(OdlFlowTranslator.toInstructions(List.of(a)));
    }

    @Test
    void eachActionAlone() {
        assertEquals(List.of("set_eth_src=00:00:00:00:00:13"), actions(FlowAction.setEthSrc(MAC)));
        assertEquals(List.of("set_eth_dst=00:00:00:00:00:13"), actions(FlowAction.setEthDst(MAC)));
        assertEquals(List.of("set_ipv4_src=10.0.0.13/32"), actions(FlowAction.setIpv4Src(IP)));
        assertEquals(List.of("set_ipv4_dst=10.0.0.13/32"), actions(FlowAction.setIpv4Dst(IP)));
        assertEquals(List.of("output=5/0"), actions(FlowAction.output(5)));
        assertEquals(List.of("output=FLOOD/0"), actions(FlowAction.flood()));
        assertEquals(List.of("output=CONTROLLER/65535"), actions(FlowAction.toController()), "the whole packet");
        assertEquals(List.of("drop"), actions(), "no actions: no instruction, OpenFlow's drop");
    }

    @Test
    void actionsKeepTheirOrder() {
        assertEquals(List.of("set_eth_dst=00:00:00:00:00:13", "set_ipv4_dst=10.0.0.13/32", "output=5/0"),
                actions(FlowAction.setEthDst(MAC), FlowAction.setIpv4Dst(IP), FlowAction.output(5)));
    }

    @Test
    void anAddFlowCarriesEveryAttributeOfTheRule() {
        FlowRule rule = FlowRule.builder().priority(200).cookie(0xBA70_2000_0000_0007L).idleTimeoutSeconds(30)
                .hardTimeoutSeconds(600).notifyOnRemoval(true)
                .match(FlowMatch.builder().tcp().tcpDst(80).build()).actions(FlowAction.output(2)).build();
        AddFlowInput in = OdlFlowTranslator.toAddFlow(SW, rule);
        assertEquals(NodeIds.nodeRef(SW), in.getNode());
        assertEquals(0, in.getTableId().intValue());
        assertEquals(200, in.getPriority().intValue());
        assertEquals(0xBA70_2000_0000_0007L, in.getCookie().getValue().longValue(), "all 64 bits, top bit set");
        assertEquals(30, in.getIdleTimeout().intValue());
        assertEquals(600, in.getHardTimeout().intValue());
        assertTrue(in.getFlags().getSENDFLOWREM());
        assertFalse(in.getFlags().getCHECKOVERLAP());
        assertFalse(in.getFlags().getRESETCOUNTS());
        assertTrue(in.getBarrier(), "a barrier after the flow-mod");
        assertFalse(in.getStrict());
        assertEquals(0xffffffffL, in.getBufferId().longValue(), "no switch buffer");
        assertEquals("eth_type=2048,ip_proto=6,tcp_dst=80", OdlTexts.match(in.getMatch()));
        assertEquals(List.of("output=2/0"), OdlTexts.instructions(in.getInstructions()));
        assertFalse(OdlFlowTranslator.toAddFlow(SW, FlowRule.builder().build()).getFlags().getSENDFLOWREM());
    }

    @Test
    void aStrictRemovalNamesExactlyTheRule() {
        FlowRule rule = FlowRule.builder().priority(100).cookie(0xBA70_0000_0000_0000L)
                .match(FlowMatch.builder().tcp().ipv4Dst(IP).tcpDst(80).build()).actions(FlowAction.toController()).build();
        RemoveFlowInput in = OdlFlowTranslator.toRemoveFlow(SW, rule);
        assertTrue(in.getStrict());
        assertEquals(100, in.getPriority().intValue());
        assertEquals(0, in.getTableId().intValue());
        assertEquals(0xBA70_0000_0000_0000L, in.getCookie().getValue().longValue());
        assertEquals(-1L, in.getCookieMask().getValue().longValue(), "someone else's rule with the same match stays");
        assertEquals("eth_type=2048,ip_proto=6,ipv4_dst=10.0.0.13/32,tcp_dst=80", OdlTexts.match(in.getMatch()));
        assertTrue(in.getBarrier());
    }

    @Test
    void aRemovalByCookieLooksInEveryTable() {
        RemoveFlowInput in = OdlFlowTranslator.toRemoveByCookie(SW, 0xBA70_0000_0000_0042L, 0xFFFF_0FFF_FFFF_FFFFL);
        assertFalse(in.getStrict());
        assertEquals(255, in.getTableId().intValue(), "OFPTT_ALL");
        assertEquals(0xBA70_0000_0000_0042L, in.getCookie().getValue().longValue());
        assertEquals(0xFFFF_0FFF_FFFF_FFFFL, in.getCookieMask().getValue().longValue());
        assertEquals("", OdlTexts.match(in.getMatch()));
        assertNull(in.getPriority());
    }

    @Test
    void aPacketOutCarriesFrameActionsEgressAndIngress() {
        byte[] frame = {1, 2, 3};
        TransmitPacketInput in = OdlFlowTranslator.toTransmitPacket(SW,
                PacketOut.of(4, frame, List.of(FlowAction.setEthDst(MAC), FlowAction.output(5))));
        assertEquals(NodeIds.nodeRef(SW), in.getNode());
        assertEquals(NodeIds.connectorRef(SW, "5"), in.getEgress());
        assertEquals(NodeIds.connectorRef(SW, "4"), in.getIngress());
        assertEquals(List.of("set_eth_dst=00:00:00:00:00:13", "output=5/0"), OdlTexts.actions(in.nonnullAction()));
        assertEquals(List.of(1, 2, 3), List.of((int) in.getPayload()[0], (int) in.getPayload()[1], (int) in.getPayload()[2]));

        TransmitPacketInput flood = OdlFlowTranslator.toTransmitPacket(SW,
                PacketOut.of(PacketOut.FROM_CONTROLLER, frame, List.of(FlowAction.flood())));
        assertNull(flood.getIngress(), "from the controller: openflowplugin puts CONTROLLER as in_port");
        assertEquals(NodeIds.connectorRef(SW, "FLOOD"), flood.getEgress());
        assertThrows(IllegalArgumentException.class,
                () -> OdlFlowTranslator.toTransmitPacket(SW, PacketOut.of(1, frame, List.of())));
    }

    @Test
    void wholeMatchesComeBackEqual() {
        List<FlowMatch> matches = List.of(
                FlowMatch.any(),
                FlowMatch.builder().inPort(3).ethSrc(MAC).ethDst(MacAddress.parse("02:00:0a:00:00:64")).build(),
                FlowMatch.builder().ethType(FlowMatch.ETH_TYPE_ARP).build(),
                FlowMatch.builder().inPort(1).ethSrc(MAC).ethDst(MAC).tcp().ipv4Src(IP)
                        .ipv4Dst(Ipv4Address.parse("10.0.0.100")).tcpSrc(40000).tcpDst(80).build(),
                FlowMatch.builder().ethType(0x800).ipProto(17).ipv4Dst(IP).build(),
                FlowMatch.builder().tcp().ipv4Dst(IP).tcpDst(80).tcpFlags(0x002, 0x002).build(),
                FlowMatch.builder().tcp().tcpFlags(0x002, 0x012).build());
        for (FlowMatch m : matches) {
            MatchReading back = OdlFlowReader.fromMatch(OdlFlowTranslator.toMatch(SW, m));
            assertEquals(m, back.match(), "round trip of " + m);
            assertTrue(back.complete(), "nothing left out of " + m);
        }
    }

    @Test
    void whatBatonHasNoFieldForIsNamedNotThrown() {
        Match reported = new MatchBuilder(OdlFlowTranslator.toMatch(SW, FlowMatch.builder().tcp().tcpDst(80).build()))
                .setVlanMatch(new VlanMatchBuilder().build()).build();
        MatchReading r = OdlFlowReader.fromMatch(reported);
        assertEquals(FlowMatch.builder().tcp().tcpDst(80).build(), r.match());
        assertEquals(List.of("vlan"), r.ignored());

        Match prefix = new MatchBuilder(OdlFlowTranslator.toMatch(SW, FlowMatch.builder().ethType(0x800).build()))
                .setLayer3Match(new Ipv4MatchBuilder().setIpv4Destination(new Ipv4Prefix("10.0.0.0/24")).build()).build();
        assertEquals(List.of("ipv4_dst 10.0.0.0/24 (a prefix)"), OdlFlowReader.fromMatch(prefix).ignored());

        Match udp = new MatchBuilder(OdlFlowTranslator.toMatch(SW, FlowMatch.builder().ethType(0x800).ipProto(17).build()))
                .setLayer4Match(new UdpMatchBuilder().build()).build();
        assertEquals(List.of("layer 4 UdpMatch (not under ip_proto 6)"), OdlFlowReader.fromMatch(udp).ignored());

        Match logicalPort = new MatchBuilder().setInPort(NodeIds.connectorId(SW, "LOCAL")).build();
        assertEquals(List.of("in_port openflow:26:LOCAL"), OdlFlowReader.fromMatch(logicalPort).ignored());
    }

    @Test
    void flowRemovedReasonsAndCookie() {
        Match m = OdlFlowTranslator.toMatch(SW, FlowMatch.builder().tcp().tcpSrc(1).build());
        FlowRemoved idle = OdlFlowReader.fromFlowRemoved(
                OdlTexts.flowRemoved(SW, 0xBA70_2000_0000_0009L, 200, m, RemovedFlowReason.OFPRRIDLETIMEOUT),
                OdlFlowReader.fromMatch(m));
        assertEquals(0xBA70_2000_0000_0009L, idle.cookie());
        assertEquals(200, idle.priority());
        assertEquals(FlowRemoved.Reason.IDLE_TIMEOUT, idle.reason());
        assertEquals(FlowMatch.builder().tcp().tcpSrc(1).build(), idle.match());
        assertEquals(FlowRemoved.Reason.HARD_TIMEOUT, OdlFlowReader.fromReason(RemovedFlowReason.OFPRRHARDTIMEOUT));
        assertEquals(FlowRemoved.Reason.DELETE, OdlFlowReader.fromReason(RemovedFlowReason.OFPRRDELETE));
        assertEquals(FlowRemoved.Reason.OTHER, OdlFlowReader.fromReason(RemovedFlowReason.OFPRRGROUPDELETE));
        assertEquals(FlowRemoved.Reason.OTHER, OdlFlowReader.fromReason(null));
    }

    @Test
    void nodeNames() {
        assertEquals("openflow:18446744073709551615", NodeIds.nodeId(SwitchId.of(-1L)).getValue(), "unsigned");
        assertEquals(SwitchId.of(-1L), NodeIds.switchId("openflow:18446744073709551615").orElseThrow());
        assertTrue(NodeIds.switchId("ovsdb://uuid/1").isEmpty());
        assertEquals(SW, NodeIds.switchId(NodeIds.nodeRef(SW)).orElseThrow());
        assertEquals("openflow:26:3", NodeIds.connectorId(NodeIds.connectorRef(SW, "3")).orElseThrow());
        assertEquals(3, NodeIds.portNumber("openflow:26:3").getAsInt());
        assertTrue(NodeIds.portNumber("openflow:26:CONTROLLER").isEmpty());
    }
}
