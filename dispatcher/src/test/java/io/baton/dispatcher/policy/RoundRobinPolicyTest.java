package io.baton.dispatcher.policy;

import static io.baton.dispatcher.testing.Fixtures.get;
import static io.baton.dispatcher.testing.Fixtures.pool;
import static io.baton.dispatcher.testing.Fixtures.server;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.dispatcher.pool.PoolView;
import io.baton.dispatcher.pool.ServerState;
import io.baton.dispatcher.pool.ServerView;
import io.baton.dispatcher.request.RejectReason;
import io.baton.dispatcher.request.RequestInfo;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class RoundRobinPolicyTest {
    private static final RequestInfo REQ = get("/");

    private static String pick(Policy p, PoolView pool) {
        return p.choose(REQ, pool).server().name();
    }

    @Test
    void cyclesInConfigurationOrder() {
        Policy p = PolicyFactory.create("round-robin", Map.of());
        PoolView pool = pool(server("a"), server("b"), server("c"));
        List<String> seen = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            seen.add(pick(p, pool));
        }
        assertEquals(List.of("a", "b", "c", "a", "b", "c", "a"), seen);
    }

    @Test
    void skipsServersThatMayNotTakeConnections() {
        Policy p = PolicyFactory.create("round-robin", null);
        PoolView pool = pool(server("a", ServerState.DRAINING), server("b"), server("c", ServerState.DOWN),
                server("d", ServerState.DISABLED), ServerView.builder("e").maxConnections(3).activeConnections(3).build(),
                server("f"));
        List<String> seen = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            seen.add(pick(p, pool));
        }
        assertEquals(List.of("b", "f", "b", "f"), seen);
    }

    @Test
    void resumesAfterTheLastServerWhenMembershipChanges() {
        Policy p = new RoundRobinPolicy();
        assertEquals("a", pick(p, pool(server("a"), server("b"), server("c"))));
        assertEquals("b", pick(p, pool(server("a"), server("b"), server("c"))));
        // a server is inserted before b: b's successor is still c
        assertEquals("c", pick(p, pool(server("z"), server("a"), server("b"), server("c"))));
        assertEquals("z", pick(p, pool(server("z"), server("a"), server("b"), server("c"))));
    }

    @Test
    void rejectsWhenNothingIsEligible() {
        Policy p = new RoundRobinPolicy();
        Decision empty = p.choose(REQ, pool());
        assertFalse(empty.isForward());
        assertEquals(RejectReason.POOL_EMPTY, empty.reason());
        assertTrue(empty.detail().contains("web"), empty.detail());

        Decision down = p.choose(REQ, pool(server("a", ServerState.DOWN), server("b", ServerState.DRAINING)));
        assertEquals(RejectReason.POOL_EMPTY, down.reason());
        assertTrue(down.detail().contains("DOWN=1"), down.detail());

        Decision full = p.choose(REQ, pool(ServerView.builder("a").maxConnections(1).activeConnections(1).build()));
        assertEquals(RejectReason.POOL_SATURATED, full.reason());
        assertThrows(IllegalStateException.class, full::server);
    }

    @Test
    void decisionAccessorsGuardTheirKind() {
        Decision f = Decision.forward(server("a"));
        assertThrows(IllegalStateException.class, f::reason);
        assertThrows(IllegalStateException.class, f::detail);
        assertEquals("a", f.server().name());
    }

    /** Over k full rounds each eligible server is chosen exactly k times and no other ever. */
    @Property(tries = 300)
    void fairAndOnlyEligible(@ForAll @Size(min = 1, max = 12) List<@IntRange(min = 0, max = 5) Integer> kinds,
                             @ForAll @IntRange(min = 1, max = 5) int rounds) {
        List<ServerView> servers = new ArrayList<>();
        int eligible = 0;
        for (int i = 0; i < kinds.size(); i++) {
            ServerView.Builder b = ServerView.builder("s" + i);
            int k = kinds.get(i);
            if (k == 1) {
                b.state(ServerState.DRAINING);
            } else if (k == 2) {
                b.state(ServerState.DOWN);
            } else if (k == 3) {
                b.maxConnections(1).activeConnections(1);
            } else {
                eligible++;
            }
            servers.add(b.build());
        }
        PoolView pool = PoolView.of("p", servers, 0);
        Policy p = new RoundRobinPolicy();
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < eligible * rounds; i++) {
            Decision d = p.choose(REQ, pool);
            assertTrue(d.server().acceptsNewConnections());
            counts.merge(d.server().name(), 1, Integer::sum);
        }
        if (eligible == 0) {
            assertFalse(p.choose(REQ, pool).isForward());
        }
        assertEquals(eligible, counts.size());
        for (int c : counts.values()) {
            assertEquals(rounds, c);
        }
    }

    @Test
    void factoryRejectsUnknownNamesAndParameters() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PolicyFactory.create("round-robbin", Map.of()));
        assertTrue(e.getMessage().contains("round-robbin"), e.getMessage());
        IllegalArgumentException e2 = assertThrows(IllegalArgumentException.class,
                () -> PolicyFactory.create("round-robin", Map.of("wieght", "2")));
        assertTrue(e2.getMessage().contains("'wieght'"), e2.getMessage());
    }
}
