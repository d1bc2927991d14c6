package io.baton.dispatcher.policy;

import io.baton.dispatcher.pool.PoolView;
import io.baton.dispatcher.pool.ServerView;
import io.baton.dispatcher.request.RequestInfo;
import java.util.List;

/**
 * Plain round-robin over the pool's eligible servers in configuration order, ignoring weights.
 * Resumes after the last server chosen (by name), so a server leaving or returning does not
 * make its neighbours take two turns in a row.
 */
final class RoundRobinPolicy implements Policy {
    private String last;
    private int lastIndex;   // where `last` was: checked first, so a stable pool costs O(1)

    @Override
    public Decision choose(RequestInfo request, PoolView pool) {
        List<ServerView> servers = pool.servers();
        int n = servers.size();
        int start = 0;
        if (last != null && lastIndex < n && servers.get(lastIndex).name().equals(last)) {
            start = lastIndex + 1;
        } else if (last != null) {
            for (int i = 0; i < n; i++) {
                if (servers.get(i).name().equals(last)) {
                    start = i + 1;
                    break;
                }
            }
        }
        for (int k = 0; k < n; k++) {
            int i = (start + k) % n;
            ServerView s = servers.get(i);
            if (s.acceptsNewConnections()) {
                last = s.name();
                lastIndex = i;
                return Decision.forward(s);
            }
        }
        return Eligibility.noneEligible(pool);
    }
}
