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
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
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
        AgentSession a = agent("10.0.0.11", "");
        r.agentUp(a.serverAddress(), a, a.serverMac(), 0);
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
        for (String ip : new String[] {"10.0.0.11", "10.0.0.12"}) {
            AgentSession a = agent(ip, "");
            r.agentUp(a.serverAddress(), a, a.serverMac(), 0);
        }
        AgentSession joiner = agent("10.0.0.21", "static");
        r.agentUp(joiner.serverAddress(), joiner, joiner.serverMac(), 0);
        AgentSession other = agent("10.0.0.22", "video");
        r.agentUp(other.serverAddress(), other, other.serverMac(), 0);
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
        AgentSession a = agent("10.0.0.11", "");
        r.agentUp(a.serverAddress(), a, a.serverMac(), 0);
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
}
