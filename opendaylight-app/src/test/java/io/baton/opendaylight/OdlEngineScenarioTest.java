package io.baton.opendaylight;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.controller.config.BatonConfig;
import io.baton.controller.config.ConfigLoader;
import io.baton.controller.engine.BatonEngine;
import io.baton.controller.flows.Cookies;
import io.baton.controller.handoff.AgentSession;
import io.baton.controller.packet.Frame;
import io.baton.controller.packet.FrameBuilder;
import io.baton.controller.packet.TcpOptions;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.opendaylight.yang.gen.v1.urn.opendaylight.flow.service.rev130819.AddFlowInput;
import org.opendaylight.yang.gen.v1.urn.opendaylight.flow.service.rev130819.RemoveFlowInput;
import org.opendaylight.yang.gen.v1.urn.opendaylight.flow.types.rev131026.RemovedFlowReason;
import org.opendaylight.yang.gen.v1.urn.opendaylight.packet.service.rev130709.TransmitPacketInput;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The real BatonEngine driven through OdlSouthbound, with fakes of openflowplugin's RPC and
 * notification services (OpenDaylight cannot run here) and a fake agent on an embedded channel, as
 * controller-app's EngineScenarioTest does with its recording southbound. Test plan: a node appears
 * and gets the base rules as add-flow RPCs; a client SYN arrives as packet-received and leaves as a
 * transmit-packet SYN-ACK; the request is handed off, the per-connection rules go out as
 * add-flow RPCs and a client segment held meanwhile leaves as a transmit-packet with the forward
 * rule's rewrites; the agent's close report has both rules removed by one remove-flow by cookie; a
 * refused add-flow fails the handoff with a reset; a flow-removed notification of an idle forward
 * rule has both rules put back at the client's next packet. Every assertion is on what crossed the
 * fakes.
 */
class OdlEngineScenarioTest {
    static final SwitchId SW = SwitchId.of(1);
    static final MacAddress CLIENT_MAC = MacAddress.parse("00:00:00:00:00:01");
    static final Ipv4Address CLIENT = Ipv4Address.parse("10.0.0.1");
    static final Ipv4Address VIP = Ipv4Address.parse("10.0.0.100");
    static final MacAddress VMAC = MacAddress.parse("02:00:0a:00:00:64");
    static final int CLIENT_PORT = 40000;
    static final int CLIENT_SWITCH_PORT = 1;
    static final String CONFIG = "{\"openflow\": {\"port\": 6653},"
            + " \"handoff\": {\"port\": 7070, \"secretFile\": \"/etc/baton/secret\"},"
            + " \"rest\": {\"port\": 8181, \"tokenFile\": \"/etc/baton/token\"},"
            + " \"services\": [{\"name\": \"web\", \"vip\": \"10.0.0.100\", \"port\": 80, \"mode\": \"nat\","
            + "   \"pools\": [{\"name\": \"static\", \"policy\": \"round-robin\", \"servers\": [\"10.0.0.11\"]}],"
            + "   \"defaultPool\": \"static\"}]}";

    private final FakeRpcs rpcs = new FakeRpcs();
    private final FakeNotifications notifications = new FakeNotifications();
    private OdlSouthbound southbound;
    private BatonEngine engine;
    private AgentSession agent;
    private final BlockingQueue<HandoffMessage> toAgent = new LinkedBlockingQueue<>();

    @BeforeEach
    void start() throws Exception {
        BatonConfig config = ConfigLoader.parse(CONFIG, Path.of("/cfg"));
        southbound = new OdlSouthbound(rpcs, notifications, new FakeInventory(), 2_000);
        engine = new BatonEngine(config, southbound);
        engine.start();
        engine.ask(() -> null).get(5, TimeUnit.SECONDS); // its start-up look at switches() has run
        southbound.start();
    }

    @AfterEach
    void stop() {
        engine.close();
        southbound.close();
        assertEquals(0, notifications.listenerCount(), "every notification listener unregistered");
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

    private <T extends HandoffMessage> T nextToAgent(Class<T> type) throws InterruptedException {
        HandoffMessage m = toAgent.poll(5, TimeUnit.SECONDS);
        if (m == null) {
            throw new AssertionError("no message for the agent; expected " + type.getSimpleName());
        }
        assertEquals(type, m.getClass());
        return type.cast(m);
    }

    private List<AddFlowInput> added() {
        synchronized (rpcs.added) {
            return new ArrayList<>(rpcs.added);
        }
    }

    /** The agent of server 10.0.0.11, located on switch port 3 by an ARP reply that arrives as a packet-in. */
    private void agentUp() {
        EmbeddedChannel ch = new EmbeddedChannel(new ChannelOutboundHandlerAdapter() {
            @Override
            public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
                toAgent.add((HandoffMessage) msg);
                promise.trySuccess();
            }
        });
        agent = new AgentSession(ch, Ipv4Address.parse("10.0.0.11"), MacAddress.parse("00:00:00:00:00:11"), "test",
                Set.of(VIP), System.nanoTime());
        engine.agentAuthenticated(agent);
        agent.heartbeat(System.nanoTime());
        agent.heartbeat(System.nanoTime());
        notifications.publish(OdlTexts.packetIn(SW, 3, FrameBuilder.arpReply(MacAddress.parse("00:00:00:00:00:11"),
                Ipv4Address.parse("10.0.0.11"), MacAddress.parse("02:ba:70:00:00:00"), Ipv4Address.of(0))));
    }

    private void clientSegment(int flags, int seq, int ack, String data) {
        notifications.publish(OdlTexts.packetIn(SW, CLIENT_SWITCH_PORT, FrameBuilder.tcp(CLIENT_MAC, VMAC, CLIENT, VIP,
                CLIENT_PORT, 80, seq, ack, flags, 502, TcpOptions.NONE,
                data == null ? null : data.getBytes(StandardCharsets.US_ASCII))));
    }

    /** The last TCP frame transmitted toward the client, or null. */
    private Frame lastToClient() {
        synchronized (rpcs.transmitted) {
            for (int i = rpcs.transmitted.size() - 1; i >= 0; i--) {
                Frame f = Frame.parse(rpcs.transmitted.get(i).getPayload());
                if (f.kind() == Frame.Kind.TCP && f.ethDst().equals(CLIENT_MAC)) {
                    return f;
                }
            }
        }
        return null;
    }

    private TransmitPacketInput lastTransmitted() {
        synchronized (rpcs.transmitted) {
            return rpcs.transmitted.get(rpcs.transmitted.size() - 1);
        }
    }

    private void nodeUpWithBaseRules() throws InterruptedException {
        notifications.publish(OdlTexts.nodeUpdated(SW));
        await(() -> rpcs.added.size() >= 3, "base rules");
    }

    /** SYN, SYN-ACK, then the request: returns the handoff the agent was asked for. */
    private HandoffRequest handshakeAndRequest(int isn) throws InterruptedException {
        clientSegment(Frame.TCP_SYN, isn, 0, null);
        await(() -> lastToClient() != null, "SYN-ACK");
        int serverIsn = lastToClient().seq();
        clientSegment(Frame.TCP_ACK | Frame.TCP_PSH, isn + 1, serverIsn + 1, "GET /index.html HTTP/1.1\r\nHost: a\r\n\r\n");
        return nextToAgent(HandoffRequest.class);
    }

    @Test
    void aNodeGetsTheBaseRulesAsAddFlowRpcs() throws Exception {
        nodeUpWithBaseRules();
        assertEquals(Set.of(SW), southbound.switches());
        List<AddFlowInput> base = added();
        assertEquals(3, base.size(), "table-miss, the SYN rule and one VIP intercept: " + base);
        AddFlowInput miss = base.get(0);
        assertEquals(NodeIds.nodeRef(SW), miss.getNode());
        assertEquals(0, miss.getPriority().intValue());
        assertEquals(Cookies.of(Cookies.Kind.BASE, 0), miss.getCookie().getValue().longValue());
        assertEquals("", OdlTexts.match(miss.getMatch()));
        assertEquals(List.of("output=CONTROLLER/65535"), OdlTexts.instructions(miss.getInstructions()));
        assertEquals(0, miss.getIdleTimeout().intValue());
        assertTrue(miss.getBarrier());

        AddFlowInput syn = base.get(1);
        assertEquals(300, syn.getPriority().intValue(), "SYNs above the connection rules");
        assertTrue(OdlTexts.match(syn.getMatch()).contains("tcp_flags=2/2"), OdlTexts.match(syn.getMatch()));

        AddFlowInput vip = base.get(2);
        assertEquals(100, vip.getPriority().intValue());
        assertEquals(Cookies.of(Cookies.Kind.BASE, 0), vip.getCookie().getValue().longValue());
        assertEquals("eth_type=2048,ip_proto=6,ipv4_dst=10.0.0.100/32,tcp_dst=80", OdlTexts.match(vip.getMatch()));
        assertEquals(List.of("output=CONTROLLER/65535"), OdlTexts.instructions(vip.getInstructions()));

        // The same node announced again (openflowplugin re-publishes after reconnects) adds nothing.
        notifications.publish(OdlTexts.nodeUpdated(SW));
        Thread.sleep(100);
        assertEquals(3, rpcs.added.size());
    }

    @Test
    void aClientSynIsAnsweredWithASynAckThroughTransmitPacket() throws Exception {
        nodeUpWithBaseRules();
        int isn = 1000;
        clientSegment(Frame.TCP_SYN, isn, 0, null);
        await(() -> lastToClient() != null, "SYN-ACK");
        Frame synAck = lastToClient();
        assertEquals(Frame.TCP_SYN | Frame.TCP_ACK, synAck.flags(), "flags");
        assertEquals(isn + 1, synAck.ack(), "ack = client ISN + 1");
        assertEquals(VIP, synAck.ipSrc());
        assertEquals(CLIENT, synAck.ipDst());
        assertEquals(80, synAck.srcPort());
        assertEquals(CLIENT_PORT, synAck.dstPort());
        assertEquals(VMAC, synAck.ethSrc());
        assertTrue(synAck.tcpChecksumOk());
        TransmitPacketInput out = lastTransmitted();
        assertEquals(NodeIds.nodeRef(SW), out.getNode());
        assertEquals(List.of("output=" + CLIENT_SWITCH_PORT + "/0"), OdlTexts.actions(out.nonnullAction()));
        assertEquals(NodeIds.connectorRef(SW, Integer.toString(CLIENT_SWITCH_PORT)), out.getEgress());
        assertNull(out.getIngress(), "from the controller");
    }

    @Test
    void aHandoffInstallsThePerConnectionRulesAsAddFlowRpcs() throws Exception {
        nodeUpWithBaseRules();
        agentUp();
        int isn = 5;
        HandoffRequest req = handshakeAndRequest(isn);
        assertEquals(isn + 1, req.recvSeq(), "the agent continues after the client's SYN");
        assertEquals("GET /index.html HTTP/1.1\r\nHost: a\r\n\r\n", new String(req.data(), StandardCharsets.US_ASCII));
        // A client segment during the handoff is held until the commit.
        int transmittedBefore = rpcs.transmitted.size();
        clientSegment(Frame.TCP_ACK, isn + 1 + req.data().length, req.sendSeq(), null);
        // The reverse rule goes in with the handoff request, while the agent prepares.
        long reverseCookie = Cookies.of(Cookies.Kind.SERVER_TO_CLIENT, req.handoffId());
        await(() -> added().stream().anyMatch(r -> r.getCookie().getValue().longValue() == reverseCookie),
                "the reverse rule with the handoff");
        AddFlowInput rev = added().get(added().size() - 1);
        int before = rpcs.added.size();
        engine.agentMessage(agent, new HandoffReady(req.handoffId()));
        nextToAgent(HandoffCommit.class);
        await(() -> rpcs.added.size() == before + 1, "the forward rule after the commit");
        AddFlowInput fwd = added().get(before);
        assertEquals(200, fwd.getPriority().intValue());
        assertEquals(Cookies.of(Cookies.Kind.CLIENT_TO_SERVER, req.handoffId()), fwd.getCookie().getValue().longValue());
        assertEquals("eth_type=2048,ip_proto=6,ipv4_src=10.0.0.1/32,ipv4_dst=10.0.0.100/32,tcp_src=40000,tcp_dst=80",
                OdlTexts.match(fwd.getMatch()));
        assertEquals(List.of("set_eth_dst=00:00:00:00:00:11", "set_ipv4_dst=10.0.0.11/32", "output=3/0"),
                OdlTexts.instructions(fwd.getInstructions()));
        assertEquals(60, fwd.getIdleTimeout().intValue(), "the config's default flow idle timeout");
        assertTrue(fwd.getFlags().getSENDFLOWREM(), "the forward rule reports its expiry");

        assertEquals(Cookies.of(Cookies.Kind.SERVER_TO_CLIENT, req.handoffId()), rev.getCookie().getValue().longValue());
        assertEquals("eth_type=2048,ip_proto=6,ipv4_src=10.0.0.11/32,ipv4_dst=10.0.0.1/32,tcp_src=80,tcp_dst=40000",
                OdlTexts.match(rev.getMatch()));
        assertEquals(List.of("set_eth_src=02:00:0a:00:00:64", "set_ipv4_src=10.0.0.100/32", "output=1/0"),
                OdlTexts.instructions(rev.getInstructions()));
        assertEquals(60, rev.getIdleTimeout().intValue());
        await(() -> engine.counters().handoffsOk.sum() == 1, "the handoff counted as done");

        // The held segment goes on toward the server: the switch applies the forward rule's rewrites.
        TransmitPacketInput held = transmittedAfter(transmittedBefore, f -> f.ethDst().equals(VMAC));
        assertEquals(List.of("set_eth_dst=00:00:00:00:00:11", "set_ipv4_dst=10.0.0.11/32", "output=3/0"),
                OdlTexts.actions(held.nonnullAction()));
        assertEquals(NodeIds.connectorRef(SW, "3"), held.getEgress());
        Frame h = Frame.parse(held.getPayload());
        assertEquals(CLIENT, h.ipSrc());
        assertEquals(isn + 1 + req.data().length, h.seq());
        assertEquals(Frame.TCP_ACK, h.flags());
    }

    /** The first transmit-packet from index {@code from} on whose TCP frame passes {@code which}; waits for it. */
    private TransmitPacketInput transmittedAfter(int from, java.util.function.Predicate<Frame> which)
            throws InterruptedException {
        TransmitPacketInput[] found = new TransmitPacketInput[1];
        await(() -> {
            synchronized (rpcs.transmitted) {
                for (TransmitPacketInput t : rpcs.transmitted.subList(from, rpcs.transmitted.size())) {
                    Frame f = Frame.parse(t.getPayload());
                    if (f.kind() == Frame.Kind.TCP && which.test(f)) {
                        found[0] = t;
                        return true;
                    }
                }
            }
            return false;
        }, "a transmit-packet");
        return found[0];
    }

    @Test
    void theAgentsCloseRemovesBothRulesByCookie() throws Exception {
        nodeUpWithBaseRules();
        agentUp();
        HandoffRequest req = handshakeAndRequest(5);
        engine.agentMessage(agent, new HandoffReady(req.handoffId()));
        nextToAgent(HandoffCommit.class);
        long forwardCookie = Cookies.of(Cookies.Kind.CLIENT_TO_SERVER, req.handoffId());
        await(() -> added().stream().anyMatch(r -> r.getCookie().getValue().longValue() == forwardCookie), "the forward rule");
        assertTrue(rpcs.removed.isEmpty());

        engine.agentMessage(agent, new ConnectionClosed(req.handoffId(), 100, 200, 0));
        // After the linger (the client's last ACK goes through the rules): one non-strict
        // remove-flow for the connection's cookie, whatever the rule's kind, in every table.
        await(() -> !rpcs.removed.isEmpty(), "the connection's rules removed");
        assertEquals(1, rpcs.removed.size());
        RemoveFlowInput removal = rpcs.removed.get(0);
        assertEquals(NodeIds.nodeRef(SW), removal.getNode());
        assertEquals(Cookies.APP | req.handoffId(), removal.getCookie().getValue().longValue());
        assertEquals(Cookies.CONNECTION_MASK, removal.getCookieMask().getValue().longValue());
        assertEquals(255, removal.getTableId().intValue(), "every table");
        assertEquals(Boolean.FALSE, removal.getStrict());
        assertTrue(removal.getBarrier(), "confirmed by the switch's barrier");
        await(() -> {
            try {
                return engine.connections().get().isEmpty();
            } catch (Exception e) {
                return false;
            }
        }, "the connection forgotten");
    }

    @Test
    void aRefusedAddFlowFailsTheHandoffWithAReset() throws Exception {
        nodeUpWithBaseRules();
        agentUp();
        // The switch refuses the reverse rule, sent while the agent prepares: no commit can follow.
        rpcs.addFlowAnswer = in -> FakeRpcs.refused("OFPET_FLOW_MOD_FAILED/OFPFMFC_TABLE_FULL");
        HandoffRequest req = handshakeAndRequest(5);
        engine.agentMessage(agent, new HandoffReady(req.handoffId()));
        nextToAgent(HandoffAbort.class);
        await(() -> lastToClient().has(Frame.TCP_RST), "a reset to the client");
        await(() -> engine.counters().handoffsFailed.sum() == 1, "the failure counted");
        assertEquals(0, engine.counters().handoffsOk.sum());
        assertEquals(1, southbound.counters().flowRpcsFailed.sum(), "the reverse rule refused");
        // What was installed is taken away again: every rule of the connection, by cookie.
        await(() -> rpcs.removed.stream().anyMatch(r -> r.getCookie().getValue().longValue() == (Cookies.APP | req.handoffId())),
                "the connection's rules removed by cookie");
        RemoveFlowInput removal = rpcs.removed.get(0);
        assertEquals(Cookies.CONNECTION_MASK, removal.getCookieMask().getValue().longValue());
        await(() -> {
            try {
                return engine.connections().get().isEmpty();
            } catch (Exception e) {
                return false;
            }
        }, "the connection freed");
    }

    @Test
    void aFlowRemovedNotificationReachesTheEngine() throws Exception {
        nodeUpWithBaseRules();
        agentUp();
        HandoffRequest req = handshakeAndRequest(5);
        engine.agentMessage(agent, new HandoffReady(req.handoffId()));
        nextToAgent(HandoffCommit.class);
        await(() -> engine.counters().handoffsOk.sum() == 1, "handed off");
        long forwardCookie = Cookies.of(Cookies.Kind.CLIENT_TO_SERVER, req.handoffId());
        await(() -> added().stream().anyMatch(r -> r.getCookie().getValue().longValue() == forwardCookie),
                "the forward rule");
        AddFlowInput fwd = added().stream().filter(r -> r.getCookie().getValue().longValue() == forwardCookie)
                .findFirst().orElseThrow();
        int rulesBefore = added().size();
        // The forward rule expired idle: the engine learns it only from this notification, and
        // puts the rules back at the client's next packet (the connection is alive on its server).
        notifications.publish(OdlTexts.flowRemoved(SW, fwd.getCookie().getValue().longValue(), 200, fwd.getMatch(),
                RemovedFlowReason.OFPRRIDLETIMEOUT));
        await(() -> southbound.counters().flowsRemovedIn.sum() == 1, "the notification taken in");
        assertEquals(0, southbound.counters().unknownMatchFields.sum(), "the switch's match read back whole");
        clientSegment(Frame.TCP_ACK, 5 + 1 + 37, lastToClient().seq() + 1, null);
        await(() -> engine.counters().rulesReinstated.sum() == 1, "the rules put back at the next packet");
        await(() -> added().size() == rulesBefore + 2, "both rules sent again");
        assertEquals(fwd.getMatch(), added().get(rulesBefore).getMatch());
    }
}
