package io.baton.dispatcher.policy;

import io.baton.dispatcher.pool.PoolView;
import io.baton.dispatcher.pool.ServerState;
import io.baton.dispatcher.pool.ServerView;
import io.baton.dispatcher.request.RejectReason;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Which servers may take a new connection (ACTIVE and below maxConnections), and the reject
 * that explains why none may. Shared by every policy so they agree on both.
 */
public final class Eligibility {
    private Eligibility() {
    }

    public static List<ServerView> eligible(PoolView pool) {
        List<ServerView> out = new ArrayList<>(pool.servers().size());
        for (ServerView s : pool.servers()) {
            if (s.acceptsNewConnections()) {
                out.add(s);
            }
        }
        return out;
    }

    /**
     * The reject for a pool without eligible servers: POOL_SATURATED when ACTIVE servers exist
     * but all are at their cap, POOL_EMPTY otherwise; the detail counts servers by state.
     */
    public static Decision noneEligible(PoolView pool) {
        Map<ServerState, Integer> counts = new EnumMap<>(ServerState.class);
        for (ServerView s : pool.servers()) {
            counts.merge(s.state(), 1, Integer::sum);
        }
        int active = counts.getOrDefault(ServerState.ACTIVE, 0);
        if (active > 0) {
            return Decision.reject(RejectReason.POOL_SATURATED,
                    "pool '" + pool.name() + "': all " + active + " ACTIVE servers are at maxConnections");
        }
        String detail = pool.servers().isEmpty() ? "pool '" + pool.name() + "' has no servers"
                : "pool '" + pool.name() + "' has no ACTIVE server " + counts;
        return Decision.reject(RejectReason.POOL_EMPTY, detail);
    }
}
