package io.baton.controller.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.controller.config.BatonConfig;
import io.baton.controller.config.ConfigLoader;
import io.baton.controller.config.ConfigLoaderTest;
import io.baton.controller.config.ServiceConfig;
import io.baton.controller.handoff.AgentSession;
import io.baton.dispatcher.pool.PoolView;
import io.baton.dispatcher.pool.ServerState;
import io.baton.dispatcher.pool.ServerView;
import io.baton.flowrules.api.Ipv4Address;
import io.baton.flowrules.api.MacAddress;
import io.baton.flowrules.api.SwitchId;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ServerRegistryTest {
    private static final String CONFIG = ConfigLoaderTest.GOOD
            .replace("\"servers\": [\"10.0.0.11\", \"10.0.0.12\"]",
                    "\"servers\": [\"10.0.0.11\", {\"address\": \"10.0.0.12\", \"weight\": 4}], \"labels\": [\"static\"],"
                            + " \"healthCheck\": {\"path\": \"/\", \"intervalMillis\": 100, \"timeoutMillis\": 50, \"rise\": 2, \"fall\": 3}");

    private static List<ServiceConfig> services(String json) throws Exception {
        BatonConfig c = ConfigLoader.parse(json, Path.of("/cfg"));
        return c.services();
    }

    private static AgentSession agent(String ip, String label) {
        return new AgentSession(new EmbeddedChannel(), Ipv4Address.parse(ip), MacAddress.parse("02:00:00:00:00:01"),
                label, Set.of(), System.nanoTime());
    }

    /** An agent for {@code ip}, registered (up since 0). */
    private static AgentSession up(ServerRegistry r, String ip, String label) {
        AgentSession a = agent(ip, label);
        r.agentUp(a.serverAddress(), a, a.serverMac(), 0);
        return a;
    }

    private static ServerView server(PoolView v, String name) {
        return v.servers().stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow(() -> new AssertionError(name + " not in " + v.servers()));
    }

    private static ServerState state(ServerRegistry r, String ip) {
        return server(r.view("web", "static", 0, s -> true), ip).state();
    }

    @Test
    void aServerTakesConnectionsOnlyAfterEnoughHeartbeats() throws Exception {
        ServerRegistry r = new ServerRegistry(services(CONFIG), 2);
        assertEquals(ServerState.DOWN, state(r, "10.0.0.11"), "no agent");
        AgentSession a = up(r, "10.0.0.11", "");
        assertEquals(ServerState.DOWN, state(r, "10.0.0.11"), "connected, not risen");
        a.heartbeat(System.nanoTime());
        assertEquals(ServerState.DOWN, state(r, "10.0.0.11"));
        a.heartbeat(System.nanoTime());
        assertEquals(ServerState.ACTIVE, state(r, "10.0.0.11"));
        assertEquals(4, server(r.view("web", "static", 0, s -> true), "10.0.0.12").weight(), "member weight reaches the policy");
        r.agentDown(a);
        assertEquals(ServerState.DOWN, state(r, "10.0.0.11"));
    }

    @Test
    void checksTakeAServerOutAfterFallFailuresAndBackAfterRisePasses() throws Exception {
        ServerRegistry r = new ServerRegistry(services(CONFIG), 0);
        AgentSession a = agent("10.0.0.11", "");
        Server s = r.get(a.serverAddress());
        r.agentUp(a.serverAddress(), a, a.serverMac(), 0);
        assertEquals(java.util.Set.of("web/static"), r.checksFor(s).keySet(), "only the pool with a check");
        assertEquals(ServerState.ACTIVE, state(r, "10.0.0.11"), "checks start healthy");
        assertFalse(r.checkResult(s, "web/static", false));
        assertFalse(r.checkResult(s, "web/static", false));
        assertEquals(ServerState.ACTIVE, state(r, "10.0.0.11"), "two failures of fall=3");
        assertTrue(r.checkResult(s, "web/static", false));
        assertEquals(ServerState.DOWN, state(r, "10.0.0.11"));
        assertEquals(ServerState.DOWN, server(r.view("web", "static", 0, x -> true), "10.0.0.11").state());
        assertFalse(r.checkResult(s, "web/static", true));
        assertFalse(r.checkResult(s, "web/static", false), "a failure resets the rise streak");
        assertFalse(r.checkResult(s, "web/static", true));
        assertTrue(r.checkResult(s, "web/static", true));
        assertEquals(ServerState.ACTIVE, state(r, "10.0.0.11"));
        assertFalse(r.checkResult(s, "web/nope", false), "an unknown check is ignored");
    }

    @Test
    void operatorStatesAndLabelsShapeThePool() throws Exception {
        ServerRegistry r = new ServerRegistry(services(CONFIG), 0);
        up(r, "10.0.0.11", "");
        up(r, "10.0.0.12", "");
        AgentSession joiner = up(r, "10.0.0.21", "static");
        up(r, "10.0.0.22", "video");
        PoolView v = r.view("web", "static", 0, s -> true);
        assertEquals(List.of("10.0.0.11", "10.0.0.12", "10.0.0.21"), v.servers().stream().map(ServerView::name).collect(java.util.stream.Collectors.toList()),
                "listed members, then the agent whose label the pool takes");
        assertEquals(ServerState.ACTIVE, server(v, "10.0.0.21").state());

        r.update(services(CONFIG.replace("{\"address\": \"10.0.0.12\", \"weight\": 4}",
                "{\"address\": \"10.0.0.12\", \"weight\": 4, \"state\": \"draining\"}").replace("\"10.0.0.11\",", "{\"address\": \"10.0.0.11\", \"state\": \"disabled\"},")));
        assertEquals(ServerState.DISABLED, state(r, "10.0.0.11"));
        assertEquals(ServerState.DRAINING, state(r, "10.0.0.12"));
        assertEquals(ServerState.DOWN, server(r.view("web", "static", 0, s -> false), "10.0.0.12").state(), "unreachable beats draining");
        r.agentDown(joiner);
        assertFalse(r.view("web", "static", 0, s -> true).servers().stream().anyMatch(s -> s.name().equals("10.0.0.21")),
                "a label member leaves with its agent");
    }

    /** A pool's view is built per request: a server's part is built again only when it changed. */
    @Test
    void aViewReusesWhatDidNotChangeAndShowsWhatDid() throws Exception {
        ServerRegistry r = new ServerRegistry(services(CONFIG), 0);
        AgentSession a = up(r, "10.0.0.11", "");
        Server s = r.get(a.serverAddress());
        PoolView first = r.view("web", "static", 0, x -> true);
        PoolView second = r.view("web", "static", 0, x -> true);
        org.junit.jupiter.api.Assertions.assertSame(server(first, "10.0.0.11"), server(second, "10.0.0.11"));

        r.handoffSucceeded(s);
        assertEquals(1, server(r.view("web", "static", 0, x -> true), "10.0.0.11").activeConnections());
        assertEquals(0, server(first, "10.0.0.11").activeConnections(), "an earlier view is a snapshot");
        r.connectionEnded(s);
        assertEquals(0, server(r.view("web", "static", 0, x -> true), "10.0.0.11").activeConnections());
        assertEquals(ServerState.DOWN, server(r.view("web", "static", 0, x -> false), "10.0.0.11").state(),
                "unreachable now");
        assertEquals(ServerState.ACTIVE, state(r, "10.0.0.11"));
        r.update(services(CONFIG.replace("{\"address\": \"10.0.0.12\", \"weight\": 4}", "{\"address\": \"10.0.0.12\", \"weight\": 4}")
                .replace("\"10.0.0.11\",", "{\"address\": \"10.0.0.11\", \"weight\": 9},")));
        assertEquals(9, server(r.view("web", "static", 0, x -> true), "10.0.0.11").weight(), "a new member entry");
        r.agentDown(a);
        r.agentUp(a.serverAddress(), a, a.serverMac(), 77);
        assertEquals(77, server(r.view("web", "static", 0, x -> true), "10.0.0.11").upSinceMillis());
    }

    private static final SwitchId S1 = SwitchId.of(1);
    private static final SwitchId S2 = SwitchId.of(2);

    /**
     * A switch's kept members answer exactly what a view built from scratch answers, through
     * random loads, agents coming and going (and rising), check verdicts, operator states and
     * reachability changes; seeded, so a failure repeats.
     */
    @Test
    void aSwitchsKeptViewAlwaysEqualsOneBuiltFromScratch() throws Exception {
        String drained = CONFIG.replace("{\"address\": \"10.0.0.12\", \"weight\": 4}",
                "{\"address\": \"10.0.0.12\", \"weight\": 4, \"state\": \"draining\"}");
        List<List<ServiceConfig>> configs = List.of(services(CONFIG), services(drained));
        List<String> ips = List.of("10.0.0.11", "10.0.0.12", "10.0.0.21", "10.0.0.22");
        Random rnd = new Random(20261124);
        ServerRegistry r = new ServerRegistry(configs.get(0), 2);
        Map<String, AgentSession> agents = new HashMap<>();
        Set<String> reachableAtS1 = new HashSet<>(ips);
        long[] hostVersion = {0};
        for (int step = 0; step < 5_000; step++) {
            String ip = ips.get(rnd.nextInt(ips.size()));
            Server s = r.get(Ipv4Address.parse(ip));
            int op = rnd.nextInt(9);
            if (op == 0) {
                AgentSession a = agent(ip, ip.startsWith("10.0.0.2") ? "static" : "");
                a.upAtOnce(rnd.nextBoolean());
                AgentSession old = agents.put(ip, a);
                r.agentUp(a.serverAddress(), a, a.serverMac(), step);
                if (old != null) {
                    r.agentDown(old); // the replaced session: ignored
                }
            } else if (op == 1) {
                AgentSession a = agents.remove(ip);
                if (a != null) {
                    r.agentDown(a);
                }
            } else if (op == 2) {
                AgentSession a = agents.get(ip);
                if (a != null) {
                    a.heartbeat(System.nanoTime());
                }
            } else if (op == 3) {
                if (s != null) {
                    r.checkResult(s, "web/static", rnd.nextInt(3) > 0);
                }
            } else if (op == 4) {
                r.update(configs.get(rnd.nextInt(2)));
            } else if (op == 5) {
                if (!reachableAtS1.remove(ip)) {
                    reachableAtS1.add(ip);
                }
                hostVersion[0]++;
            } else if (s != null && op < 8) {
                r.handoffSucceeded(s);
            } else if (s != null) {
                r.connectionEnded(s);
            }
            PoolView kept = r.view("web", "static", step, S1, hostVersion[0], x -> reachableAtS1.contains(x.name()));
            PoolView fresh = r.view("web", "static", step, x -> reachableAtS1.contains(x.name()));
            assertEquals(fresh.servers(), kept.servers(), "step " + step);
            assertEquals(step, kept.nowMillis());
        }
    }

    /** Kept members spare the per-member look-ups: the reachability test runs once per switch and version. */
    @Test
    void eachSwitchKeepsItsMembersUntilAVersionMoves() throws Exception {
        ServerRegistry r = new ServerRegistry(services(CONFIG), 0);
        up(r, "10.0.0.11", "");
        up(r, "10.0.0.12", "");
        AtomicInteger asked = new AtomicInteger();
        Set<String> atS1 = new HashSet<>(Set.of("10.0.0.11"));
        Set<String> atS2 = new HashSet<>(Set.of("10.0.0.12"));
        for (int i = 0; i < 3; i++) {
            PoolView v1 = r.view("web", "static", 0, S1, 0, x -> asked.incrementAndGet() > 0 && atS1.contains(x.name()));
            PoolView v2 = r.view("web", "static", 0, S2, 0, x -> asked.incrementAndGet() > 0 && atS2.contains(x.name()));
            assertEquals(ServerState.ACTIVE, server(v1, "10.0.0.11").state());
            assertEquals(ServerState.DOWN, server(v1, "10.0.0.12").state(), "not at switch 1");
            assertEquals(ServerState.DOWN, server(v2, "10.0.0.11").state(), "not at switch 2");
            assertEquals(ServerState.ACTIVE, server(v2, "10.0.0.12").state());
        }
        assertEquals(4, asked.get(), "two members, two switches, asked once each");

        atS1.add("10.0.0.12"); // a host moved: the host table's version moves with it
        assertEquals(ServerState.DOWN, server(r.view("web", "static", 0, S1, 0, x -> atS1.contains(x.name())), "10.0.0.12").state(),
                "the same version: the kept answer");
        assertEquals(ServerState.ACTIVE, server(r.view("web", "static", 0, S1, 1, x -> atS1.contains(x.name())), "10.0.0.12").state());

        Server s = r.get(Ipv4Address.parse("10.0.0.11"));
        r.handoffSucceeded(s);
        asked.set(0);
        PoolView loaded = r.view("web", "static", 0, S1, 1, x -> asked.incrementAndGet() > 0);
        assertEquals(1, server(loaded, "10.0.0.11").activeConnections(), "loads are read per request");
        assertEquals(0, asked.get(), "a load is not a version");
        assertTrue(r.checkResult(s, "web/static", false) || r.checkResult(s, "web/static", false) || r.checkResult(s, "web/static", false));
        assertEquals(ServerState.DOWN, server(r.view("web", "static", 0, S1, 1, x -> atS1.contains(x.name())), "10.0.0.11").state(),
                "a check verdict moves the registry's version");
    }

    /** An agent rising counts heartbeats the registry does not see: such members are never kept. */
    @Test
    void aRisingMemberIsSeenAsSoonAsItRises() throws Exception {
        ServerRegistry r = new ServerRegistry(services(CONFIG), 2);
        AgentSession a = up(r, "10.0.0.11", "");
        assertEquals(ServerState.DOWN, server(r.view("web", "static", 0, S1, 0, x -> true), "10.0.0.11").state());
        a.heartbeat(System.nanoTime());
        a.heartbeat(System.nanoTime());
        assertEquals(ServerState.ACTIVE, server(r.view("web", "static", 0, S1, 0, x -> true), "10.0.0.11").state());
    }

    /** Switches without end (a churn of datapath ids) cannot grow a pool's kept members without bound. */
    @Test
    void keptMembersPerPoolAreBounded() throws Exception {
        ServerRegistry r = new ServerRegistry(services(CONFIG), 0);
        up(r, "10.0.0.11", "");
        AtomicInteger asked = new AtomicInteger();
        List<SwitchId> many = new ArrayList<>();
        for (int i = 1; i <= ServerRegistry.MAX_SWITCHES_PER_POOL + 1; i++) {
            many.add(SwitchId.of(i));
        }
        for (SwitchId sw : many) {
            r.view("web", "static", 0, sw, 0, x -> asked.incrementAndGet() > 0);
        }
        int built = asked.get();
        r.view("web", "static", 0, many.get(1), 0, x -> asked.incrementAndGet() > 0);
        assertTrue(asked.get() > built, "the first switches' entries were dropped at the bound, so built again");
        asked.set(0);
        r.view("web", "static", 0, many.get(many.size() - 1), 0, x -> asked.incrementAndGet() > 0);
        assertEquals(0, asked.get(), "the entries since the bound are kept");
    }
}
