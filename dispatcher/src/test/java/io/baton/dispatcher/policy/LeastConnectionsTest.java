package io.baton.dispatcher.policy;

import static io.baton.dispatcher.testing.Fixtures.get;
import static io.baton.dispatcher.testing.Fixtures.loaded;
import static io.baton.dispatcher.testing.Fixtures.pool;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.baton.dispatcher.pool.PoolView;
import io.baton.dispatcher.pool.ServerState;
import io.baton.dispatcher.pool.ServerView;
import io.baton.dispatcher.request.RequestInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LeastConnectionsTest {
    private static final RequestInfo REQ = get("/");

    private static List<String> run(Policy p, PoolView pool, int n) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(p.choose(REQ, pool).server().name());
        }
        return out;
    }

    @Test
    void choosesFewestConnectionsAndRotatesTies() {
        Policy p = PolicyFactory.create("least-connections", Map.of());
        assertEquals(List.of("b", "b"), run(p, pool(loaded("a", 3), loaded("b", 1), loaded("c", 2)), 2));
        assertEquals(List.of("a", "c", "a", "c"), run(p, pool(loaded("a", 0), loaded("b", 5), loaded("c", 0)), 4));
    }

    @Test
    void neverChoosesIneligibleEvenIfIdle() {
        Policy p = PolicyFactory.create("least-connections", Map.of());
        PoolView pool = pool(ServerView.builder("down").state(ServerState.DOWN).build(),
                ServerView.builder("draining").state(ServerState.DRAINING).build(),
                ServerView.builder("full").maxConnections(10).activeConnections(10).build(), loaded("busy", 500));
        assertEquals(List.of("busy", "busy"), run(p, pool, 2));
    }

    @Test
    void weightedRanksByLoadAfterThisConnection() {
        Policy p = PolicyFactory.create("weighted-least-connections", Map.of());
        ServerView big = ServerView.builder("big").weight(3).activeConnections(4).build();   // 5/3
        ServerView small = ServerView.builder("small").weight(1).activeConnections(1).build(); // 2/1
        assertEquals(List.of("big"), run(p, pool(big, small), 1));
        // idle servers: the heavier one first
        assertEquals(List.of("big"), run(p, pool(big.toBuilder().activeConnections(0).build(),
                small.toBuilder().activeConnections(0).build()), 1));
        // exact tie 6/3 = 2/1: round-robin
        ServerView tieBig = big.toBuilder().activeConnections(5).build();
        assertEquals(List.of("big", "small", "big"), run(new LeastConnectionsPolicy(true, 0), pool(tieBig, small), 3));
    }

    @Test
    void weightedHonoursSlowStart() {
        long now = 1_000_000L;
        ServerView warm = ServerView.builder("warm").activeConnections(9).upSinceMillis(0).build();
        ServerView cold = ServerView.builder("cold").activeConnections(0).upSinceMillis(now - 1_000).build();
        PoolView pool = PoolView.of("web", List.of(warm, cold), now);
        // cold's effective weight is 1/60 of warm's: 1 / (1/60) = 60 > 10 / 1
        Policy p = PolicyFactory.create("weighted-least-connections", Map.of("slowStartMillis", "60000"));
        assertEquals(List.of("warm"), run(p, pool, 1));
        Policy noRamp = PolicyFactory.create("weighted-least-connections", Map.of());
        assertEquals(List.of("cold"), run(noRamp, pool, 1));
    }

    @Test
    void productComparisonIsExactBeyond64Bits() {
        assertEquals(1, Long.signum(LeastConnectionsPolicy.compareProducts(Long.MAX_VALUE, 3, Long.MAX_VALUE, 2)));
        assertEquals(0, LeastConnectionsPolicy.compareProducts(1L << 40, 1L << 40, 1L << 41, 1L << 39));
        assertEquals(-1, Long.signum(LeastConnectionsPolicy.compareProducts(2, 3, 1, 7)));
    }
}
