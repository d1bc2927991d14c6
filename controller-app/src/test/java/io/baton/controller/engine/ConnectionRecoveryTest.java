package io.baton.controller.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.controller.config.BatonConfig;
import io.baton.controller.config.ConfigLoader;
import io.baton.controller.config.ConfigLoaderTest;
import io.baton.controller.config.ServiceConfig;
import io.baton.controller.connection.Connection;
import io.baton.controller.connection.ConnectionKey;
import io.baton.controller.connection.ConnectionState;
import io.baton.controller.connection.ServerBinding;
import io.baton.controller.flows.Cookies;
import io.baton.controller.flows.FlowRuleFactory;
import io.baton.controller.handoff.AgentSession;
import io.baton.controller.packet.Frame;
import io.baton.controller.packet.FrameBuilder;
import io.baton.controller.packet.TcpOptions;
import io.baton.flowrules.api.FlowAction;
import io.baton.flowrules.api.FlowRule;
import io.baton.flowrules.api.FlowStatsEntry;
import io.baton.flowrules.api.Ipv4Address;
import io.baton.flowrules.api.MacAddress;
import io.baton.flowrules.api.SwitchId;
import io.baton.handoff.protocol.ConnectionClosed;
import io.baton.handoff.protocol.LiveConnections;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A controller that starts while connections it handed off in an earlier run are live: it reads
 * the switch's rules back, hears each agent's list, takes back what both confirm, removes what
 * nobody relays, puts back rules a switch lost, and forgets a dead server's connections at once.
 * The rules the "switch" reports are the very rules {@link FlowRuleFactory} makes.
 */
class ConnectionRecoveryTest {
    static final SwitchId SW = SwitchId.of(1);
    static final Ipv4Address VIP = Ipv4Address.parse("10.0.0.100");
    static final Ipv4Address CLIENT = Ipv4Address.parse("10.0.0.1");
    static final MacAddress CLIENT_MAC = MacAddress.parse("00:00:00:00:00:01");
    static final MacAddress VMAC = MacAddress.parse("02:00:0a:00:00:64");
    static final int CLIENT_SWITCH_PORT = 1;
    static final String H1 = "10.0.0.11";
    static final MacAddress H1_MAC = MacAddress.parse("00:00:00:00:00:11");
    static final int H1_PORT = 3;
    /** Ids from an earlier run. */
    static final long LIVE = 1_000_001;
    static final long GONE = 1_000_002;

    private final RecordingSouthbound sb = new RecordingSouthbound(SW);
    private BatonEngine engine;
    private BatonConfig config;

    @AfterEach
    void stop() {
        if (engine != null) {
            engine.close();
        }
    }

    private void load(String mode) throws Exception {
        config = ConfigLoader.parse(ConfigLoaderTest.GOOD.replace("\"mode\": \"nat\"", "\"mode\": \"" + mode + "\""),
                Path.of("/cfg"));
    }

    private void start() {
        engine = new BatonEngine(config, sb);
        engine.start();
    }

    /** The two rules the earlier run installed for connection {@code id} from CLIENT:{@code clientPort} to H1. */
    private List<FlowStatsEntry> rulesOf(long id, int clientPort) {
        ServiceConfig svc = config.services().get(0);
        Connection c = new Connection(id, new ConnectionKey(CLIENT.toInt(), clientPort, VIP.toInt(), 80), SW,
                CLIENT_SWITCH_PORT, CLIENT_MAC, 0);
        c.server = new ServerBinding(H1, Ipv4Address.parse(H1), H1_MAC, H1_PORT, id);
        List<FlowStatsEntry> out = new ArrayList<>();
        for (FlowRule r : new FlowRuleFactory(config.flowIdleTimeoutSeconds()).connectionRules(svc, c)) {
            out.add(new FlowStatsEntry(r.cookie(), r.priority(), r.match(), 10, 1000, 5, r.idleTimeoutSeconds(), 0,
                    r.actions()));
        }
        return out;
    }

    private List<FlowStatsEntry> earlierRun() {
        List<FlowStatsEntry> l = new ArrayList<>(rulesOf(LIVE, 40001));
        l.addAll(rulesOf(GONE, 40002));
        return l;
    }

    /** An agent connects, and its server answers the controller's ARP probe (it is located). */
    private AgentSession agentUp(String ip, MacAddress mac) {
        AgentSession s = agentUpUnlocated(ip, mac);
        engine.packetIn(SW, ip.equals(H1) ? H1_PORT : H1_PORT + 1, FrameBuilder.arpReply(mac, Ipv4Address.parse(ip),
                MacAddress.parse("02:ba:70:00:00:00"), Ipv4Address.of(0)));
        return s;
    }

    private AgentSession agentUpUnlocated(String ip, MacAddress mac) {
        AgentSession s = new AgentSession(new EmbeddedChannel(), Ipv4Address.parse(ip), mac, "test", Set.of(VIP),
                System.nanoTime());
        engine.agentAuthenticated(s);
        s.heartbeat(System.nanoTime());
        s.heartbeat(System.nanoTime());
        return s;
    }

    private static LiveConnections.Entry relayed(long id, int clientPort, String mode) {
        int local = mode.equals("nat") ? Ipv4Address.parse(H1).toInt() : VIP.toInt();
        return new LiveConnections.Entry(id, CLIENT.toInt(), clientPort, local, 80);
    }

    private Connection connection(long id) throws Exception {
        for (Connection c : engine.connections().get()) {
            if (c.id() == id) {
                return c;
            }
        }
        return null;
    }

    private boolean removed(long id) {
        synchronized (sb.removedByCookie) {
            return sb.removedByCookie.stream().anyMatch(r -> r[0] == (Cookies.APP | id) && r[1] == Cookies.CONNECTION_MASK);
        }
    }

    private List<FlowRule> installedFor(long id) {
        synchronized (sb.installed) {
            List<FlowRule> l = new ArrayList<>();
            for (FlowRule r : sb.installed) {
                if (Cookies.isBaton(r.cookie()) && Cookies.connectionId(r.cookie()) == id
                        && Cookies.kind(r.cookie()) != Cookies.Kind.BASE && Cookies.kind(r.cookie()) != Cookies.Kind.L2) {
                    l.add(r);
                }
            }
            return l;
        }
    }

    private static void await(BooleanSupplier cond, String what) throws InterruptedException {
        Await.until(cond, what);
    }

    private BooleanSupplier has(long id) {
        return () -> {
            try {
                return connection(id) != null;
            } catch (Exception e) {
                return false;
            }
        };
    }

    private byte[] fromClient(int clientPort, int flags, String data) {
        return FrameBuilder.tcp(CLIENT_MAC, VMAC, CLIENT, VIP, clientPort, 80, 5000, 7000, flags, 502, TcpOptions.NONE,
                data == null ? null : data.getBytes(StandardCharsets.US_ASCII));
    }

    private Map<?, ?> recoveryStats() throws Exception {
        return (Map<?, ?>) engine.stats().get().get("recovery");
    }

    @ParameterizedTest
    @ValueSource(strings = {"nat", "dsr"})
    void aRestartedControllerTakesBackWhatTheSwitchAndTheServerBothHaveAndRemovesTheRest(String mode) throws Exception {
        load(mode);
        sb.nextStats = CompletableFuture.completedFuture(earlierRun());
        start();
        AgentSession h1 = agentUp(H1, H1_MAC);
        engine.agentMessage(h1, new LiveConnections(List.of(relayed(LIVE, 40001, mode)), true));

        await(has(LIVE), "the live connection taken back");
        Connection c = connection(LIVE);
        assertEquals(ConnectionState.HANDED_OFF, c.state());
        assertEquals(Ipv4Address.parse(H1), c.server.address());
        assertEquals(H1_PORT, c.server.switchPort(), "from the forward rule's output");
        assertEquals(new ConnectionKey(CLIENT.toInt(), 40001, VIP.toInt(), 80), c.key());
        await(() -> removed(GONE), "the rules nobody relays removed");
        assertFalse(removed(LIVE), "the live connection's rules stay");
        assertNull(connection(GONE));
        await(() -> engine.counters().connectionsAdopted.sum() >= 1, "connectionsAdopted counted"); // after the engine's pass
        assertEquals(1L, engine.counters().connectionsAdopted.sum());
        await(() -> engine.counters().staleRulesRemoved.sum() >= 1, "staleRulesRemoved counted"); // after the engine's pass
        assertEquals(1L, engine.counters().staleRulesRemoved.sum());
        await(() -> {
            try {
                return recoveryStats().get("rebuiltAfterMillis") != null;
            } catch (Exception e) {
                return false;
            }
        }, "rebuilt time reported");
        assertNotNull(recoveryStats().get("servingAfterMillis"));

        // New connections never reuse an id the switch or a server still knows.
        engine.packetIn(SW, CLIENT_SWITCH_PORT, fromClient(50000, Frame.TCP_SYN, null));
        await(() -> engine.connections().join().size() == 2, "a new connection");
        for (Connection n : engine.connections().get()) {
            assertTrue(n.id() >= LIVE, "id " + n.id() + " is above the earlier run's");
        }
        // The taken-back connection ends as any other: its server's close report removes its rules.
        engine.agentMessage(h1, new ConnectionClosed(LIVE, 1, 2, 0));
        await(() -> removed(LIVE), "rules removed after the close (linger)");
    }

    @Test
    void packetsWaitWhileTheSwitchIsReadAndAListBeforeTheRulesStillCounts() throws Exception {
        CompletableFuture<List<FlowStatsEntry>> stats = new CompletableFuture<>();
        sb.nextStats = stats;
        load("nat");
        start();
        AgentSession h1 = agentUp(H1, H1_MAC);
        // The agent is quicker than the switch's answer.
        engine.agentMessage(h1, new LiveConnections(List.of(relayed(LIVE, 40001, "nat")), true));
        engine.packetIn(SW, CLIENT_SWITCH_PORT, fromClient(50000, Frame.TCP_SYN, null));
        Thread.sleep(100);
        assertTrue(engine.connections().get().isEmpty(), "no SYN handled before the switch's rules are known");
        assertEquals(1L, engine.counters().packetsHeldWhileReconciling.sum());

        stats.complete(earlierRun());
        await(has(LIVE), "taken back once the rules arrived");
        await(() -> removed(GONE), "the other connection's rules removed: its server's list lacks it");
        await(() -> engine.connections().join().size() == 2, "the held SYN handled after");
        assertEquals(1L, engine.counters().packetInVipTcp.sum(), "the held SYN counted once");
    }

    /**
     * Agents back before the switch: once its rules are read, the switch's VIP packets still wait
     * until the servers with an agent are located on a switch (the ARP probes' answers), so that
     * no request meets an empty pool; the controller probes meanwhile.
     */
    @Test
    void vipPacketsWaitUntilTheServersAreLocated() throws Exception {
        CompletableFuture<List<FlowStatsEntry>> stats = synHeldWhileTheRulesAreReadAndTheServerUnlocated();
        stats.complete(List.of());
        await(() -> sb.packets.stream().filter(p -> Frame.parse(p.frame()).kind() == Frame.Kind.ARP).count() >= 2,
                "the servers probed again while the switch waits");
        assertTrue(engine.connections().get().isEmpty(), "no SYN handled before the server is located");
        assertNull(recoveryStats().get("servingAfterMillis"));

        engine.packetIn(SW, H1_PORT, FrameBuilder.arpReply(H1_MAC, Ipv4Address.parse(H1),
                MacAddress.parse("02:ba:70:00:00:00"), Ipv4Address.of(0)));
        await(() -> engine.connections().join().size() == 1, "the held SYN handled once its server is located");
        assertNotNull(recoveryStats().get("servingAfterMillis"));
    }

    /**
     * A nat controller whose switch's rules are still being read (complete the returned stats to
     * finish), with H1's agent up but H1 not located, and a client's SYN held meanwhile.
     */
    private CompletableFuture<List<FlowStatsEntry>> synHeldWhileTheRulesAreReadAndTheServerUnlocated()
            throws Exception {
        CompletableFuture<List<FlowStatsEntry>> stats = new CompletableFuture<>();
        sb.nextStats = stats;
        load("nat");
        start();
        agentUpUnlocated(H1, H1_MAC);
        engine.packetIn(SW, CLIENT_SWITCH_PORT, fromClient(50000, Frame.TCP_SYN, null));
        return stats;
    }

    /** A server that is never located holds the switch's clients back for a bounded time only. */
    @Test
    void aServerNeverLocatedDelaysServingBoundedly() throws Exception {
        CompletableFuture<List<FlowStatsEntry>> stats = synHeldWhileTheRulesAreReadAndTheServerUnlocated();
        long t0 = System.nanoTime();
        stats.complete(List.of());
        await(() -> engine.connections().join().size() == 1, "the held SYN handled at the limit");
        long waitedMillis = (System.nanoTime() - t0) / 1_000_000L;
        assertTrue(waitedMillis >= 1500, "held until the limit, not released at once: " + waitedMillis + " ms");
    }

    @Test
    void aListedConnectionThatEndsBeforeTheSwitchAnswersIsNotTakenBack() throws Exception {
        CompletableFuture<List<FlowStatsEntry>> stats = new CompletableFuture<>();
        load("nat");
        sb.nextStats = stats;
        start();
        AgentSession h1 = agentUp(H1, H1_MAC);
        engine.agentMessage(h1, new LiveConnections(List.of(relayed(LIVE, 40001, "nat")), true));
        engine.agentMessage(h1, new ConnectionClosed(LIVE, 1, 2, 0)); // the download ends meanwhile
        stats.complete(rulesOf(LIVE, 40001));
        await(() -> removed(LIVE), "its rules removed");
        Thread.sleep(50);
        assertNull(connection(LIVE), "nothing would ever end it");
        assertEquals(0L, engine.counters().connectionsAdopted.sum());
    }

    @Test
    void aConnectionNoSwitchShowedIsTakenBackAtItsClientsNextPacket() throws Exception {
        load("nat");
        start(); // the switch restarted too: no rules to read back
        AgentSession h1 = agentUp(H1, H1_MAC);
        engine.packetIn(SW, H1_PORT, FrameBuilder.arpReply(H1_MAC, Ipv4Address.parse(H1),
                MacAddress.parse("02:ba:70:00:00:00"), Ipv4Address.of(0)));
        engine.agentMessage(h1, new LiveConnections(List.of(relayed(LIVE, 40001, "nat")), true));
        Thread.sleep(50);
        assertNull(connection(LIVE));

        byte[] data = fromClient(40001, Frame.TCP_ACK | Frame.TCP_PSH, "more");
        engine.packetIn(SW, CLIENT_SWITCH_PORT, data);
        await(has(LIVE), "taken back");
        await(() -> installedFor(LIVE).size() == 2, "its rules put back");
        List<FlowRule> rules = installedFor(LIVE);
        assertTrue(rules.get(0).actions().contains(FlowAction.setIpv4Dst(Ipv4Address.parse(H1))));
        assertTrue(rules.get(1).actions().contains(FlowAction.output(CLIENT_SWITCH_PORT)), "client port from the packet");
        await(() -> sb.packets.stream().anyMatch(p -> java.util.Arrays.equals(p.frame(), data)
                && p.actions().equals(rules.get(0).actions())), "the packet itself forwarded to the server");
        assertEquals(0L, engine.counters().resetsSent.sum(), "the client is not reset");
    }

    @Test
    void aSwitchThatLostItsRulesGetsThemBackAndADeadServerLosesItsConnectionsAtOnce() throws Exception {
        load("nat");
        sb.nextStats = CompletableFuture.completedFuture(rulesOf(LIVE, 40001));
        start();
        AgentSession h1 = agentUp(H1, H1_MAC);
        engine.agentMessage(h1, new LiveConnections(List.of(relayed(LIVE, 40001, "nat")), true));
        await(has(LIVE), "taken back");
        assertTrue(installedFor(LIVE).isEmpty(), "rules the switch has are not installed again");

        // OVS restarted: it comes back empty.
        engine.switchDown(SW);
        engine.switchUp(SW);
        await(() -> installedFor(LIVE).size() == 2, "both rules put back");
        // Counted once the engine's pass over the table ends, just after the install call.
        await(() -> engine.counters().rulesRestored.sum() >= 1, "the restore counted");
        assertEquals(1L, engine.counters().rulesRestored.sum());
        assertEquals(rulesOf(LIVE, 40001).get(0).match(), installedFor(LIVE).get(0).match());

        // The agent dies: its connections and their rules go at once, not at idle timeout.
        engine.packetIn(SW, CLIENT_SWITCH_PORT, FrameBuilder.arpRequest(CLIENT_MAC, CLIENT, VIP)); // where the client is
        engine.agentGone(h1);
        await(() -> removed(LIVE), "rules removed at once");
        assertNull(connection(LIVE));
        await(() -> engine.counters().connectionsLostWithServer.sum() >= 1, "connectionsLostWithServer counted"); // after the engine's pass
        assertEquals(1L, engine.counters().connectionsLostWithServer.sum());
        // The client, perhaps only waiting for data, is made to speak: an ACK it cannot accept.
        await(() -> engine.counters().deadServerClientsProbed.sum() == 1, "the client probed");
        await(() -> sb.packets.stream().map(p -> Frame.parse(p.frame()))
                .anyMatch(f -> f.kind() == Frame.Kind.TCP && f.flags() == Frame.TCP_ACK && f.dstPort() == 40001
                        && f.ethDst().equals(CLIENT_MAC) && f.ipSrc().equals(VIP)), "an ACK from the VIP to the client");
        // No answer (lost, or ignored by the client's kernel): the ACK goes again a second later.
        await(() -> engine.counters().deadServerClientsProbed.sum() == 2, "the client probed again");
        // Its client, downloading, only sends ACKs: the first one that reaches the controller gets
        // a reset, so the client learns now rather than at its own timeout.
        engine.packetIn(SW, CLIENT_SWITCH_PORT, fromClient(40001, Frame.TCP_ACK, null));
        await(() -> engine.counters().strayAcksReset.sum() == 1, "a reset for the stray ACK");
        Thread.sleep(1300);
        assertEquals(2L, engine.counters().deadServerClientsProbed.sum(), "an answered client is not probed again");
        await(() -> sb.packets.stream().map(p -> Frame.parse(p.frame()))
                .anyMatch(f -> f.kind() == Frame.Kind.TCP && f.has(Frame.TCP_RST) && f.dstPort() == 40001
                        && f.seq() == 7000), "RST with the sequence number the client expects");
    }

    @Test
    void aDeadServersClientsAreResetEvenWhileAnotherServersConnectionMayStillBeTakenBack() throws Exception {
        load("dsr");
        sb.nextStats = CompletableFuture.completedFuture(rulesOf(LIVE, 40001));
        start();
        AgentSession h1 = agentUp(H1, H1_MAC);
        engine.agentMessage(h1, new LiveConnections(List.of(relayed(LIVE, 40001, "dsr")), true));
        await(has(LIVE), "taken back");
        // h2 relays a connection no switch showed rules for: it may still be taken back at its
        // client's next packet, so the controller is not settled and resets no stray ACK.
        AgentSession h2 = agentUp("10.0.0.12", MacAddress.parse("00:00:00:00:00:12"));
        engine.agentMessage(h2, new LiveConnections(List.of(relayed(GONE, 40002, "dsr")), true));
        engine.packetIn(SW, CLIENT_SWITCH_PORT, FrameBuilder.arpRequest(CLIENT_MAC, CLIENT, VIP));
        engine.packetIn(SW, CLIENT_SWITCH_PORT, fromClient(40009, Frame.TCP_ACK, null));
        Thread.sleep(100);
        assertEquals(0L, engine.counters().strayAcksReset.sum(), "an unknown client's ACK is left alone");

        engine.agentGone(h1);
        await(() -> engine.counters().deadServerClientsProbed.sum() == 1, "the dead server's client probed");
        engine.packetIn(SW, CLIENT_SWITCH_PORT, fromClient(40001, Frame.TCP_ACK, null));
        await(() -> engine.counters().strayAcksReset.sum() == 1, "its answer reset all the same");
        engine.packetIn(SW, CLIENT_SWITCH_PORT, fromClient(40009, Frame.TCP_ACK, null));
        Thread.sleep(100);
        assertEquals(1L, engine.counters().strayAcksReset.sum(), "still no reset for the unknown client");
    }

    @Test
    void anAgentThatRestartedWithoutAConnectionMakesItGo() throws Exception {
        load("nat");
        sb.nextStats = CompletableFuture.completedFuture(rulesOf(LIVE, 40001));
        start();
        AgentSession first = agentUp(H1, H1_MAC);
        engine.agentMessage(first, new LiveConnections(List.of(relayed(LIVE, 40001, "nat")), true));
        await(has(LIVE), "taken back");
        Thread.sleep(5);
        AgentSession second = agentUp(H1, H1_MAC); // replaces the first session: a restarted agent
        engine.agentMessage(second, new LiveConnections(List.of(), true));
        await(() -> removed(LIVE), "rules of a connection the server no longer has removed");
        assertNull(connection(LIVE));
    }

    @Test
    void rulesNoServerClaimsDoNotStayForever() throws Exception {
        load("nat");
        sb.nextStats = CompletableFuture.completedFuture(rulesOf(GONE, 40002));
        start();
        Thread.sleep(200);
        assertFalse(removed(GONE), "an agent may still come");
        assertEquals(1, recoveryStats().get("unclaimedRuleSets"));
        // No agent of 10.0.0.11 ever comes: after the grace period the rules go.
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(8);
        while (!removed(GONE) && System.nanoTime() < end) {
            Thread.sleep(50);
        }
        assertTrue(removed(GONE), "unclaimed rules removed after the grace period");
        assertEquals(0, recoveryStats().get("unclaimedRuleSets"));
    }
}
