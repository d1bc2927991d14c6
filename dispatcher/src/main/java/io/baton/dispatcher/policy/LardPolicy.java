package io.baton.dispatcher.policy;

import io.baton.dispatcher.pool.PoolView;
import io.baton.dispatcher.pool.ServerView;
import io.baton.dispatcher.request.HttpRequestHead;
import io.baton.dispatcher.request.RequestInfo;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Locality-Aware Request Distribution, Pai et al., "Locality-Aware Request Distribution in
 * Cluster-based Network Servers", ASPLOS 1998, §2.2 (LARD) and §2.3 (LARD/R). A target (the
 * normalised path; the SNI name for TLS) is bound to a server so that server's cache holds it;
 * the binding moves (LARD) or gains a replica (LARD/R) only under imbalance:
 * {@code (load > T_high and some server has load < T_low) or load >= 2 T_high}. Load is a
 * server's active connections. LARD/R drops the most loaded replica from a target's set when
 * the set has not changed for K ms, so replication shrinks back once demand falls.
 *
 * <p>The paper bounds the cluster's total connections to keep loads meaningful; here each
 * server's maxConnections plays that role. The target map is bounded (least recently used
 * targets are forgotten) so that a client inventing paths cannot grow it without limit.
 */
final class LardPolicy implements Policy {
    private final boolean replicated;
    private final int tLow;
    private final int tHigh;
    private final long shrinkAfterMillis;
    private final Map<String, TargetSet> targets;
    private final TieBreaker ties = new TieBreaker();

    /** The servers serving one target (one for LARD), and when that set last changed. */
    private static final class TargetSet {
        final List<String> servers = new ArrayList<>(2);
        long lastModified;
    }

    LardPolicy(boolean replicated, int tLow, int tHigh, long shrinkAfterMillis, final int maxTargets) {
        this.replicated = replicated;
        this.tLow = tLow;
        this.tHigh = tHigh;
        this.shrinkAfterMillis = shrinkAfterMillis;
        this.targets = new LinkedHashMap<String, TargetSet>(256, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<String, TargetSet> eldest) {
                return size() > maxTargets;
            }
        };
    }

    @Override
    public Decision choose(RequestInfo request, PoolView pool) {
        List<ServerView> eligible = Eligibility.eligible(pool);
        if (eligible.isEmpty()) {
            return Eligibility.noneEligible(pool);
        }
        String target = targetOf(request);
        long now = pool.nowMillis();
        TargetSet set = targets.get(target);
        if (set == null) {
            set = new TargetSet();
            targets.put(target, set);
        }
        // Servers that left, went down or filled up no longer serve the target.
        List<ServerView> members = new ArrayList<>(set.servers.size());
        for (Iterator<String> it = set.servers.iterator(); it.hasNext(); ) {
            Optional<ServerView> s = pool.server(it.next());
            if (s.isPresent() && s.get().acceptsNewConnections()) {
                members.add(s.get());
            } else {
                it.remove();
                set.lastModified = now;
            }
        }
        if (members.isEmpty()) {
            ServerView n = leastLoaded(eligible);
            set.servers.add(n.name());
            set.lastModified = now;
            return Decision.forward(n);
        }
        ServerView n = leastLoaded(members);
        if (imbalanced(n, eligible)) {
            ServerView p = leastLoaded(eligible);
            if (!replicated) {
                set.servers.clear();
            }
            if (!set.servers.contains(p.name())) {
                set.servers.add(p.name());
            }
            set.lastModified = now;
            n = p;
        }
        if (replicated && set.servers.size() > 1 && now - set.lastModified > shrinkAfterMillis) {
            ServerView m = mostLoaded(members);
            set.servers.remove(m.name());
            set.lastModified = now;
            if (m == n) {
                n = leastLoaded(stillIn(set, members));
            }
        }
        return Decision.forward(n);
    }

    private boolean imbalanced(ServerView n, List<ServerView> eligible) {
        int load = n.activeConnections();
        if (load >= 2 * tHigh) {
            return true;
        }
        if (load <= tHigh) {
            return false;
        }
        for (ServerView s : eligible) {
            if (s.activeConnections() < tLow) {
                return true;
            }
        }
        return false;
    }

    private ServerView leastLoaded(List<ServerView> candidates) {
        int min = Integer.MAX_VALUE;
        for (ServerView s : candidates) {
            min = Math.min(min, s.activeConnections());
        }
        List<ServerView> tied = new ArrayList<>(2);
        for (ServerView s : candidates) {
            if (s.activeConnections() == min) {
                tied.add(s);
            }
        }
        return ties.pick(tied);
    }

    private static ServerView mostLoaded(List<ServerView> candidates) {
        ServerView best = candidates.get(0);
        for (ServerView s : candidates) {
            if (s.activeConnections() > best.activeConnections()) {
                best = s;
            }
        }
        return best;
    }

    private static List<ServerView> stillIn(TargetSet set, List<ServerView> members) {
        List<ServerView> out = new ArrayList<>(members.size());
        for (ServerView s : members) {
            if (set.servers.contains(s.name())) {
                out.add(s);
            }
        }
        return out;
    }

    private static String targetOf(RequestInfo r) {
        Optional<HttpRequestHead> h = r.http();
        if (h.isPresent()) {
            return h.get().path();
        }
        return "tls:" + r.requestedHost().orElse("");
    }

    int trackedTargets() {
        return targets.size();
    }

    /** Server names currently bound to the target, for tests. */
    List<String> serversFor(String target) {
        TargetSet set = targets.get(target);
        return set == null ? new ArrayList<String>() : new ArrayList<>(set.servers);
    }
}
