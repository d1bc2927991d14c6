package io.baton.onos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.controller.config.BatonConfig;
import io.baton.controller.config.ConfigLoader;
import io.baton.controller.engine.BatonEngine;
import io.baton.controller.flows.Cookies;
import io.baton.controller.connection.Connection;
import io.baton.controller.connection.ConnectionState;
import io.baton.controller.handoff.AgentSession;
import io.baton.controller.packet.Frame;
import io.baton.controller.packet.FrameBuilder;
import io.baton.controller.packet.TcpOptions;
import io.baton.flowrules.api.FlowRemoved;
import io.baton.flowrules.api.Ipv4Address;
import io.baton.flowrules.api.MacAddress;
import io.baton.flowrules.api.SwitchId;
import io.baton.handoff.protocol.ConnectionClosed;
import io.baton.handoff.protocol.HandoffAbort;
import io.baton.handoff.protocol.HandoffCommit;
import io.baton.handoff.protocol.HandoffMessage;
import io.baton.handoff.protocol.HandoffReady;
import io.baton.handoff.protocol.HandoffRequest;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.onlab.packet.Ip4Address;
import org.onlab.packet.IpPrefix;
import org.onlab.packet.TpPort;
import org.onosproject.TestApplicationId;
import org.onosproject.net.DeviceId;
import org.onosproject.net.PortNumber;
import org.onosproject.net.flow.DefaultFlowEntry;
import org.onosproject.net.flow.DefaultTrafficSelector;
import org.onosproject.net.flow.FlowEntry;
import org.onosproject.net.flow.FlowRule;
import org.onosproject.net.flow.FlowRuleEvent;
import org.onosproject.net.flow.criteria.Criteria;
import org.onosproject.net.flow.instructions.Instructions;
import org.onosproject.net.packet.OutboundPacket;

/**
 * Plan: the real BatonEngine on OnosSouthbound, with ONOS's services faked and a fake agent on
 * an embedded channel (as controller-app's EngineScenarioTest), asserting what ONOS is asked to
 * do, in ONOS's own terms: a switch appears and gets the base rules; a client's SYN is answered
 * by an outbound packet; its request is handed off; on Ready the connection's rules go to ONOS
 * and on commit the held segment goes out rewritten; the agent's close report has both rules
 * removed through ONOS after the linger, and ONOS reports those removals as deletions; ONOS expiring
 * the forward rule itself (late: it polls flow stats) leaves the connection as it is and its next
 * segment puts both rules back; a removal reported after the connection is gone changes nothing;
 * and a batch ONOS refuses fails the handoff with a reset to the client.
 */
class OnosEngineScenarioTest {
    static final String CONFIG = "{\"openflow\": {\"port\": 6653},"
            + " \"handoff\": {\"port\": 7070, \"secretFile\": \"/etc/baton/secret\"},"
            + " \"rest\": {\"port\": 8181, \"tokenFile\": \"/etc/baton/token\"},"
            + " \"services\": [{\"name\": \"web\", \"vip\": \"10.0.0.100\", \"port\": 80, \"mode\": \"nat\","
            + "   \"pools\": [{\"name\": \"static\", \"policy\": \"round-robin\", \"servers\": [\"10.0.0.11\", \"10.0.0.12\"]},"
            + "             {\"name\": \"api\", \"policy\": \"round-robin\", \"servers\": [\"10.0.0.13\"]}],"
            + "   \"rules\": [{\"pathPrefix\": \"/api/\", \"pool\": \"api\"}],"
            + "   \"defaultPool\": \"static\"}]}";
    static final SwitchId SW = SwitchId.of(1);
    static final DeviceId DEV = DeviceId.deviceId("of:0000000000000001");
    static final MacAddress CLIENT_MAC = MacAddress.parse("00:00:00:00:00:01");
    static final Ipv4Address CLIENT = Ipv4Address.parse("10.0.0.1");
    static final Ipv4Address VIP = Ipv4Address.parse("10.0.0.100");
    static final MacAddress VMAC = MacAddress.parse("02:00:0a:00:00:64");
    static final MacAddress API_MAC = MacAddress.parse("00:00:00:00:00:13");
    static final Ipv4Address API = Ipv4Address.parse("10.0.0.13");
    static final int API_PORT = 5;
    static final int CLIENT_PORT = 40000;
    static final int CLIENT_SWITCH_PORT = 1;
    static final int IDLE_SECONDS = 60; // the config's flows.idleTimeoutSeconds default

    final FakePacketService packets = new FakePacketService();
    final FakeFlowRuleService flows = new FakeFlowRuleService();
    final FakeDeviceService devices = new FakeDeviceService();
    /** Beside the engine: what the southbound reports, to check the reasons it gives ONOS's removals. */
    final RecordingListener reports = new RecordingListener();
    OnosSouthbound sb;
    BatonEngine engine;
    AgentSession apiAgent;
    final BlockingQueue<HandoffMessage> toAgent = new LinkedBlockingQueue<>();

    @BeforeEach
    void start() throws Exception {
        BatonConfig config = ConfigLoader.parse(CONFIG, Path.of("/cfg"));
        sb = new OnosSouthbound(new OnosServices(TestApplicationId.create("io.baton.onos"), packets, flows, devices),
                OnosRuntime.intercepts(config.services()), Cookies.APP, Cookies.APP_MASK, Duration.ofSeconds(2));
        engine = new BatonEngine(config, sb);
        sb.addListener(reports);
        sb.start();
        engine.start();
    }

    @AfterEach
    void stop() {
        engine.close();
        sb.close();
    }

    private static void await(BooleanSupplier cond, String what) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out waiting for: " + what);
            }
            Thread.sleep(5);
        }
    }

    private boolean noConnections() {
        try {
            return engine.connections().get(1, TimeUnit.SECONDS).isEmpty();
        } catch (Exception e) {
            return false;
        }
    }

    private <T extends HandoffMessage> T agentGets(Class<T> type) throws InterruptedException {
        HandoffMessage m = toAgent.poll(5, TimeUnit.SECONDS);
        if (m == null) {
            throw new AssertionError("no message for the agent; expected " + type.getSimpleName());
        }
        assertEquals(type, m.getClass());
        return type.cast(m);
    }

    /** The switch appears in ONOS; the api server's agent registers and its ARP reply locates it. */
    private void switchAndAgent() throws InterruptedException {
        devices.add(DEV);
        await(() -> flows.added().size() >= 3, "base rules");
        EmbeddedChannel ch = new EmbeddedChannel(new ChannelOutboundHandlerAdapter() {
            @Override
            public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
                toAgent.add((HandoffMessage) msg);
                promise.trySuccess();
            }
        });
        apiAgent = new AgentSession(ch, API, API_MAC, "test", Set.of(VIP), System.nanoTime());
        engine.agentAuthenticated(apiAgent);
        apiAgent.heartbeat(System.nanoTime());
        apiAgent.heartbeat(System.nanoTime());
        packets.receive(DEV, API_PORT, FrameBuilder.arpReply(API_MAC, API, MacAddress.parse("02:ba:70:00:00:00"),
                Ipv4Address.of(0)));
    }

    private byte[] fromClient(int flags, int seq, int ack, String data) {
        return FrameBuilder.tcp(CLIENT_MAC, VMAC, CLIENT, VIP, CLIENT_PORT, 80, seq, ack, flags, 502, TcpOptions.NONE,
                data == null ? null : data.getBytes(StandardCharsets.US_ASCII));
    }

    /** The last outbound TCP packet for the client, parsed, with the port it goes out of. */
    private OutboundPacket lastToClient() {
        synchronized (packets.emitted) {
            for (int i = packets.emitted.size() - 1; i >= 0; i--) {
                OutboundPacket p = packets.emitted.get(i);
                Frame f = Frame.parse(p.data().array());
                if (f.kind() == Frame.Kind.TCP && f.ethDst().equals(CLIENT_MAC)) {
                    return p;
                }
            }
        }
        return null;
    }

    private static Frame frame(OutboundPacket p) {
        return Frame.parse(p.data().array());
    }

    /** Handshake and request up to the agent's HandoffRequest; returns it. */
    private HandoffRequest handshakeAndRequest(int isn) throws InterruptedException {
        packets.receive(DEV, CLIENT_SWITCH_PORT, fromClient(Frame.TCP_SYN, isn, 0, null));
        await(() -> lastToClient() != null, "SYN-ACK");
        OutboundPacket synAck = lastToClient();
        Frame f = frame(synAck);
        assertEquals(Frame.TCP_SYN | Frame.TCP_ACK, f.flags());
        assertEquals(isn + 1, f.ack());
        assertEquals(VIP, f.ipSrc());
        assertEquals(VMAC, f.ethSrc());
        assertEquals(CLIENT_PORT, f.dstPort());
        assertTrue(f.tcpChecksumOk());
        assertEquals(List.of(Instructions.createOutput(PortNumber.portNumber(CLIENT_SWITCH_PORT))),
                synAck.treatment().allInstructions());
        int serverIsn = f.seq();
        packets.receive(DEV, CLIENT_SWITCH_PORT, fromClient(Frame.TCP_ACK | Frame.TCP_PSH, isn + 1, serverIsn + 1,
                "GET /api/users HTTP/1.1\r\nHost: example.com\r\n\r\n"));
        HandoffRequest req = agentGets(HandoffRequest.class);
        assertEquals(serverIsn + 1, req.sendSeq());
        assertEquals(isn + 1, req.recvSeq());
        return req;
    }

    /** Handshake, request, Ready and commit, up to the forward rule's confirmation by ONOS; returns the request. */
    private HandoffRequest handedOff(int isn) throws InterruptedException {
        HandoffRequest req = handshakeAndRequest(isn);
        engine.agentMessage(apiAgent, new HandoffReady(req.handoffId()));
        agentGets(HandoffCommit.class);
        await(() -> state(req.handoffId()) == ConnectionState.HANDED_OFF, "the forward rule confirmed");
        return req;
    }

    /** The connection's state in the engine's table, or null once it is forgotten. */
    private ConnectionState state(long id) {
        try {
            return engine.connections().get(1, TimeUnit.SECONDS).stream().filter(c -> c.id() == id)
                    .map(Connection::state).findFirst().orElse(null);
        } catch (Exception e) {
            return null;
        }
    }

    /** ONOS batches with at least one removal. */
    private long removalBatches() {
        synchronized (flows.batches) {
            return flows.batches.stream().filter(b -> b.stages().stream().flatMap(Set::stream)
                    .anyMatch(op -> op.type() == org.onosproject.net.flow.FlowRuleOperation.Type.REMOVE)).count();
        }
    }

    /** The one rule of this kind ONOS was asked to add for the connection. */
    private FlowRule addedRule(Cookies.Kind kind, long id) {
        List<FlowRule> rules = new java.util.ArrayList<>();
        flows.added().stream().filter(r -> r.id().value() == Cookies.of(kind, id)).forEach(rules::add);
        assertEquals(1, rules.size(), kind + " rules added: " + rules);
        return rules.get(0);
    }

    @Test
    void aSwitchThatAppearsGetsTheBaseRulesAsOnosRules() throws Exception {
        assertTrue(flows.batches.isEmpty(), "no switch, no rules");
        devices.add(DEV);
        await(() -> flows.added().size() >= 3, "base rules");
        FlowRule miss = flows.added().get(0);
        assertEquals(DEV, miss.deviceId());
        assertEquals(0, miss.priority());
        assertEquals(Cookies.of(Cookies.Kind.BASE, 0), miss.id().value());
        assertEquals(DefaultTrafficSelector.emptySelector(), miss.selector());
        assertEquals(List.of(Instructions.createOutput(PortNumber.CONTROLLER)), miss.treatment().allInstructions());
        assertTrue(miss.isPermanent());

        FlowRule syn = flows.added().get(1);
        assertEquals(300, syn.priority(), "SYNs above the connection rules");
        assertTrue(syn.selector().criteria().contains(Criteria.matchTcpFlags(0x002)), syn.selector().toString());
        assertEquals(List.of(Instructions.createOutput(PortNumber.CONTROLLER)), syn.treatment().allInstructions());

        FlowRule vip = flows.added().get(2);
        assertEquals(100, vip.priority());
        assertEquals(Cookies.of(Cookies.Kind.BASE, 0), vip.id().value());
        assertEquals(Set.of(Criteria.matchEthType(0x0800), Criteria.matchIPProtocol((byte) 6),
                Criteria.matchIPDst(IpPrefix.valueOf("10.0.0.100/32")), Criteria.matchTcpDst(TpPort.tpPort(80))),
                vip.selector().criteria());
        assertEquals(List.of(Instructions.createOutput(PortNumber.CONTROLLER)), vip.treatment().allInstructions());
        assertTrue(vip.isPermanent());
    }

    @Test
    void handoffInstallsTheConnectionRulesInOnosAndReleasesTheHeldSegmentRewritten() throws Exception {
        switchAndAgent();
        int isn = 1000;
        HandoffRequest req = handshakeAndRequest(isn);
        String request = "GET /api/users HTTP/1.1\r\nHost: example.com\r\n\r\n";
        int serverIsn = req.sendSeq() - 1;
        // A client segment during the handoff is held until the commit.
        packets.receive(DEV, CLIENT_SWITCH_PORT, fromClient(Frame.TCP_ACK, isn + 1 + request.length(), serverIsn + 1, null));
        // The reverse rule went in with the handoff request, while the agent prepares.
        await(() -> flows.added().get(flows.added().size() - 1).id().value()
                == Cookies.of(Cookies.Kind.SERVER_TO_CLIENT, req.handoffId()), "the reverse rule with the handoff");
        FlowRule rev = flows.added().get(flows.added().size() - 1);
        int rulesBefore = flows.added().size();

        engine.agentMessage(apiAgent, new HandoffReady(req.handoffId()));
        agentGets(HandoffCommit.class);
        await(() -> flows.added().size() == rulesBefore + 1, "the forward rule after the commit");
        FlowRule fwd = flows.added().get(rulesBefore);
        assertEquals(Cookies.of(Cookies.Kind.CLIENT_TO_SERVER, req.handoffId()), fwd.id().value());
        assertEquals(200, fwd.priority());
        assertEquals(IDLE_SECONDS, fwd.timeout());
        assertFalse(fwd.isPermanent());
        assertEquals(Set.of(Criteria.matchEthType(0x0800), Criteria.matchIPProtocol((byte) 6),
                Criteria.matchIPSrc(IpPrefix.valueOf("10.0.0.1/32")), Criteria.matchTcpSrc(TpPort.tpPort(CLIENT_PORT)),
                Criteria.matchIPDst(IpPrefix.valueOf("10.0.0.100/32")), Criteria.matchTcpDst(TpPort.tpPort(80))),
                fwd.selector().criteria());
        assertEquals(List.of(Instructions.modL2Dst(org.onlab.packet.MacAddress.valueOf("00:00:00:00:00:13")),
                Instructions.modL3Dst(Ip4Address.valueOf("10.0.0.13")),
                Instructions.createOutput(PortNumber.portNumber(API_PORT))), fwd.treatment().allInstructions());

        assertEquals(Cookies.of(Cookies.Kind.SERVER_TO_CLIENT, req.handoffId()), rev.id().value());
        assertEquals(IDLE_SECONDS, rev.timeout());
        assertEquals(Set.of(Criteria.matchEthType(0x0800), Criteria.matchIPProtocol((byte) 6),
                Criteria.matchIPSrc(IpPrefix.valueOf("10.0.0.13/32")), Criteria.matchTcpSrc(TpPort.tpPort(80)),
                Criteria.matchIPDst(IpPrefix.valueOf("10.0.0.1/32")), Criteria.matchTcpDst(TpPort.tpPort(CLIENT_PORT))),
                rev.selector().criteria());
        assertEquals(List.of(Instructions.modL2Src(org.onlab.packet.MacAddress.valueOf("02:00:0a:00:00:64")),
                Instructions.modL3Src(Ip4Address.valueOf("10.0.0.100")),
                Instructions.createOutput(PortNumber.portNumber(CLIENT_SWITCH_PORT))), rev.treatment().allInstructions());

        // The held segment goes out toward the server, rewritten in its bytes (ONOS would drop set-field instructions).
        await(() -> packets.emitted.stream().anyMatch(p -> frame(p).ethDst().equals(API_MAC)), "held segment released");
        OutboundPacket held = packets.emitted.stream().filter(p -> frame(p).ethDst().equals(API_MAC)).findFirst().get();
        Frame h = frame(held);
        assertEquals(API, h.ipDst());
        assertEquals(isn + 1 + request.length(), h.seq());
        assertTrue(h.tcpChecksumOk());
        assertEquals(List.of(Instructions.createOutput(PortNumber.portNumber(API_PORT))), held.treatment().allInstructions());

        // The server's agent dies: the connection ends with it, and both its rules are removed at
        // once through ONOS rather than at ONOS's idle expiry (which may come a stats poll late).
        engine.agentGone(apiAgent);
        await(this::noConnections, "connection forgotten with its server");
        await(() -> flows.removed().containsAll(List.of(fwd, rev)), "both rules removed through ONOS");
        // ONOS's late report of the removal changes nothing.
        flows.post(new FlowRuleEvent(FlowRuleEvent.Type.RULE_REMOVED,
                new DefaultFlowEntry(fwd, FlowEntry.FlowEntryState.REMOVED, 61, TimeUnit.SECONDS, 3, 300)));
        Thread.sleep(100);
        assertTrue(noConnections());
    }

    @Test
    void theAgentsCloseHasBothRulesRemovedThroughOnosAndOnosReportsThemAsDeletions() throws Exception {
        switchAndAgent();
        HandoffRequest req = handedOff(3000);
        FlowRule fwd = addedRule(Cookies.Kind.CLIENT_TO_SERVER, req.handoffId());
        FlowRule rev = addedRule(Cookies.Kind.SERVER_TO_CLIENT, req.handoffId());
        int addedBefore = flows.added().size();

        engine.agentMessage(apiAgent, new ConnectionClosed(req.handoffId(), 100, 200, 0));
        await(this::noConnections, "connection forgotten at its close");
        // After the linger (the client's last ACK goes through the rules), one batch removes both,
        // found by the connection's cookie among ONOS's flow entries.
        await(() -> flows.removed().size() == 2, "both rules removed through ONOS after the linger");
        assertEquals(Set.of(fwd, rev), Set.copyOf(flows.removed()));
        assertEquals(1, removalBatches(), "one batch for the close");
        assertTrue(flows.entries.stream().noneMatch(e -> (e.id().value() & Cookies.CONNECTION_MASK)
                == ((Cookies.APP | req.handoffId()) & Cookies.CONNECTION_MASK)), "ONOS's store has neither rule");

        // ONOS then reports each removal; they are the ones Baton asked for, not expiries.
        for (FlowRule r : List.of(fwd, rev)) {
            flows.post(new FlowRuleEvent(FlowRuleEvent.Type.RULE_REMOVED,
                    new DefaultFlowEntry(r, FlowEntry.FlowEntryState.REMOVED, 3, TimeUnit.SECONDS, 4, 500)));
        }
        assertEquals(List.of(FlowRemoved.Reason.DELETE, FlowRemoved.Reason.DELETE),
                reports.removed.stream().map(FlowRemoved::reason).collect(java.util.stream.Collectors.toList()));
        Thread.sleep(100);
        assertEquals(addedBefore, flows.added().size(), "nothing installed again");
        assertEquals(1, removalBatches());
        assertTrue(noConnections());
    }

    @Test
    void onosExpiringTheForwardRuleLateLeavesTheConnectionAndItsNextSegmentPutsBothRulesBack() throws Exception {
        switchAndAgent();
        int isn = 4000;
        HandoffRequest req = handedOff(isn);
        FlowRule fwd = addedRule(Cookies.Kind.CLIENT_TO_SERVER, req.handoffId());
        FlowRule rev = addedRule(Cookies.Kind.SERVER_TO_CLIENT, req.handoffId());
        int addedBefore = flows.added().size();

        // ONOS expires idle rules itself from its flow stats, up to a poll period after the idle
        // timeout, and deletes them; the connection is still open on its server.
        flows.entries.removeIf(e -> e.equals(fwd));
        flows.post(new FlowRuleEvent(FlowRuleEvent.Type.RULE_REMOVED,
                new DefaultFlowEntry(fwd, FlowEntry.FlowEntryState.REMOVED, IDLE_SECONDS + 5, TimeUnit.SECONDS, 9, 900)));
        assertEquals(List.of(FlowRemoved.Reason.IDLE_TIMEOUT),
                reports.removed.stream().map(FlowRemoved::reason).collect(java.util.stream.Collectors.toList()));
        engine.ask(() -> null).get(5, TimeUnit.SECONDS); // the engine has taken the report in
        assertEquals(ConnectionState.HANDED_OFF, state(req.handoffId()), "the connection does not end with its rules");
        assertEquals(addedBefore, flows.added().size(), "nothing put back before the client sends again");

        // The client's next segment comes up: it goes on to the server rewritten, and both rules go back in.
        int emittedBefore = packets.emitted.size();
        String request = "GET /api/users HTTP/1.1\r\nHost: example.com\r\n\r\n";
        packets.receive(DEV, CLIENT_SWITCH_PORT, fromClient(Frame.TCP_ACK, isn + 1 + request.length(), req.sendSeq(), null));
        await(() -> flows.added().size() == addedBefore + 2, "both rules added again");
        List<FlowRule> again = flows.added().subList(addedBefore, addedBefore + 2);
        assertEquals(Set.of(fwd, rev), Set.copyOf(again));
        for (FlowRule r : again) {
            FlowRule first = r.id().equals(fwd.id()) ? fwd : rev;
            assertEquals(first.treatment(), r.treatment(), "the same rewrites");
            assertEquals(IDLE_SECONDS, r.timeout());
        }
        assertEquals(1, engine.counters().rulesReinstated.sum());
        await(() -> packets.emitted.stream().skip(emittedBefore).anyMatch(p -> frame(p).ethDst().equals(API_MAC)),
                "the segment sent on");
        OutboundPacket on = packets.emitted.stream().skip(emittedBefore).filter(p -> frame(p).ethDst().equals(API_MAC))
                .findFirst().get();
        assertEquals(API_MAC, frame(on).ethDst());
        assertEquals(API, frame(on).ipDst());
        assertTrue(frame(on).tcpChecksumOk());
        assertEquals(List.of(Instructions.createOutput(PortNumber.portNumber(API_PORT))), on.treatment().allInstructions());
        assertEquals(ConnectionState.HANDED_OFF, state(req.handoffId()));
    }

    @Test
    void rulesOnosRefusesFailTheHandoffWithAResetToTheClient() throws Exception {
        switchAndAgent();
        // Before the request: the reverse rule goes to ONOS with the handoff request, and a refusal
        // set after it could come too late.
        flows.answer = FakeFlowRuleService.Answer.REFUSE;
        HandoffRequest req = handshakeAndRequest(5);
        engine.agentMessage(apiAgent, new HandoffReady(req.handoffId()));
        agentGets(HandoffAbort.class);
        await(() -> frame(lastToClient()).has(Frame.TCP_RST), "RST to the client");
        await(() -> engine.counters().handoffsFailed.sum() == 1, "handoff counted as failed");
        await(this::noConnections, "connection freed");
        assertEquals(0, engine.counters().handoffsOk.sum());
        assertEquals(1, sb.counters().ruleBatchesFailed.sum());
    }
}
