package io.baton.dispatcher.policy;

import io.baton.dispatcher.pool.PoolView;
import io.baton.dispatcher.pool.ServerView;
import io.baton.dispatcher.request.RequestInfo;

/**
 * Source-address affinity by rendezvous (highest random weight) hashing, Thaler and Ravishankar
 * 1998: each client address goes to the eligible server with the highest hash(address, server).
 * Unlike hash-mod-N, a server leaving moves only its own clients, and one returning takes back
 * only about 1/N of them, with no table to build. O(N) per decision.
 */
final class SourceHashPolicy implements Policy {
    @Override
    public Decision choose(RequestInfo request, PoolView pool) {
        ServerView best = null;
        long bestScore = 0;
        long ip = request.clientIpv4() & 0xFFFFFFFFL;
        for (ServerView s : pool.servers()) {
            if (!s.acceptsNewConnections()) {
                continue;
            }
            long score = Hashing.hash(ip, Hashing.hash(s.name(), 0));
            if (best == null || Long.compareUnsigned(score, bestScore) > 0) {
                best = s;
                bestScore = score;
            }
        }
        return best == null ? Eligibility.noneEligible(pool) : Decision.forward(best);
    }
}
