package io.baton.onos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.flowrules.api.FlowAction;
import io.baton.flowrules.api.FlowMatch;
import io.baton.flowrules.api.FlowRemoved;
import io.baton.flowrules.api.FlowRule;
import io.baton.flowrules.api.FlowStatsEntry;
import io.baton.flowrules.api.Ipv4Address;
import io.baton.flowrules.api.MacAddress;
import io.baton.flowrules.api.SwitchId;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.onlab.packet.Ip4Address;
import org.onlab.packet.IpPrefix;
import org.onlab.packet.TpPort;
import org.onlab.packet.VlanId;
import org.onosproject.net.DeviceId;
import org.onosproject.net.PortNumber;
import org.onosproject.net.flow.DefaultFlowEntry;
import org.onosproject.net.flow.DefaultTrafficSelector;
import org.onosproject.net.flow.DefaultTrafficTreatment;
import org.onosproject.net.flow.FlowEntry;
import org.onosproject.net.flow.TrafficSelector;
import org.onosproject.net.flow.criteria.Criteria;
import org.onosproject.net.flow.criteria.Criterion;
import org.onosproject.net.flow.instructions.Instruction;
import org.onosproject.net.flow.instructions.Instructions;

/**
 * Plan: every FlowMatch field becomes exactly one ONOS criterion and every FlowAction exactly one
 * instruction (each asserted against what ONOS's own factories build); rule metadata (cookie as
 * FlowId, priority, table, timeouts) survives DefaultFlowRule.Builder's rules; translating back
 * gives the same rule; what Baton never builds is refused with the reason, not thrown.
 */
class OnosFlowTranslatorTest {
    static final DeviceId DEV = DeviceIds.of(SwitchId.of(0x1234));
    static final MacAddress MAC = MacAddress.parse("00:00:00:00:00:13");
    static final Ipv4Address IP = Ipv4Address.parse("10.0.0.13");

    private static Set<Criterion> criteria(FlowMatch m) {
        return OnosFlowTranslator.toSelector(m).criteria();
    }

    private static FlowMatch.Builder ipv4() {
        return FlowMatch.builder().ethType(FlowMatch.ETH_TYPE_IPV4);
    }

    @Test
    void inPort() {
        assertEquals(Set.of(Criteria.matchInPort(PortNumber.portNumber(7))),
                criteria(FlowMatch.builder().inPort(7).build()));
    }

    @Test
    void ethSrcAndDst() {
        org.onlab.packet.MacAddress onos = org.onlab.packet.MacAddress.valueOf("00:00:00:00:00:13");
        assertEquals(Set.of(Criteria.matchEthSrc(onos)), criteria(FlowMatch.builder().ethSrc(MAC).build()));
        assertEquals(Set.of(Criteria.matchEthDst(onos)), criteria(FlowMatch.builder().ethDst(MAC).build()));
    }

    @Test
    void ethType() {
        assertEquals(Set.of(Criteria.matchEthType(0x0806)),
                criteria(FlowMatch.builder().ethType(FlowMatch.ETH_TYPE_ARP).build()));
    }

    @Test
    void ipProto() {
        assertEquals(Set.of(Criteria.matchEthType(0x0800), Criteria.matchIPProtocol((byte) 6)),
                criteria(ipv4().ipProto(6).build()));
    }

    @Test
    void ipv4SrcAndDstAreSlash32() {
        IpPrefix p = IpPrefix.valueOf("10.0.0.13/32");
        assertEquals(Set.of(Criteria.matchEthType(0x0800), Criteria.matchIPSrc(p)), criteria(ipv4().ipv4Src(IP).build()));
        assertEquals(Set.of(Criteria.matchEthType(0x0800), Criteria.matchIPDst(p)), criteria(ipv4().ipv4Dst(IP).build()));
    }

    @Test
    void tcpSrcAndDst() {
        Set<Criterion> base = Set.of(Criteria.matchEthType(0x0800), Criteria.matchIPProtocol((byte) 6));
        Set<Criterion> src = new java.util.HashSet<>(base);
        src.add(Criteria.matchTcpSrc(TpPort.tpPort(40000)));
        assertEquals(src, criteria(FlowMatch.builder().tcp().tcpSrc(40000).build()));
        Set<Criterion> dst = new java.util.HashSet<>(base);
        dst.add(Criteria.matchTcpDst(TpPort.tpPort(80)));
        assertEquals(dst, criteria(FlowMatch.builder().tcp().tcpDst(80).build()));
    }

    @Test
    void aSynMatchIsOnosExactTcpFlagsAndReadsBack() {
        FlowMatch syn = FlowMatch.builder().tcp().ipv4Dst(Ipv4Address.parse("10.0.0.100")).tcpDst(80)
                .tcpFlags(0x002, 0x002).build();
        assertTrue(criteria(syn).contains(Criteria.matchTcpFlags(0x002)), criteria(syn).toString());
        Translation<FlowMatch> back = OnosFlowTranslator.fromSelector(OnosFlowTranslator.toSelector(syn));
        assertTrue(back.isOk(), back.toString());
        assertEquals(syn, back.value());
    }

    @Test
    void aFlagsMatchOnosCannotSayIsRefused() {
        FlowMatch synNotAck = FlowMatch.builder().tcp().tcpFlags(0x002, 0x012).build();
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> OnosFlowTranslator.toSelector(synNotAck));
        assertTrue(e.getMessage().contains("TCP flags"), e.getMessage());
    }

    @Test
    void anyMatchIsTheEmptySelector() {
        assertEquals(DefaultTrafficSelector.emptySelector(), OnosFlowTranslator.toSelector(FlowMatch.any()));
    }

    private static List<Instruction> instructions(FlowAction... actions) {
        return OnosFlowTranslator.toTreatment(List.of(actions)).immediate();
    }

    @Test
    void output() {
        assertEquals(List.of(Instructions.createOutput(PortNumber.portNumber(5))), instructions(FlowAction.output(5)));
    }

    @Test
    void floodAndController() {
        assertEquals(List.of(Instructions.createOutput(PortNumber.FLOOD)), instructions(FlowAction.flood()));
        assertEquals(List.of(Instructions.createOutput(PortNumber.CONTROLLER)), instructions(FlowAction.toController()));
    }

    @Test
    void setEthSrcAndDst() {
        org.onlab.packet.MacAddress onos = org.onlab.packet.MacAddress.valueOf("00:00:00:00:00:13");
        assertEquals(List.of(Instructions.modL2Src(onos)), instructions(FlowAction.setEthSrc(MAC)));
        assertEquals(List.of(Instructions.modL2Dst(onos)), instructions(FlowAction.setEthDst(MAC)));
    }

    @Test
    void setIpv4SrcAndDst() {
        Ip4Address onos = Ip4Address.valueOf("10.0.0.13");
        assertEquals(List.of(Instructions.modL3Src(onos)), instructions(FlowAction.setIpv4Src(IP)));
        assertEquals(List.of(Instructions.modL3Dst(onos)), instructions(FlowAction.setIpv4Dst(IP)));
    }

    @Test
    void actionsKeepTheirOrder() {
        assertEquals(List.of(Instructions.modL2Dst(org.onlab.packet.MacAddress.valueOf("00:00:00:00:00:13")),
                Instructions.modL3Dst(Ip4Address.valueOf("10.0.0.13")), Instructions.createOutput(PortNumber.portNumber(5))),
                instructions(FlowAction.setEthDst(MAC), FlowAction.setIpv4Dst(IP), FlowAction.output(5)));
    }

    @Test
    void noActionsIsDropTheEmptyTreatment() {
        assertEquals(DefaultTrafficTreatment.emptyTreatment(), OnosFlowTranslator.toTreatment(List.of()));
    }

    private static FlowRule.Builder rule() {
        return FlowRule.builder().priority(200).cookie(0xBA70_2000_0000_002AL)
                .match(FlowMatch.builder().tcp().ipv4Dst(IP).tcpDst(80).build()).actions(FlowAction.output(3));
    }

    @Test
    void cookieIsTheFlowIdAndPriorityDeviceAndTableCarryOver() {
        org.onosproject.net.flow.FlowRule r = OnosFlowTranslator.toOnos(DEV, rule().build());
        assertEquals(0xBA70_2000_0000_002AL, r.id().value());
        assertEquals((short) 0xBA70, r.appId(), "ONOS takes the cookie's top 16 bits as the app id");
        assertEquals(200, r.priority());
        assertEquals(DEV, r.deviceId());
        assertEquals(org.onosproject.net.flow.IndexTableId.of(0), r.table());
    }

    @Test
    void noTimeoutIsPermanent() {
        org.onosproject.net.flow.FlowRule r = OnosFlowTranslator.toOnos(DEV, rule().build());
        assertTrue(r.isPermanent());
        assertEquals(0, r.timeout());
        assertEquals(0, r.hardTimeout());
    }

    @Test
    void idleTimeoutIsTemporary() {
        org.onosproject.net.flow.FlowRule r = OnosFlowTranslator.toOnos(DEV, rule().idleTimeoutSeconds(60).build());
        assertFalse(r.isPermanent());
        assertEquals(60, r.timeout());
        assertEquals(0, r.hardTimeout());
    }

    @Test
    void hardTimeoutDoesNotBecomeTheIdleTimeout() {
        org.onosproject.net.flow.FlowRule both = OnosFlowTranslator.toOnos(DEV,
                rule().idleTimeoutSeconds(60).hardTimeoutSeconds(600).build());
        assertEquals(60, both.timeout());
        assertEquals(600, both.hardTimeout());
        org.onosproject.net.flow.FlowRule hardOnly = OnosFlowTranslator.toOnos(DEV, rule().hardTimeoutSeconds(600).build());
        assertEquals(0, hardOnly.timeout(), "withHardTimeout sets the idle timeout too; makeTemporary(0) undoes it");
        assertEquals(600, hardOnly.hardTimeout());
        assertFalse(hardOnly.isPermanent());
    }

    @Test
    void roundTripOfEveryFieldAndAction() {
        List<FlowRule> rules = List.of(
                rule().build(),
                rule().idleTimeoutSeconds(60).hardTimeoutSeconds(600).build(),
                FlowRule.builder().priority(0).cookie(0xBA70_0000_0000_0000L).match(FlowMatch.any())
                        .actions(FlowAction.toController()).build(),
                FlowRule.builder().priority(10).cookie(0xBA70_1000_0000_0000L).idleTimeoutSeconds(300)
                        .match(FlowMatch.builder().inPort(2).ethSrc(MAC).ethDst(MacAddress.BROADCAST).build())
                        .actions(FlowAction.flood()).build(),
                FlowRule.builder().priority(200).cookie(0xBA70_3000_0000_0001L).idleTimeoutSeconds(60)
                        .match(FlowMatch.builder().tcp().ipv4Src(IP).ipv4Dst(Ipv4Address.parse("10.0.0.1"))
                                .tcpSrc(80).tcpDst(40000).build())
                        .actions(FlowAction.setEthSrc(MacAddress.parse("02:00:0a:00:00:64")),
                                FlowAction.setIpv4Src(Ipv4Address.parse("10.0.0.100")), FlowAction.output(1)).build(),
                FlowRule.builder().priority(200).cookie(0xBA70_2000_0000_0001L).idleTimeoutSeconds(60)
                        .match(ipv4().ipProto(6).build())
                        .actions(FlowAction.setEthDst(MAC), FlowAction.setIpv4Dst(IP), FlowAction.output(5)).build(),
                FlowRule.builder().priority(5).cookie(0xBA70_0000_0000_0000L)
                        .match(FlowMatch.builder().ethType(FlowMatch.ETH_TYPE_ARP).build()).build());
        for (FlowRule r : rules) {
            FlowRule expected = FlowRule.builder().match(r.match()).actions(r.actions()).priority(r.priority())
                    .cookie(r.cookie()).idleTimeoutSeconds(r.idleTimeoutSeconds())
                    .hardTimeoutSeconds(r.hardTimeoutSeconds()).notifyOnRemoval(true).build();
            Translation<FlowRule> back = OnosFlowTranslator.fromOnos(OnosFlowTranslator.toOnos(DEV, r));
            assertTrue(back.isOk(), back.toString());
            assertEquals(expected, back.value(), "round trip of " + r);
        }
    }

    @Test
    void aCriterionBatonNeverBuildsIsRefusedWithItsName() {
        TrafficSelector vlan = DefaultTrafficSelector.builder().matchVlanId(VlanId.vlanId((short) 10)).build();
        Translation<FlowMatch> t = OnosFlowTranslator.fromSelector(vlan);
        assertFalse(t.isOk());
        assertTrue(t.refusal().contains("VLAN_VID"), t.refusal());
    }

    @Test
    void aPrefixIsNotAnAddress() {
        TrafficSelector s = DefaultTrafficSelector.builder().matchEthType((short) 0x0800)
                .matchIPDst(IpPrefix.valueOf("10.0.0.0/24")).build();
        Translation<FlowMatch> t = OnosFlowTranslator.fromSelector(s);
        assertFalse(t.isOk());
        assertTrue(t.refusal().contains("10.0.0.0/24"), t.refusal());
    }

    @Test
    void anInstructionBatonNeverBuildsIsRefused() {
        Translation<List<FlowAction>> t = OnosFlowTranslator.fromTreatment(
                DefaultTrafficTreatment.builder().setVlanId(VlanId.vlanId((short) 3)).setOutput(PortNumber.portNumber(1)).build());
        assertFalse(t.isOk());
        assertTrue(t.refusal().contains("VLAN"), t.refusal());
    }

    @Test
    void aFlowEntryGivesItsStats() {
        FlowRule r = rule().idleTimeoutSeconds(60).build();
        FlowEntry e = new DefaultFlowEntry(OnosFlowTranslator.toOnos(DEV, r), FlowEntry.FlowEntryState.ADDED,
                42, TimeUnit.SECONDS, 10, 1500);
        FlowStatsEntry s = OnosFlowTranslator.toStats(e).value();
        assertEquals(r.cookie(), s.cookie());
        assertEquals(200, s.priority());
        assertEquals(r.match(), s.match());
        assertEquals(10, s.packetCount());
        assertEquals(1500, s.byteCount());
        assertEquals(42, s.durationSeconds());
        assertEquals(60, s.idleTimeoutSeconds());
        assertEquals(0, s.hardTimeoutSeconds());
    }

    @Test
    void removalReasons() {
        assertEquals(FlowRemoved.Reason.IDLE_TIMEOUT,
                OnosFlowTranslator.reasonOf(org.onosproject.net.flow.FlowRule.FlowRemoveReason.IDLE_TIMEOUT));
        assertEquals(FlowRemoved.Reason.HARD_TIMEOUT,
                OnosFlowTranslator.reasonOf(org.onosproject.net.flow.FlowRule.FlowRemoveReason.HARD_TIMEOUT));
        assertEquals(FlowRemoved.Reason.DELETE,
                OnosFlowTranslator.reasonOf(org.onosproject.net.flow.FlowRule.FlowRemoveReason.DELETE));
        assertEquals(FlowRemoved.Reason.OTHER,
                OnosFlowTranslator.reasonOf(org.onosproject.net.flow.FlowRule.FlowRemoveReason.NO_REASON));
        assertEquals(FlowRemoved.Reason.OTHER, OnosFlowTranslator.reasonOf(null));
    }
}
