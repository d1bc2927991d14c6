package io.baton.dispatcher.policy;

import java.util.Arrays;
import java.util.List;

/**
 * Maglev's lookup table (Eisenbud et al., "Maglev: A Fast and Reliable Software Network Load
 * Balancer", NSDI 2016, §3.4). Each backend i has a permutation of the M slots,
 * {@code (offset_i + j * skip_i) mod M} with offset and skip from two hashes of its name and M
 * prime, and backends take turns claiming their next free preferred slot until the table is
 * full. The result spreads slots almost evenly and, when a backend leaves, mostly reassigns
 * only that backend's slots (the paper's "minimal disruption", measured in the tests).
 *
 * <p>Weights: the paper notes that weighted backends can be handled by giving them turns more
 * often; here backend i takes {@code weight_i} turns per round (weights divided by their gcd),
 * so slot shares follow the weights. Backends are ordered by name before filling, so the table
 * depends only on the set of (name, weight) pairs, not on pool order: every controller
 * instance builds the same table. Immutable.
 */
final class MaglevTable {
    private final String[] names;
    private final int[] slots;

    private MaglevTable(String[] names, int[] slots) {
        this.names = names;
        this.slots = slots;
    }

    int size() {
        return slots.length;
    }

    /** Index into {@link #names()} of the backend owning the slot for this key hash. */
    int backendAt(int slot) {
        return slots[slot];
    }

    int slotFor(long keyHash) {
        return (int) Long.remainderUnsigned(keyHash, slots.length);
    }

    String name(int backend) {
        return names[backend];
    }

    String[] names() {
        return names.clone();
    }

    /**
     * @param names backend names, sorted ascending and distinct
     * @param weights positive, parallel to names
     * @param m table size, prime, at least names.size()
     */
    static MaglevTable build(List<String> names, long[] weights, int m) {
        int n = names.size();
        String[] ns = names.toArray(new String[0]);
        int[] slots = new int[m];
        Arrays.fill(slots, -1);
        if (n == 0) {
            return new MaglevTable(ns, slots);
        }
        long g = 0;
        for (long w : weights) {
            g = gcd(g, w);
        }
        long[] turns = new long[n];
        long[] offset = new long[n];
        long[] skip = new long[n];
        long[] next = new long[n];
        for (int i = 0; i < n; i++) {
            turns[i] = weights[i] / g;
            offset[i] = Long.remainderUnsigned(Hashing.hash(ns[i], 0x6d61676c6576L), m);      // "maglev"
            skip[i] = Long.remainderUnsigned(Hashing.hash(ns[i], 0x736b6970L), m - 1) + 1;   // "skip"
        }
        int filled = 0;
        while (true) {
            for (int i = 0; i < n; i++) {
                for (long t = 0; t < turns[i]; t++) {
                    long c = (offset[i] + next[i] * skip[i]) % m;
                    while (slots[(int) c] >= 0) {
                        next[i]++;
                        c = (offset[i] + next[i] * skip[i]) % m;
                    }
                    slots[(int) c] = i;
                    next[i]++;
                    if (++filled == m) {
                        return new MaglevTable(ns, slots);
                    }
                }
            }
        }
    }

    private static long gcd(long a, long b) {
        while (b != 0) {
            long t = a % b;
            a = b;
            b = t;
        }
        return a;
    }

    static boolean isPrime(long v) {
        if (v < 2) {
            return false;
        }
        for (long d = 2; d * d <= v; d++) {
            if (v % d == 0) {
                return false;
            }
        }
        return true;
    }
}
