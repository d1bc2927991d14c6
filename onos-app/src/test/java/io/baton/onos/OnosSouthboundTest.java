package io.baton.onos;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.controller.packet.Frame;
import io.baton.controller.packet.FrameBuilder;
import io.baton.controller.packet.TcpOptions;
import io.baton.controller.southbound.SouthboundException;
import io.baton.flowrules.api.FlowAction;
import io.baton.flowrules.api.FlowMatch;
import io.baton.flowrules.api.FlowRemoved;
import io.baton.flowrules.api.FlowRule;
import io.baton.flowrules.api.FlowStatsEntry;
import io.baton.flowrules.api.Ipv4Address;
import io.baton.flowrules.api.MacAddress;
import io.baton.flowrules.api.PacketOut;
import io.baton.flowrules.api.SwitchId;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.onosproject.TestApplicationId;
import org.onosproject.net.DeviceId;
import org.onosproject.net.PortNumber;
import org.onosproject.net.flow.DefaultFlowEntry;
import org.onosproject.net.flow.DefaultFlowRule;
import org.onosproject.net.flow.DefaultTrafficSelector;
import org.onosproject.net.flow.DefaultTrafficTreatment;
import org.onosproject.net.flow.FlowEntry;
import org.onosproject.net.flow.FlowRuleEvent;
import org.onosproject.net.flow.instructions.Instructions;
import org.onosproject.net.packet.OutboundPacket;
import org.onosproject.net.packet.PacketContext;
import org.onosproject.net.packet.PacketPriority;

/**
 * Plan: the southbound alone against fakes of ONOS's services. Registration is symmetric;
 * packet-ins reach the engine only when they are Ethernet from an OpenFlow switch and not yet
 * handled; packet-outs carry their rewrites in the bytes; rule batches complete on ONOS's
 * confirmation, refusal or silence; removals, stats and device events are translated.
 */
class OnosSouthboundTest {
    static final long BATON = 0xBA70L << 48;
    static final long BATON_MASK = 0xFFFFL << 48;
    static final SwitchId SW = SwitchId.of(1);
    static final DeviceId DEV = DeviceIds.of(SW);
    static final FlowMatch ARP = FlowMatch.builder().ethType(FlowMatch.ETH_TYPE_ARP).build();
    static final FlowMatch VIP = FlowMatch.builder().tcp().ipv4Dst(Ipv4Address.parse("10.0.0.100")).tcpDst(80).build();

    final FakePacketService packets = new FakePacketService();
    final FakeFlowRuleService flows = new FakeFlowRuleService();
    final FakeDeviceService devices = new FakeDeviceService();
    final RecordingListener engine = new RecordingListener();
    final OnosServices onos = new OnosServices(TestApplicationId.create("io.baton.onos"), packets, flows, devices);
    OnosSouthbound sb;

    @BeforeEach
    void start() {
        sb = new OnosSouthbound(onos, List.of(ARP, VIP), BATON, BATON_MASK, Duration.ofMillis(200));
        sb.addListener(engine);
        sb.start();
    }

    @AfterEach
    void stop() {
        sb.close();
    }

    @Test
    void startRegistersWhatCloseRemoves() {
        assertEquals(1, packets.processors.size());
        assertEquals(OnosSouthbound.PROCESSOR_PRIORITY, packets.processorPriorities.get(0));
        assertEquals(2, packets.requests.size());
        assertEquals(OnosFlowTranslator.toSelector(ARP), packets.requests.get(0).selector);
        assertEquals(OnosFlowTranslator.toSelector(VIP), packets.requests.get(1).selector);
        packets.requests.forEach(r -> assertEquals(PacketPriority.REACTIVE, r.priority));
        packets.requests.forEach(r -> assertEquals(onos.appId(), r.appId));
        assertEquals(1, flows.listeners.size());
        assertEquals(1, devices.listeners.size());

        sb.close();
        assertTrue(packets.processors.isEmpty());
        assertEquals(2, packets.cancelled.size());
        assertEquals(packets.requests.get(1).selector, packets.cancelled.get(1).selector);
        assertTrue(flows.listeners.isEmpty());
        assertTrue(devices.listeners.isEmpty());
    }

    // ---- packets in

    private static byte[] tcpFrame() {
        return FrameBuilder.tcp(MacAddress.parse("00:00:00:00:00:01"), MacAddress.parse("02:00:0a:00:00:64"),
                Ipv4Address.parse("10.0.0.1"), Ipv4Address.parse("10.0.0.100"), 40000, 80, 1, 0, Frame.TCP_SYN, 100,
                TcpOptions.NONE, null);
    }

    @Test
    void aPacketInReachesTheEngineWholeAndIsTakenFromLaterProcessors() {
        byte[] frame = tcpFrame();
        PacketContext ctx = packets.receive(DEV, 3, frame);
        assertEquals(1, engine.frames.size());
        assertArrayEquals(frame, engine.frames.get(0));
        assertEquals(3, engine.inPorts.get(0));
        assertTrue(ctx.isHandled(), "blocked for the processors after Baton's");
        assertEquals(1, sb.counters().packetsIn.sum());
    }

    @Test
    void packetsBatonMustNotTake() {
        packets.deliver(FakePacketService.context(DEV, 3, tcpFrame(), true));
        assertEquals(1, sb.counters().packetsAlreadyHandled.sum());

        byte[] lldp = tcpFrame();
        lldp[12] = (byte) 0x88;
        lldp[13] = (byte) 0xcc;
        assertFalse(packets.receive(DEV, 3, lldp).isHandled());
        assertEquals(1, sb.counters().packetsLinkDiscovery.sum());

        packets.receive(DeviceId.deviceId("device:bmv2:1"), 3, tcpFrame());
        assertEquals(1, sb.counters().notOpenFlowDevice.sum());

        packets.receive(DEV, 3, new byte[5]);
        packets.receive(DEV, 3, null);
        assertEquals(2, sb.counters().packetsNotEthernet.sum(), "too short, and no bytes at all");
        assertTrue(engine.frames.isEmpty());
    }

    @Test
    void anExceptionInTheEngineDoesNotReachOnos() {
        sb.addListener(new io.baton.controller.southbound.SouthboundListener() {
            @Override
            public void packetIn(SwitchId sw, int inPort, byte[] frame) {
                throw new IllegalStateException("engine bug");
            }
        });
        packets.receive(DEV, 3, tcpFrame());
        assertEquals(1, sb.counters().callbackErrors.sum());
    }

    // ---- packets out

    @Test
    void aPacketOutCarriesItsRewritesInTheBytesAndOneOutputPerPacket() {
        devices.add(DEV);
        byte[] frame = tcpFrame();
        MacAddress server = MacAddress.parse("00:00:00:00:00:13");
        sb.sendPacket(SW, PacketOut.of(PacketOut.FROM_CONTROLLER, frame, List.of(FlowAction.output(9),
                FlowAction.setEthDst(server), FlowAction.setIpv4Dst(Ipv4Address.parse("10.0.0.13")), FlowAction.output(5))));
        assertEquals(2, packets.emitted.size());
        OutboundPacket first = packets.emitted.get(0);
        assertEquals(DEV, first.sendThrough());
        assertNull(first.inPort(), "from the controller");
        assertEquals(List.of(Instructions.createOutput(PortNumber.portNumber(9))), first.treatment().allInstructions());
        assertArrayEquals(frame, first.data().array(), "before the rewrites");
        OutboundPacket second = packets.emitted.get(1);
        assertEquals(List.of(Instructions.createOutput(PortNumber.portNumber(5))), second.treatment().allInstructions(),
                "only outputs: ONOS's OpenFlow packet provider drops the other instructions");
        Frame f = Frame.parse(second.data().array());
        assertEquals(server, f.ethDst());
        assertEquals(Ipv4Address.parse("10.0.0.13"), f.ipDst());
        assertTrue(f.tcpChecksumOk());
    }

    @Test
    void aPacketOutKeepsItsInPortAndFloodAndControllerArePorts() {
        devices.add(DEV);
        sb.sendPacket(SW, PacketOut.of(4, tcpFrame(), List.of(FlowAction.flood(), FlowAction.toController())));
        assertEquals(PortNumber.portNumber(4), packets.emitted.get(0).inPort());
        assertEquals(List.of(Instructions.createOutput(PortNumber.FLOOD)), packets.emitted.get(0).treatment().allInstructions());
        assertEquals(List.of(Instructions.createOutput(PortNumber.CONTROLLER)), packets.emitted.get(1).treatment().allInstructions());
    }

    @Test
    void aPacketOutToASwitchOnosDoesNotHaveIsDropped() {
        sb.sendPacket(SW, PacketOut.of(0, tcpFrame(), List.of(FlowAction.output(1))));
        assertTrue(packets.emitted.isEmpty());
        assertEquals(1, sb.counters().packetsOutNoSwitch.sum());
    }

    // ---- rules

    static FlowRule rule(long id, int idle) {
        return FlowRule.builder().priority(200).cookie(BATON | (2L << 44) | id).idleTimeoutSeconds(idle)
                .match(FlowMatch.builder().tcp().ipv4Src(Ipv4Address.of((int) id)).tcpSrc(40000).build())
                .actions(FlowAction.output(5)).notifyOnRemoval(true).build();
    }

    @Test
    void installCompletesWhenOnosConfirmsWithTheTranslatedRules() throws Exception {
        devices.add(DEV);
        CompletableFuture<Void> f = sb.installRules(SW, List.of(rule(1, 60), rule(2, 60)));
        f.get(1, TimeUnit.SECONDS);
        assertEquals(List.of(OnosFlowTranslator.toOnos(DEV, rule(1, 60)), OnosFlowTranslator.toOnos(DEV, rule(2, 60))),
                flows.added());
        assertEquals(1, flows.batches.size(), "one batch, one confirmation");
        assertEquals(1, sb.counters().ruleBatchesOk.sum());
    }

    private static SouthboundException failure(CompletableFuture<?> f) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(2, TimeUnit.SECONDS));
        assertTrue(e.getCause() instanceof SouthboundException, e.getCause().toString());
        return (SouthboundException) e.getCause();
    }

    @Test
    void installFailsWhenOnosRefusesOrSaysNothingOrTheSwitchIsGone() {
        assertTrue(failure(sb.installRules(SW, List.of(rule(1, 60)))).getMessage().contains("not available"));
        devices.add(DEV);
        flows.answer = FakeFlowRuleService.Answer.REFUSE;
        assertTrue(failure(sb.installRules(SW, List.of(rule(1, 60)))).getMessage().contains("refused"));
        flows.answer = FakeFlowRuleService.Answer.SILENT;
        assertTrue(failure(sb.installRules(SW, List.of(rule(1, 60)))).getMessage().contains("did not confirm"));
        assertEquals(3, sb.counters().ruleBatchesFailed.sum());
    }

    @Test
    void removeByCookieTakesOnlyTheMatchingEntries() throws Exception {
        devices.add(DEV);
        sb.installRules(SW, List.of(rule(1, 60), rule(2, 60))).get(1, TimeUnit.SECONDS);
        long connection1 = BATON | 1;
        long connectionMask = BATON_MASK | ((1L << 44) - 1);
        sb.removeRulesByCookie(SW, connection1, connectionMask).get(1, TimeUnit.SECONDS);
        assertEquals(List.of(OnosFlowTranslator.toOnos(DEV, rule(1, 60))), flows.removed());
        assertEquals(1, flows.entries.size());
        assertEquals(rule(2, 60).cookie(), flows.entries.get(0).id().value());
        sb.removeRulesByCookie(SW, BATON | 7, connectionMask).get(1, TimeUnit.SECONDS);
        assertEquals(2, flows.batches.size(), "nothing to remove is no batch");
    }

    @Test
    void statsOfTheMatchingEntriesAndAnUntranslatableOneSkippedAndCounted() throws Exception {
        devices.add(DEV);
        sb.installRules(SW, List.of(rule(1, 60))).get(1, TimeUnit.SECONDS);
        flows.entries.add(new DefaultFlowEntry(DefaultFlowRule.builder().forDevice(DEV).withCookie(BATON | 9)
                .withPriority(5).makePermanent()
                .withSelector(DefaultTrafficSelector.builder().matchVlanId(org.onlab.packet.VlanId.vlanId((short) 4)).build())
                .withTreatment(DefaultTrafficTreatment.emptyTreatment()).build()));
        flows.entries.add(new DefaultFlowEntry(DefaultFlowRule.builder().forDevice(DEV).withCookie(0x0042_0000_0000_0001L)
                .withPriority(5).makePermanent().build()));
        List<FlowStatsEntry> stats = sb.flowStats(SW, BATON, BATON_MASK).get(1, TimeUnit.SECONDS);
        assertEquals(1, stats.size());
        assertEquals(rule(1, 60).cookie(), stats.get(0).cookie());
        assertEquals(rule(1, 60).match(), stats.get(0).match());
        assertEquals(1, sb.counters().untranslatableEntries.sum());
    }

    // ---- removals

    @Test
    void onosExpiringAnIdleRuleIsAnIdleTimeout() {
        devices.add(DEV);
        flows.post(new FlowRuleEvent(FlowRuleEvent.Type.RULE_REMOVED,
                new DefaultFlowEntry(OnosFlowTranslator.toOnos(DEV, rule(1, 60)), FlowEntry.FlowEntryState.REMOVED,
                        61, TimeUnit.SECONDS, 12, 3400)));
        assertEquals(1, engine.removed.size());
        FlowRemoved r = engine.removed.get(0);
        assertEquals(rule(1, 60).cookie(), r.cookie());
        assertEquals(FlowRemoved.Reason.IDLE_TIMEOUT, r.reason());
        assertEquals(rule(1, 60).match(), r.match());
        assertEquals(12, r.packetCount());
        assertEquals(3400, r.byteCount());
    }

    @Test
    void aRemovalBatonAskedForIsADelete() throws Exception {
        devices.add(DEV);
        sb.installRules(SW, List.of(rule(1, 60))).get(1, TimeUnit.SECONDS);
        sb.removeRules(SW, List.of(rule(1, 60))).get(1, TimeUnit.SECONDS);
        flows.post(new FlowRuleEvent(FlowRuleEvent.Type.RULE_REMOVED,
                new DefaultFlowEntry(OnosFlowTranslator.toOnos(DEV, rule(1, 60)))));
        assertEquals(FlowRemoved.Reason.DELETE, engine.removed.get(0).reason());
    }

    @Test
    void otherAppsRulesAndOtherEventsAreNotReported() {
        flows.post(new FlowRuleEvent(FlowRuleEvent.Type.RULE_REMOVED, DefaultFlowRule.builder().forDevice(DEV)
                .withCookie(0x0042_0000_0000_0001L).withPriority(5).makePermanent().build()));
        flows.post(new FlowRuleEvent(FlowRuleEvent.Type.RULE_ADDED, OnosFlowTranslator.toOnos(DEV, rule(1, 60))));
        assertTrue(engine.removed.isEmpty());
    }

    // ---- switches

    @Test
    void devicesComeAndGo() {
        devices.add(DEV);
        assertEquals(Set.of(SW), sb.switches());
        devices.setAvailable(DEV, false);
        assertEquals(Set.of(), sb.switches());
        devices.setAvailable(DEV, true);
        devices.remove(DEV);
        devices.add(DeviceId.deviceId("device:bmv2:1"));
        assertEquals(List.of("up " + SW, "down " + SW, "up " + SW, "down " + SW), engine.switchEvents);
        assertEquals(1, sb.counters().notOpenFlowDevice.sum());
    }
}
