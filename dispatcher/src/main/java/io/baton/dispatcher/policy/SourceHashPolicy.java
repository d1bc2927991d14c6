package io.baton.dispatcher.policy;

import io.baton.dispatcher.pool.PoolView;
import io.baton.dispatcher.pool.ServerView;
import io.baton.dispatcher.request.RequestInfo;
import java.util.List;

/**
 * Source-address affinity by rendezvous (highest random weight) hashing, Thaler and Ravishankar
 * 1998: each client address goes to the eligible server with the highest hash(address, server).
 * Unlike hash-mod-N, a server leaving moves only its own clients, and one returning takes back
 * only about 1/N of them, with no table to build. O(N) per decision.
 */
final class SourceHashPolicy implements Policy {
    private final ServerOrder order = new ServerOrder();
    private long[] nameHashes = new long[0];   // aligned with the pool's servers

    @Override
    public Decision choose(RequestInfo request, PoolView pool) {
        List<ServerView> servers = pool.servers();
        if (order.changed(servers)) {
            nameHashes = new long[servers.size()];
            for (int i = 0; i < nameHashes.length; i++) {
                nameHashes[i] = Hashing.hash(servers.get(i).name(), 0);
            }
        }
        ServerView best = null;
        long bestScore = 0;
        long ip = request.clientIpv4() & 0xFFFFFFFFL;
        for (int i = 0; i < servers.size(); i++) {
            ServerView s = servers.get(i);
            if (!s.acceptsNewConnections()) {
                continue;
            }
            long score = Hashing.hash(ip, nameHashes[i]);
            if (best == null || Long.compareUnsigned(score, bestScore) > 0) {
                best = s;
                bestScore = score;
            }
        }
        return best == null ? Eligibility.noneEligible(pool) : Decision.forward(best);
    }
}
