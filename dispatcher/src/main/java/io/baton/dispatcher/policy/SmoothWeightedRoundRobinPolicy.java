package io.baton.dispatcher.policy;

import io.baton.dispatcher.pool.PoolView;
import io.baton.dispatcher.pool.ServerView;
import io.baton.dispatcher.request.RequestInfo;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Smooth weighted round-robin as in nginx (ngx_http_upstream_round_robin.c,
 * ngx_http_upstream_get_peer): each pick adds every eligible server's weight to its current
 * value, chooses the largest current, and subtracts the total from it. Weights 5,1,1 give
 * a a b a c a a rather than a a a a a b c, and each server's count stays within one of its
 * exact share of every prefix of the sequence. Honours slow start through {@link Weights}.
 */
final class SmoothWeightedRoundRobinPolicy implements Policy {
    private final long slowStartMillis;
    private final Map<String, long[]> current = new HashMap<>();

    SmoothWeightedRoundRobinPolicy(long slowStartMillis) {
        this.slowStartMillis = slowStartMillis;
    }

    @Override
    public Decision choose(RequestInfo request, PoolView pool) {
        List<ServerView> servers = pool.servers();
        if (current.size() > servers.size()) {
            forgetDeparted(servers);
        }
        long total = 0;
        ServerView best = null;
        long[] bestCur = null;
        for (ServerView s : servers) {
            if (!s.acceptsNewConnections()) {
                continue; // nginx leaves a down peer's current weight as it is
            }
            long w = Weights.effective(s, pool.nowMillis(), slowStartMillis);
            long[] cur = current.computeIfAbsent(s.name(), k -> new long[1]);
            cur[0] += w;
            total += w;
            if (best == null || cur[0] > bestCur[0]) {
                best = s;
                bestCur = cur;
            }
        }
        if (best == null) {
            return Eligibility.noneEligible(pool);
        }
        bestCur[0] -= total;
        return Decision.forward(best);
    }

    private void forgetDeparted(List<ServerView> servers) {
        Set<String> names = new HashSet<>();
        for (ServerView s : servers) {
            names.add(s.name());
        }
        current.keySet().retainAll(names);
    }
}
