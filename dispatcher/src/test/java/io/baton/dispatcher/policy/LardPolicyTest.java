package io.baton.dispatcher.policy;

import static io.baton.dispatcher.testing.Fixtures.get;
import static io.baton.dispatcher.testing.Fixtures.tls;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.dispatcher.pool.PoolView;
import io.baton.dispatcher.pool.ServerState;
import io.baton.dispatcher.pool.ServerView;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LardPolicyTest {
    /** Pool with the given loads for servers a, b, c... at time now. */
    private static PoolView loads(long now, int... conns) {
        List<ServerView> servers = new ArrayList<>();
        for (int i = 0; i < conns.length; i++) {
            servers.add(ServerView.builder(String.valueOf((char) ('a' + i))).activeConnections(conns[i]).build());
        }
        return PoolView.of("web", servers, now);
    }

    private static String pick(Policy p, String path, PoolView pool) {
        return p.choose(get(path), pool).server().name();
    }

    @Test
    void targetStaysOnItsServerUnderLowLoad() {
        Policy p = PolicyFactory.create("lard", Map.of());
        String first = pick(p, "/video/1", loads(0, 0, 0, 0));
        // its server gets busier than the others, but stays below T_high = 65
        for (int load = 1; load <= 65; load++) {
            int[] c = {0, 0, 0};
            c[first.charAt(0) - 'a'] = load;
            assertEquals(first, pick(p, "/video/1", loads(0, c)), "load " + load);
        }
    }

    @Test
    void newTargetsGoToTheLeastLoadedServer() {
        Policy p = PolicyFactory.create("lard", Map.of());
        assertEquals("b", pick(p, "/x", loads(0, 10, 2, 7)));
        assertEquals("c", pick(p, "/y", loads(0, 10, 9, 7)));
        assertEquals("b", pick(p, "/x", loads(0, 10, 9, 7)), "/x stays on b");
    }

    @Test
    void movesUnderHighLoadWhenAnotherServerIsIdle() {
        Policy p = PolicyFactory.create("lard", Map.of());
        assertEquals("a", pick(p, "/t", loads(0, 0, 5, 5)));
        assertEquals("a", pick(p, "/t", loads(0, 66, 30, 30)), "above T_high but nobody below T_low");
        assertEquals("b", pick(p, "/t", loads(0, 66, 24, 30)), "above T_high and b below T_low");
        assertEquals("b", pick(p, "/t", loads(0, 0, 40, 30)), "the move sticks");
    }

    @Test
    void movesAtTwiceTHighRegardless() {
        Policy p = PolicyFactory.create("lard", Map.of("tLow", "5", "tHigh", "10"));
        assertEquals("a", pick(p, "/t", loads(0, 0, 5, 5)));
        assertEquals("a", pick(p, "/t", loads(0, 19, 18, 18)));
        assertEquals("b", pick(p, "/t", loads(0, 20, 18, 19)));
    }

    @Test
    void reassignsWhenItsServerCannotTakeConnections() {
        Policy p = PolicyFactory.create("lard", Map.of());
        assertEquals("a", pick(p, "/t", loads(0, 0, 1, 1)));
        PoolView aDown = PoolView.of("web", List.of(ServerView.builder("a").state(ServerState.DOWN).build(),
                ServerView.builder("b").activeConnections(3).build(), ServerView.builder("c").activeConnections(1).build()), 0);
        assertEquals("c", pick(p, "/t", aDown));
        assertEquals("c", pick(p, "/t", loads(0, 0, 1, 1)), "and the new binding sticks");
    }

    @Test
    void lardRReplicatesUnderLoadAndShrinksAfterK() {
        LardPolicy p = (LardPolicy) PolicyFactory.create("lard-r", Map.of("shrinkAfterMillis", "1000"));
        assertEquals("a", pick(p, "/hot", loads(0, 0, 1, 2)));
        assertEquals(List.of("a"), p.serversFor("/hot"));
        assertEquals("b", pick(p, "/hot", loads(10, 70, 10, 30)), "a is overloaded: replicate to b");
        assertEquals(List.of("a", "b"), p.serversFor("/hot"));
        // both replicas serve, least loaded of the set first; c is never used for /hot
        assertEquals("a", pick(p, "/hot", loads(20, 40, 50, 0)));
        assertEquals("b", pick(p, "/hot", loads(30, 50, 40, 0)));
        // K elapsed since the set last changed: the most loaded replica is dropped
        assertEquals("b", pick(p, "/hot", loads(1500, 50, 40, 0)));
        assertEquals(List.of("b"), p.serversFor("/hot"));
    }

    @Test
    void targetMapIsBounded() {
        LardPolicy p = (LardPolicy) PolicyFactory.create("lard", Map.of("maxTargets", "3"));
        for (int i = 0; i < 50; i++) {
            pick(p, "/p" + i, loads(0, 0, 0));
        }
        assertEquals(3, p.trackedTargets());
    }

    @Test
    void spreadsDistinctTargetsWhenLoadsAreEqual() {
        Policy p = PolicyFactory.create("lard", Map.of());
        Map<String, String> placed = new LinkedHashMap<>();
        for (int i = 0; i < 6; i++) {
            placed.put("/t" + i, pick(p, "/t" + i, loads(0, 0, 0, 0)));
        }
        Set<String> used = new HashSet<>(placed.values());
        assertEquals(3, used.size(), "ties are broken round-robin: " + placed);
    }

    @Test
    void tlsConnectionsAreTargetedBySni() {
        Policy p = PolicyFactory.create("lard", Map.of());
        String s = p.choose(tls("a.example"), loads(0, 0, 0)).server().name();
        assertEquals(s, p.choose(tls("a.example"), loads(0, 0, 0)).server().name());
    }

    @Test
    void thresholdsAreValidated() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PolicyFactory.create("lard", Map.of("tLow", "70")));
        assertTrue(e.getMessage().contains("'tLow'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PolicyFactory.create("lard", Map.of("shrinkAfterMillis", "5")),
                "shrinkAfterMillis is LARD/R only");
    }
}
