package io.baton.dispatcher.policy;

import io.baton.dispatcher.pool.PoolView;
import io.baton.dispatcher.pool.ServerView;
import io.baton.dispatcher.request.RequestInfo;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Smooth weighted round-robin as in nginx (ngx_http_upstream_round_robin.c,
 * ngx_http_upstream_get_peer): each pick adds every eligible server's weight to its current
 * value, chooses the largest current, and subtracts the total from it. Weights 5,1,1 give
 * a a b a c a a rather than a a a a a b c, and each server's count stays within one of its
 * exact share on every prefix of the sequence. Honours slow start through {@link Weights}.
 * Current values live in an array aligned with the pool; a server that leaves the pool loses
 * its value and starts again from zero if it returns.
 */
final class SmoothWeightedRoundRobinPolicy implements Policy {
    private final long slowStartMillis;
    private final ServerOrder order = new ServerOrder();
    private long[] current = new long[0];

    SmoothWeightedRoundRobinPolicy(long slowStartMillis) {
        this.slowStartMillis = slowStartMillis;
    }

    @Override
    public Decision choose(RequestInfo request, PoolView pool) {
        List<ServerView> servers = pool.servers();
        String[] before = order.names();
        if (order.changed(servers)) {
            realign(before, servers);
        }
        long total = 0;
        int best = -1;
        for (int i = 0; i < servers.size(); i++) {
            ServerView s = servers.get(i);
            if (!s.acceptsNewConnections()) {
                continue; // nginx leaves a down peer's current weight as it is
            }
            long w = Weights.effective(s, pool.nowMillis(), slowStartMillis);
            current[i] += w;
            total += w;
            if (best < 0 || current[i] > current[best]) {
                best = i;
            }
        }
        if (best < 0) {
            return Eligibility.noneEligible(pool);
        }
        current[best] -= total;
        return Decision.forward(servers.get(best));
    }

    private void realign(String[] before, List<ServerView> servers) {
        Map<String, Long> byName = new HashMap<>();
        for (int i = 0; i < before.length; i++) {
            byName.put(before[i], current[i]);
        }
        long[] fresh = new long[servers.size()];
        for (int i = 0; i < fresh.length; i++) {
            Long v = byName.get(servers.get(i).name());
            fresh[i] = v == null ? 0 : v;
        }
        current = fresh;
    }
}
