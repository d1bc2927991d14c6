package io.baton.dispatcher.policy;

import static io.baton.dispatcher.testing.Fixtures.get;
import static io.baton.dispatcher.testing.Fixtures.pool;
import static io.baton.dispatcher.testing.Fixtures.server;
import static io.baton.dispatcher.testing.Fixtures.withCookie;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.dispatcher.pool.PoolView;
import io.baton.dispatcher.pool.ServerState;
import io.baton.dispatcher.pool.ServerView;
import io.baton.dispatcher.request.RequestInfo;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CapAndAffinityTest {
    @Test
    void capClassifiesByPathPatterns() {
        CapPolicy p = (CapPolicy) PolicyFactory.create("cap", Map.of("disk", "/search/, /reports/"));
        assertEquals("static", p.classify(get("/css/site.css")));
        assertEquals("dynamic", p.classify(get("/api/orders")));
        assertEquals("dynamic", p.classify(get("/index.php")));
        assertEquals("large", p.classify(get("/media/talk.mp4")));
        assertEquals("disk", p.classify(get("/search/q")));
        assertEquals("dynamic", p.classify(get("/unknown")), "default class");
        assertEquals("large", p.classify(get("/api/export.zip")), "classes are tried large, disk, dynamic, static");
        CapPolicy s = (CapPolicy) PolicyFactory.create("cap", Map.of("defaultClass", "static"));
        assertEquals("static", s.classify(get("/unknown")));
    }

    @Test
    void capGivesEveryServerAMixOfEachClass() {
        // static, dynamic, static, dynamic... on two servers: plain round-robin would give one
        // server all the static and the other all the dynamic requests.
        Policy cap = PolicyFactory.create("cap", Map.of());
        Policy rr = PolicyFactory.create("round-robin", Map.of());
        PoolView pool = pool(server("a"), server("b"));
        Map<String, Integer> capMix = new HashMap<>();
        Map<String, Integer> rrMix = new HashMap<>();
        for (int i = 0; i < 40; i++) {
            RequestInfo r = i % 2 == 0 ? get("/img/" + i + ".png") : get("/api/" + i);
            String cls = i % 2 == 0 ? "static" : "dynamic";
            capMix.merge(cap.choose(r, pool).server().name() + ":" + cls, 1, Integer::sum);
            rrMix.merge(rr.choose(r, pool).server().name() + ":" + cls, 1, Integer::sum);
        }
        assertEquals(Map.of("a:static", 10, "b:static", 10, "a:dynamic", 10, "b:dynamic", 10), capMix);
        assertEquals(Map.of("a:static", 20, "b:dynamic", 20), rrMix);
    }

    @Test
    void capRejectsBadPatterns() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PolicyFactory.create("cap", Map.of("static", "css")));
        assertTrue(e.getMessage().contains("'static'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PolicyFactory.create("cap", Map.of("defaultClass", "cpu")));
    }

    private static PoolView routed(ServerState node2State) {
        return PoolView.of("web", List.of(
                ServerView.builder("10.0.0.11").tag("jvmRoute", "node1").build(),
                ServerView.builder("10.0.0.12").tag("jvmRoute", "node2").state(node2State).build(),
                ServerView.builder("10.0.0.13").tag("jvmRoute", "node3").build()), 0);
    }

    private static List<String> picks(Policy p, RequestInfo r, PoolView pool, int n) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(p.choose(r, pool).server().name());
        }
        return out;
    }

    @Test
    void routeSuffixSelectsTheTaggedServer() {
        Policy p = PolicyFactory.create("session-affinity", Map.of());
        assertEquals(List.of("10.0.0.12", "10.0.0.12", "10.0.0.12"),
                picks(p, withCookie("JSESSIONID=8F3A.node2"), routed(ServerState.ACTIVE), 3));
        // the route is the text after the last '.', so a dotted server name must be reached by tag
        assertEquals(List.of("10.0.0.13", "10.0.0.13"),
                picks(p, withCookie("JSESSIONID=8F3A.x.node3"), routed(ServerState.ACTIVE), 2));
    }

    @Test
    void routeMayNameTheServerItself() {
        Policy p = PolicyFactory.create("session-affinity", Map.of("routeTag", "none"));
        PoolView pool = PoolView.of("web", List.of(server("alpha"), server("beta"), server("gamma")), 0);
        assertEquals(List.of("beta", "beta", "beta"), picks(p, withCookie("JSESSIONID=xyz.beta"), pool, 3));
    }

    @Test
    void unavailableRouteFallsBackAndDrainingIsOptIn() {
        Policy p = PolicyFactory.create("session-affinity", Map.of());
        for (String s : picks(p, withCookie("JSESSIONID=8F3A.node2"), routed(ServerState.DOWN), 4)) {
            assertTrue(!s.equals("10.0.0.12"), s);
        }
        for (String s : picks(p, withCookie("JSESSIONID=8F3A.node2"), routed(ServerState.DRAINING), 4)) {
            assertTrue(!s.equals("10.0.0.12"), s);
        }
        Policy sticky = PolicyFactory.create("session-affinity", Map.of("stickToDraining", "true"));
        assertEquals(List.of("10.0.0.12", "10.0.0.12"),
                picks(sticky, withCookie("JSESSIONID=8F3A.node2"), routed(ServerState.DRAINING), 2));
    }

    @Test
    void plainValuesAreRememberedAndCookielessRequestsRotate() {
        Policy p = PolicyFactory.create("session-affinity", Map.of("cookie", "sid"));
        PoolView pool = pool(server("a"), server("b"), server("c"));
        List<String> first = picks(p, withCookie("sid=u1"), pool, 3);
        assertEquals(1, new java.util.HashSet<>(first).size(), "one session, one server: " + first);
        List<String> anon = picks(p, get("/"), pool, 3);
        assertEquals(3, new java.util.HashSet<>(anon).size(), "round-robin fallback: " + anon);
    }

    @Test
    void fallbackPolicyAndItsParameters() {
        Policy p = PolicyFactory.create("session-affinity",
                Map.of("fallback", "consistent-hash", "fallback.key", "path", "fallback.tableSize", "1009"));
        PoolView pool = pool(server("a"), server("b"), server("c"));
        String s = p.choose(get("/x"), pool).server().name();
        assertEquals(List.of(s, s, s), picks(p, get("/x"), pool, 3));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PolicyFactory.create("session-affinity", Map.of("fallback", "lard", "fallback.tHihg", "3")));
        assertTrue(e.getMessage().contains("'tHihg'"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> PolicyFactory.create("session-affinity", Map.of("fallback", "session-affinity")));
        assertThrows(IllegalArgumentException.class,
                () -> PolicyFactory.create("session-affinity", Map.of("stickToDraining", "yes")));
    }
}
