package io.baton.dispatcher.policy;

import io.baton.dispatcher.pool.PoolView;
import io.baton.dispatcher.pool.ServerView;
import io.baton.dispatcher.request.RequestInfo;
import java.util.ArrayList;
import java.util.List;

/**
 * Least connections, optionally weighted. Unweighted: fewest active connections. Weighted:
 * least {@code (active + 1) / weight}, the load a server would have after taking this
 * connection, so that among idle servers the heavier one is preferred (as HAProxy's leastconn
 * does; nginx's least_conn compares active / weight, which ranks all idle servers equal).
 * Ties go round-robin ({@link TieBreaker}). The weighted form honours slow start.
 */
final class LeastConnectionsPolicy implements Policy {
    private final boolean weighted;
    private final long slowStartMillis;
    private final TieBreaker ties = new TieBreaker();

    LeastConnectionsPolicy(boolean weighted, long slowStartMillis) {
        this.weighted = weighted;
        this.slowStartMillis = slowStartMillis;
    }

    @Override
    public Decision choose(RequestInfo request, PoolView pool) {
        List<ServerView> best = new ArrayList<>(4);
        long bestLoad = 0;
        long bestWeight = 1;
        for (ServerView s : pool.servers()) {
            if (!s.acceptsNewConnections()) {
                continue;
            }
            long load = weighted ? s.activeConnections() + 1L : s.activeConnections();
            long w = weighted ? Weights.effective(s, pool.nowMillis(), slowStartMillis) : 1;
            int cmp = best.isEmpty() ? -1 : compareProducts(load, bestWeight, bestLoad, w);
            if (cmp < 0) {
                best.clear();
                best.add(s);
                bestLoad = load;
                bestWeight = w;
            } else if (cmp == 0) {
                best.add(s);
            }
        }
        if (best.isEmpty()) {
            return Eligibility.noneEligible(pool);
        }
        return Decision.forward(ties.pick(best));
    }

    /** Sign of a*b - c*d for non-negative longs, exact in 128 bits (weights are scaled by 1000). */
    static int compareProducts(long a, long b, long c, long d) {
        int hi = Long.compare(Math.multiplyHigh(a, b), Math.multiplyHigh(c, d));
        return hi != 0 ? hi : Long.compareUnsigned(a * b, c * d);
    }
}
