package io.baton.flowrules.openflow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.flowrules.api.FlowAction;
import io.baton.flowrules.api.FlowMatch;
import io.baton.flowrules.api.FlowRemoved;
import io.baton.flowrules.api.FlowRule;
import io.baton.flowrules.api.FlowStatsEntry;
import io.baton.flowrules.api.Ipv4Address;
import io.baton.flowrules.api.MacAddress;
import io.baton.flowrules.api.Meter;
import io.baton.flowrules.api.PacketOut;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import org.junit.jupiter.api.Test;
import org.projectfloodlight.openflow.protocol.OFFactories;
import org.projectfloodlight.openflow.protocol.OFFactory;
import org.projectfloodlight.openflow.protocol.OFFlowAdd;
import org.projectfloodlight.openflow.protocol.OFFlowModFlags;
import org.projectfloodlight.openflow.protocol.OFFlowRemovedReason;
import org.projectfloodlight.openflow.protocol.OFMessage;
import org.projectfloodlight.openflow.protocol.OFMeterFlags;
import org.projectfloodlight.openflow.protocol.OFMeterMod;
import org.projectfloodlight.openflow.protocol.OFMeterModCommand;
import org.projectfloodlight.openflow.protocol.OFVersion;
import org.projectfloodlight.openflow.protocol.action.OFAction;
import org.projectfloodlight.openflow.protocol.match.Match;
import org.projectfloodlight.openflow.protocol.match.MatchField;
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

import java.util.Collections;
import java.util.EnumSet;
import java.util.List;

class OpenFlow13TranslatorTest {
    private static final OFFactory OF = OFFactories.getFactory(OFVersion.OF_13);

    private static final MacAddress SERVER_MAC = MacAddress.parse("02:00:00:00:00:02");
    private static final MacAddress VIP_MAC = MacAddress.parse("02:00:00:00:00:fe");
    private static final Ipv4Address CLIENT = Ipv4Address.parse("10.0.0.1");
    private static final Ipv4Address VIP = Ipv4Address.parse("10.0.0.100");
    private static final Ipv4Address SERVER = Ipv4Address.parse("10.0.0.2");
    private static final long COOKIE = 0xBA70_0000_0000_0007L; // high bit set: unsigned on the wire

    private static FlowMatch clientToVip() {
        return FlowMatch.builder().tcp().ipv4Src(CLIENT).ipv4Dst(VIP).tcpSrc(40000).tcpDst(80).build();
    }

    private static Match ofClientToVip() {
        return OF.buildMatch()
                .setExact(MatchField.ETH_TYPE, EthType.IPv4)
                .setExact(MatchField.IP_PROTO, IpProtocol.TCP)
                .setExact(MatchField.IPV4_SRC, IPv4Address.of("10.0.0.1"))
                .setExact(MatchField.IPV4_DST, IPv4Address.of("10.0.0.100"))
                .setExact(MatchField.TCP_SRC, TransportPort.of(40000))
                .setExact(MatchField.TCP_DST, TransportPort.of(80))
                .build();
    }

    @Test
    void natRuleBecomesTheExpectedFlowAdd() {
        FlowRule rule = FlowRule.builder()
                .match(clientToVip())
                .actions(FlowAction.setEthDst(SERVER_MAC), FlowAction.setIpv4Dst(SERVER), FlowAction.output(3))
                .priority(1000).cookie(COOKIE).idleTimeoutSeconds(30).hardTimeoutSeconds(600)
                .build();

        List<OFAction> actions = List.of(
                OF.actions().setField(OF.oxms().ethDst(org.projectfloodlight.openflow.types.MacAddress.of("02:00:00:00:00:02"))),
                OF.actions().setField(OF.oxms().ipv4Dst(IPv4Address.of("10.0.0.2"))),
                OF.actions().output(OFPort.of(3), 0));
        OFFlowAdd expected = OF.buildFlowAdd()
                .setXid(42)
                .setTableId(TableId.of(0))
                .setMatch(ofClientToVip())
                .setInstructions(List.of(OF.instructions().applyActions(actions)))
                .setPriority(1000)
                .setCookie(U64.of(COOKIE))
                .setIdleTimeout(30)
                .setHardTimeout(600)
                .setBufferId(OFBufferId.NO_BUFFER)
                .setOutPort(OFPort.ANY)
                .setOutGroup(OFGroup.ANY)
                .setFlags(Collections.emptySet())
                .build();

        OFFlowAdd actual = OpenFlow13Translator.toFlowAdd(rule, 42);
        assertEquals(expected, actual);
        assertValidOnTheWire(actual);
    }

    @Test
    void tableMissRuleSendsWholePacketsToTheController() {
        FlowRule rule = FlowRule.builder().priority(0).cookie(1).actions(FlowAction.toController()).build();
        OFFlowAdd actual = OpenFlow13Translator.toFlowAdd(rule, 7);

        OFFlowAdd expected = OF.buildFlowAdd()
                .setXid(7)
                .setTableId(TableId.of(0))
                .setMatch(OF.buildMatch().build())
                .setInstructions(List.of(OF.instructions().applyActions(
                        List.of(OF.actions().output(OFPort.CONTROLLER, 0xffff)))))
                .setPriority(0)
                .setCookie(U64.of(1))
                .setBufferId(OFBufferId.NO_BUFFER)
                .setOutPort(OFPort.ANY)
                .setOutGroup(OFGroup.ANY)
                .setFlags(Collections.emptySet())
                .build();
        assertEquals(expected, actual);
        assertEquals(0, actual.getIdleTimeout());
        assertEquals(0, actual.getHardTimeout());
        assertValidOnTheWire(actual);
    }

    @Test
    void notifyOnRemovalSetsSendFlowRem() {
        FlowRule rule = FlowRule.builder().match(clientToVip()).priority(10).cookie(COOKIE)
                .idleTimeoutSeconds(1).notifyOnRemoval(true).actions(FlowAction.output(1)).build();
        OFFlowAdd actual = OpenFlow13Translator.toFlowAdd(rule, 1);
        assertEquals(EnumSet.of(OFFlowModFlags.SEND_FLOW_REM), actual.getFlags());
        assertEquals(1, actual.getIdleTimeout());
        assertValidOnTheWire(actual);
    }

    @Test
    void everyActionKindTranslates() {
        FlowRule rule = FlowRule.builder()
                .match(FlowMatch.builder().inPort(2).ethSrc(SERVER_MAC).ethDst(VIP_MAC).build())
                .actions(FlowAction.setEthSrc(VIP_MAC), FlowAction.setEthDst(SERVER_MAC),
                        FlowAction.setIpv4Src(VIP), FlowAction.setIpv4Dst(CLIENT),
                        FlowAction.output(0xfffe), FlowAction.flood(), FlowAction.toController())
                .priority(65535).cookie(-1L).build();
        List<OFAction> expectedActions = List.of(
                OF.actions().setField(OF.oxms().ethSrc(org.projectfloodlight.openflow.types.MacAddress.of("02:00:00:00:00:fe"))),
                OF.actions().setField(OF.oxms().ethDst(org.projectfloodlight.openflow.types.MacAddress.of("02:00:00:00:00:02"))),
                OF.actions().setField(OF.oxms().ipv4Src(IPv4Address.of("10.0.0.100"))),
                OF.actions().setField(OF.oxms().ipv4Dst(IPv4Address.of("10.0.0.1"))),
                OF.actions().output(OFPort.of(0xfffe), 0),
                OF.actions().output(OFPort.FLOOD, 0),
                OF.actions().output(OFPort.CONTROLLER, 0xffff));
        Match expectedMatch = OF.buildMatch()
                .setExact(MatchField.IN_PORT, OFPort.of(2))
                .setExact(MatchField.ETH_SRC, org.projectfloodlight.openflow.types.MacAddress.of("02:00:00:00:00:02"))
                .setExact(MatchField.ETH_DST, org.projectfloodlight.openflow.types.MacAddress.of("02:00:00:00:00:fe"))
                .build();

        OFFlowAdd actual = OpenFlow13Translator.toFlowAdd(rule, 3);
        assertEquals(expectedMatch, actual.getMatch());
        assertEquals(List.of(OF.instructions().applyActions(expectedActions)), actual.getInstructions());
        assertEquals(65535, actual.getPriority());
        assertEquals(U64.of(-1L), actual.getCookie());
        assertValidOnTheWire(actual);
    }

    @Test
    void ruleWithoutActionsDropsWithNoInstruction() {
        FlowRule rule = FlowRule.builder().match(clientToVip()).priority(5).build();
        OFFlowAdd actual = OpenFlow13Translator.toFlowAdd(rule, 9);
        assertTrue(actual.getInstructions().isEmpty());
        assertValidOnTheWire(actual);
    }

    @Test
    void strictDeleteNamesMatchPriorityAndCookie() {
        FlowRule rule = FlowRule.builder().match(clientToVip()).priority(1000).cookie(COOKIE)
                .actions(FlowAction.output(3)).idleTimeoutSeconds(30).build();
        OFMessage expected = OF.buildFlowDeleteStrict()
                .setXid(11)
                .setTableId(TableId.of(0))
                .setMatch(ofClientToVip())
                .setPriority(1000)
                .setCookie(U64.of(COOKIE))
                .setCookieMask(U64.NO_MASK)
                .setBufferId(OFBufferId.NO_BUFFER)
                .setOutPort(OFPort.ANY)
                .setOutGroup(OFGroup.ANY)
                .build();
        OFMessage actual = OpenFlow13Translator.toFlowDeleteStrict(rule, 11);
        assertEquals(expected, actual);
        assertEquals(0, OpenFlow13Translator.toFlowDeleteStrict(rule).getXid());
        assertValidOnTheWire(actual);
    }

    @Test
    void deleteByCookieCoversAllTablesAndPorts() {
        OFMessage expected = OF.buildFlowDelete()
                .setXid(12)
                .setTableId(TableId.ALL)
                .setMatch(OF.matchWildcardAll())
                .setCookie(U64.of(COOKIE))
                .setCookieMask(U64.of(0xffff_0000_0000_0000L))
                .setBufferId(OFBufferId.NO_BUFFER)
                .setOutPort(OFPort.ANY)
                .setOutGroup(OFGroup.ANY)
                .build();
        OFMessage actual = OpenFlow13Translator.toFlowDeleteByCookie(COOKIE, 0xffff_0000_0000_0000L, 12);
        assertEquals(expected, actual);
        assertEquals(0, OpenFlow13Translator.toFlowDeleteByCookie(COOKIE, 0xffff_0000_0000_0000L).getXid());
        assertValidOnTheWire(actual);
    }

    @Test
    void flowStatsRequestFiltersByCookie() {
        OFMessage expected = OF.buildFlowStatsRequest()
                .setXid(13)
                .setTableId(TableId.ALL)
                .setMatch(OF.matchWildcardAll())
                .setCookie(U64.of(COOKIE))
                .setCookieMask(U64.of(-1L))
                .setOutPort(OFPort.ANY)
                .setOutGroup(OFGroup.ANY)
                .build();
        OFMessage actual = OpenFlow13Translator.toFlowStatsRequest(COOKIE, -1L, 13);
        assertEquals(expected, actual);
        assertValidOnTheWire(actual);
    }

    @Test
    void packetOutFromTheControllerCarriesTheWholeFrame() {
        byte[] frame = new byte[60];
        frame[0] = 0x02;
        frame[59] = 0x7f;
        PacketOut po = PacketOut.of(PacketOut.FROM_CONTROLLER, frame, List.of(FlowAction.output(4)));
        OFMessage expected = OF.buildPacketOut()
                .setXid(14)
                .setBufferId(OFBufferId.NO_BUFFER)
                .setInPort(OFPort.CONTROLLER)
                .setActions(List.of(OF.actions().output(OFPort.of(4), 0)))
                .setData(frame.clone())
                .build();
        OFMessage actual = OpenFlow13Translator.toPacketOut(po, 14);
        assertEquals(expected, actual);
        assertValidOnTheWire(actual);
    }

    @Test
    void packetOutWithAnInPortFloods() {
        byte[] frame = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 0x08, 0x06};
        PacketOut po = PacketOut.of(2, frame, List.of(FlowAction.flood()));
        OFMessage expected = OF.buildPacketOut()
                .setXid(0)
                .setBufferId(OFBufferId.NO_BUFFER)
                .setInPort(OFPort.of(2))
                .setActions(List.of(OF.actions().output(OFPort.FLOOD, 0)))
                .setData(frame.clone())
                .build();
        OFMessage actual = OpenFlow13Translator.toPacketOut(po);
        assertEquals(expected, actual);
        assertValidOnTheWire(actual);
    }

    @Test
    void matchesRoundTrip() {
        List<FlowMatch> matches = List.of(
                FlowMatch.any(),
                clientToVip(),
                FlowMatch.builder().inPort(7).build(),
                FlowMatch.builder().ethType(FlowMatch.ETH_TYPE_ARP).ethDst(MacAddress.BROADCAST).build(),
                FlowMatch.builder().ethType(FlowMatch.ETH_TYPE_IPV4).ipv4Dst(VIP).build(),
                FlowMatch.builder().tcp().tcpDst(0).build(),
                FlowMatch.builder().tcp().tcpSrc(65535).ipv4Src(Ipv4Address.parse("255.255.255.255")).build(),
                FlowMatch.builder().ethType(FlowMatch.ETH_TYPE_IPV4).ipProto(17).build(),
                FlowMatch.builder().inPort(1).ethSrc(SERVER_MAC).ethDst(VIP_MAC).tcp()
                        .ipv4Src(SERVER).ipv4Dst(CLIENT).tcpSrc(80).tcpDst(40000).build());
        for (FlowMatch m : matches) {
            Match of = OpenFlow13Translator.toMatch(m);
            assertEquals(m, OpenFlow13Translator.fromMatch(of), m.toString());
            assertTrue(OpenFlow13Translator.isRepresentable(of), m.toString());
            // and through the wire format, inside a flow-add
            FlowRule rule = FlowRule.builder().match(m).build();
            OFFlowAdd parsed = (OFFlowAdd) writeAndRead(OpenFlow13Translator.toFlowAdd(rule, 1));
            assertEquals(m, OpenFlow13Translator.fromMatch(parsed.getMatch()), m.toString());
        }
    }

    @Test
    void fieldsFlowMatchCannotHoldAreDroppedNotMisread() {
        Match ipv6Tcp = OF.buildMatch()
                .setExact(MatchField.ETH_TYPE, EthType.IPv6)
                .setExact(MatchField.IP_PROTO, IpProtocol.TCP)
                .setExact(MatchField.TCP_DST, TransportPort.of(80))
                .build();
        assertEquals(FlowMatch.builder().ethType(0x86dd).build(), OpenFlow13Translator.fromMatch(ipv6Tcp));
        assertFalse(OpenFlow13Translator.isRepresentable(ipv6Tcp));

        Match masked = OF.buildMatch()
                .setExact(MatchField.ETH_TYPE, EthType.IPv4)
                .setMasked(MatchField.IPV4_DST, Masked.of(IPv4Address.of("10.0.0.0"), IPv4Address.of("255.255.255.0")))
                .build();
        assertEquals(FlowMatch.builder().ethType(FlowMatch.ETH_TYPE_IPV4).build(), OpenFlow13Translator.fromMatch(masked));
        assertFalse(OpenFlow13Translator.isRepresentable(masked));
    }

    @Test
    void flowRemovedTranslates() {
        // the reasons OpenFlow 1.3 defines (METER_DELETE and EVICTION are 1.4)
        for (OFFlowRemovedReason reason : EnumSet.of(OFFlowRemovedReason.IDLE_TIMEOUT,
                OFFlowRemovedReason.HARD_TIMEOUT, OFFlowRemovedReason.DELETE, OFFlowRemovedReason.GROUP_DELETE)) {
            OFMessage msg = OF.buildFlowRemoved()
                    .setXid(0)
                    .setCookie(U64.of(COOKIE))
                    .setPriority(40000)
                    .setReason(reason)
                    .setTableId(TableId.of(0))
                    .setDurationSec(0xffff_fff0L)
                    .setDurationNsec(5)
                    .setIdleTimeout(1)
                    .setHardTimeout(0)
                    .setPacketCount(U64.of(3))
                    .setByteCount(U64.of(0x1_0000_0000L))
                    .setMatch(ofClientToVip())
                    .build();
            org.projectfloodlight.openflow.protocol.OFFlowRemoved parsed =
                    (org.projectfloodlight.openflow.protocol.OFFlowRemoved) writeAndRead(msg);
            FlowRemoved fr = OpenFlow13Translator.fromFlowRemoved(parsed);
            assertEquals(COOKIE, fr.cookie());
            assertEquals(40000, fr.priority());
            assertEquals(clientToVip(), fr.match());
            assertEquals(3, fr.packetCount());
            assertEquals(0x1_0000_0000L, fr.byteCount());
            assertEquals(0xffff_fff0L, fr.durationSeconds());
            FlowRemoved.Reason expected;
            switch (reason) {
                case IDLE_TIMEOUT: expected = FlowRemoved.Reason.IDLE_TIMEOUT; break;
                case HARD_TIMEOUT: expected = FlowRemoved.Reason.HARD_TIMEOUT; break;
                case DELETE: expected = FlowRemoved.Reason.DELETE; break;
                default: expected = FlowRemoved.Reason.OTHER; break;
            }
            assertEquals(expected, fr.reason(), reason.toString());
        }
    }

    @Test
    void flowStatsEntryTranslates() {
        org.projectfloodlight.openflow.protocol.OFFlowStatsEntry e = OF.buildFlowStatsEntry()
                .setTableId(TableId.of(0))
                .setDurationSec(12)
                .setPriority(1000)
                .setIdleTimeout(30)
                .setHardTimeout(600)
                .setCookie(U64.of(COOKIE))
                .setPacketCount(U64.of(10))
                .setByteCount(U64.of(1500))
                .setMatch(ofClientToVip())
                .setInstructions(List.of(OF.instructions().applyActions(List.of(OF.actions().output(OFPort.of(3), 0)))))
                .build();
        OFMessage reply = writeAndRead(OF.buildFlowStatsReply().setXid(5).setEntries(List.of(e)).build());
        FlowStatsEntry s = OpenFlow13Translator.fromFlowStatsEntry(
                ((org.projectfloodlight.openflow.protocol.OFFlowStatsReply) reply).getEntries().get(0));
        assertEquals(COOKIE, s.cookie());
        assertEquals(1000, s.priority());
        assertEquals(clientToVip(), s.match());
        assertEquals(10, s.packetCount());
        assertEquals(1500, s.byteCount());
        assertEquals(12, s.durationSeconds());
        assertEquals(30, s.idleTimeoutSeconds());
        assertEquals(600, s.hardTimeoutSeconds());
        assertEquals(List.of(FlowAction.output(3)), s.actions());
    }

    @Test
    void actionsComeBackFromTheSwitchAsTheyWent() {
        List<FlowAction> sent = List.of(
                FlowAction.setEthSrc(MacAddress.of(0x0a0000000001L)), FlowAction.setEthDst(MacAddress.of(0x0a0000000002L)),
                FlowAction.setIpv4Src(Ipv4Address.of(0x0a000064)), FlowAction.setIpv4Dst(Ipv4Address.of(0x0a00000b)),
                FlowAction.output(7), FlowAction.flood(), FlowAction.toController());
        FlowRule rule = FlowRule.builder().match(clientToVip()).priority(1).actions(sent).build();
        OFFlowAdd add = (OFFlowAdd) writeAndRead(OpenFlow13Translator.toFlowAdd(rule, 9));
        assertEquals(sent, OpenFlow13Translator.fromInstructions(add.getInstructions()));
    }

    @Test
    void actionsFlowActionCannotSayAreLeftOut() {
        List<org.projectfloodlight.openflow.protocol.instruction.OFInstruction> in = List.of(
                OF.instructions().applyActions(List.of(
                        OF.actions().setField(OF.oxms().vlanVid(org.projectfloodlight.openflow.types.OFVlanVidMatch.ofVlan(5))),
                        OF.actions().output(OFPort.IN_PORT, 0),
                        OF.actions().output(OFPort.of(2), 0))),
                OF.instructions().gotoTable(TableId.of(1)));
        assertEquals(List.of(FlowAction.output(2)), OpenFlow13Translator.fromInstructions(in));
    }

    @Test
    void wireBytesHaveTheOpenFlow13Header() {
        FlowRule rule = FlowRule.builder().match(clientToVip()).priority(1).actions(FlowAction.output(1)).build();
        ByteBuf buf = Unpooled.buffer();
        OpenFlow13Translator.toFlowAdd(rule, 0x01020304L).writeTo(buf);
        assertEquals(4, buf.getByte(0)); // OF 1.3
        assertEquals(14, buf.getByte(1)); // OFPT_FLOW_MOD
        assertEquals(buf.readableBytes(), buf.getUnsignedShort(2));
        assertEquals(0x01020304L, buf.getUnsignedInt(4));
        assertEquals(0, buf.readableBytes() % 8);
        assertEquals(0, buf.getByte(25)); // command ADD
        buf.release();
    }

    // ---------------------------------------------------------------------------------------

    /** Writes with openflowj's writer, reads back with the generic reader: same message, all bytes used. */
    private static void assertValidOnTheWire(OFMessage msg) {
        ByteBuf buf = Unpooled.buffer();
        try {
            msg.writeTo(buf);
            assertEquals(buf.readableBytes(), buf.getUnsignedShort(2), "header length");
            byte[] bytes = new byte[buf.readableBytes()];
            buf.getBytes(0, bytes);
            OFMessage parsed = OFFactories.getGenericReader().readFrom(buf);
            assertNotNull(parsed);
            assertEquals(0, buf.readableBytes(), "reader consumed the whole message");
            assertEquals(msg, parsed);
            ByteBuf again = Unpooled.buffer();
            parsed.writeTo(again);
            byte[] bytes2 = new byte[again.readableBytes()];
            again.getBytes(0, bytes2);
            assertArrayEquals(bytes, bytes2, "re-serialized bytes");
            again.release();
        } catch (Exception e) {
            throw new AssertionError("not valid on the wire: " + msg, e);
        } finally {
            buf.release();
        }
    }

    private static OFMessage writeAndRead(OFMessage msg) {
        ByteBuf buf = Unpooled.buffer();
        try {
            msg.writeTo(buf);
            OFMessage parsed = OFFactories.getGenericReader().readFrom(buf);
            assertEquals(0, buf.readableBytes());
            return parsed;
        } catch (Exception e) {
            throw new AssertionError(e);
        } finally {
            buf.release();
        }
    }

    @Test
    void meterBecomesAPacketRateDropBandAndRulesNameIt() {
        Meter meter = new Meter(1, 20_000, 2_000);
        OFMessage add = OpenFlow13Translator.toMeterAdd(meter, 21);
        OFMessage expected = OF.buildMeterMod().setXid(21).setCommand(OFMeterModCommand.ADD).setMeterId(1)
                .setFlags(EnumSet.of(OFMeterFlags.PKTPS, OFMeterFlags.BURST, OFMeterFlags.STATS))
                .setMeters(List.of(OF.meterBands().drop(20_000, 2_000))).build();
        assertEquals(expected, add);
        assertEquals(OFMeterModCommand.MODIFY, ((OFMeterMod) OpenFlow13Translator.toMeterModify(meter, 22)).getCommand());
        assertEquals(expected, roundTrip(add), "the meter-mod survives encoding");

        FlowRule rule = FlowRule.builder().priority(101).cookie(COOKIE).meterId(1)
                .match(FlowMatch.builder().tcp().ipv4Dst(VIP).tcpDst(80).tcpFlags(0x002, 0x002).build())
                .actions(FlowAction.toController()).build();
        OFFlowAdd flow = OpenFlow13Translator.toFlowAdd(rule, 23);
        assertEquals(List.of(OF.instructions().buildMeter().setMeterId(1).build(),
                        OF.instructions().applyActions(List.of(OF.actions().output(OFPort.CONTROLLER, 0xffff)))),
                flow.getInstructions(), "the meter instruction comes first");
        Masked<U16> flags = flow.getMatch().getMasked(MatchField.OVS_TCP_FLAGS);
        assertEquals(0x002, flags.getValue().getValue());
        assertEquals(0x002, flags.getMask().getValue());
        OFFlowAdd back = (OFFlowAdd) roundTrip(flow);
        assertEquals(flow, back, "the ONF TCP-flags field survives encoding");
        assertEquals(rule.match(), OpenFlow13Translator.fromMatch(back.getMatch()), "and reads back as the same match");
        assertEquals(List.of(FlowAction.toController()), OpenFlow13Translator.fromInstructions(back.getInstructions()));
    }

    @Test
    void badMetersAndFlagMatchesAreRefused() {
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> new Meter(0, 1, 0));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> new Meter(Meter.MAX_ID + 1, 1, 0));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> new Meter(1, 0, 0));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> FlowMatch.builder().tcp().tcpFlags(0x003, 0x002));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> FlowMatch.builder().tcpFlags(0x002, 0x002).build(), "TCP flags need ip_proto 6");
    }

    private static OFMessage roundTrip(OFMessage m) {
        ByteBuf buf = Unpooled.buffer();
        m.writeTo(buf);
        try {
            return OF.getReader().readFrom(buf);
        } catch (org.projectfloodlight.openflow.exceptions.OFParseError e) {
            throw new AssertionError(e);
        } finally {
            buf.release();
        }
    }
}
