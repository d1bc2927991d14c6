package io.baton.dispatcher.policy;

import io.baton.dispatcher.pool.PoolView;
import io.baton.dispatcher.pool.ServerState;
import io.baton.dispatcher.pool.ServerView;
import io.baton.dispatcher.request.RequestInfo;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Consistent hashing through a {@link MaglevTable} over the pool's ACTIVE servers, weighted.
 * The table is rebuilt only when the ACTIVE set or a weight changes (O(M), a few ms for the
 * default M = 65537), so a decision is one hash and one array read. A server at its
 * maxConnections keeps its slots (capacity changes by the second; rebuilding for it would
 * reshuffle other keys): its keys probe forward to the next slot with room, as Maglev's
 * connection tracking and HAProxy's bounded-load consistent hashing both let overflow spill.
 */
final class ConsistentHashPolicy implements Policy {
    static final long KEY_SEED = 0x6b6579L;

    private final HashKey key;
    private final int tableSize;
    private String[] builtNames = new String[0];   // ACTIVE servers in pool order when built
    private int[] builtWeights = new int[0];
    private MaglevTable table;

    ConsistentHashPolicy(HashKey key, int tableSize) {
        this.key = key;
        this.tableSize = tableSize;
    }

    @Override
    public Decision choose(RequestInfo request, PoolView pool) {
        boolean anyEligible = false;
        for (ServerView s : pool.servers()) {
            if (s.acceptsNewConnections()) {
                anyEligible = true;
                break;
            }
        }
        if (!anyEligible) {
            return Eligibility.noneEligible(pool);
        }
        MaglevTable t = tableFor(pool.servers());
        int slot = t.slotFor(keyHash(request));
        int m = t.size();
        for (int j = 0; j < m; j++) {
            int b = t.backendAt(slot + j < m ? slot + j : slot + j - m);
            Optional<ServerView> s = pool.server(t.name(b));
            if (s.isPresent() && s.get().acceptsNewConnections()) {
                return Decision.forward(s.get());
            }
        }
        return Eligibility.noneEligible(pool); // unreachable: an eligible server owns some slot
    }

    long keyHash(RequestInfo request) {
        Optional<String> k = key.isSource() ? Optional.<String>empty() : key.extract(request);
        return k.isPresent() ? Hashing.hash(k.get(), KEY_SEED) : Hashing.hash(request.clientIpv4() & 0xFFFFFFFFL, KEY_SEED);
    }

    MaglevTable tableFor(List<ServerView> servers) {
        int k = 0;
        boolean same = table != null;
        for (ServerView s : servers) {
            if (s.state() != ServerState.ACTIVE) {
                continue;
            }
            if (same && (k >= builtNames.length || !builtNames[k].equals(s.name()) || builtWeights[k] != s.weight())) {
                same = false;
            }
            k++;
        }
        if (same && k == builtNames.length) {
            return table;
        }
        List<ServerView> active = new ArrayList<>(k);
        for (ServerView s : servers) {
            if (s.state() == ServerState.ACTIVE) {
                active.add(s);
            }
        }
        builtNames = new String[active.size()];
        builtWeights = new int[active.size()];
        for (int i = 0; i < active.size(); i++) {
            builtNames[i] = active.get(i).name();
            builtWeights[i] = active.get(i).weight();
        }
        active.sort(Comparator.comparing(ServerView::name));
        List<String> names = new ArrayList<>(active.size());
        long[] weights = new long[active.size()];
        for (int i = 0; i < active.size(); i++) {
            names.add(active.get(i).name());
            weights[i] = active.get(i).weight();
        }
        table = MaglevTable.build(names, weights, tableSize);
        return table;
    }

    @Override
    public String toString() {
        return "consistent-hash{key=" + key + ", M=" + tableSize + ", built for " + Arrays.toString(builtNames) + "}";
    }
}
