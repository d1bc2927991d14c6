package io.baton.dispatcher.policy;

import io.baton.dispatcher.pool.PoolView;
import io.baton.dispatcher.pool.ServerState;
import io.baton.dispatcher.pool.ServerView;
import io.baton.dispatcher.request.RequestInfo;
import java.util.Arrays;
import java.util.List;

/**
 * Smooth weighted round-robin with a proven bound: Tijdeman's algorithm for the chairman
 * assignment problem (R. Tijdeman, "The chairman assignment problem", Discrete Mathematics 32
 * (1980) 323-330).
 *
 * <h2>The rule</h2>
 * With {@code k >= 2} servers of weights {@code w_i}, {@code W = sum w_i}, shares
 * {@code p_i = w_i / W}, {@code c_i} the number of picks of server {@code i} so far and
 * {@code s = 1 - 1/(2k-2)}, pick number {@code n} (1-based) goes to a server that is
 * <ul>
 * <li>released: {@code n*p_i - c_i >= 1/(2k-2)}, i.e. picking it keeps
 *     {@code c_i + 1 - n*p_i <= s}; and, among those,</li>
 * <li>due first: least deadline {@code (c_i + s) / p_i} (its next pick must come by pick number
 *     deadline + 1, or its count falls more than {@code s} behind its share); equal deadlines go to the lighter server (the one further behind its share; this
 *     reproduces nginx's a a b a c a a for weights 5,1,1), then to the earlier one in the
 *     pool.</li>
 * </ul>
 * (Earliest deadline first over each server's next pick, each released only once it cannot
 * overshoot.) Tijdeman proves that for every server and every {@code n}:
 * <b>{@code |c_i(n) - n*p_i| <= 1 - 1/(2k-2)}</b>. Consequences:
 * <ul>
 * <li>each count is within one of its exact share after every prefix, strictly for {@code k >= 2}
 *     (what this policy promises): within 1/2 for two servers, 3/4 for three, 7/8 for five;</li>
 * <li>over any window of consecutive picks (a difference of two prefixes) within
 *     {@code 2 - 1/(k-1) < 2} of the window's exact share; so no bursts: between two picks of a
 *     server lie fewer than {@code 2W/w_i} picks;</li>
 * <li>after {@code W} picks every count is exactly {@code w_i} (an integer within {@code s < 1} of
 *     {@code w_i}), the state is the start state shifted by whole shares, so the sequence repeats
 *     with period {@code W} and is exact over any number of whole periods. The counters restart
 *     at every period boundary, which keeps them bounded.</li>
 * </ul>
 * One server ({@code k = 1}, where {@code 1/(2k-2)} is undefined) simply gets every pick.
 *
 * <h2>Why not nginx's rule</h2>
 * nginx (ngx_http_upstream_get_peer: add every weight to its current value, pick the largest,
 * subtract the total from it), which this class implemented before, is smooth but does not keep
 * every prefix within one: weights 1,1,1,11,11 give the fifth server 6 of the first 16 picks
 * against an exact share of 16*11/25 = 7.04. Tijdeman's rule stays within 7/8 there.
 *
 * <h2>The live pool</h2>
 * <ul>
 * <li>The schedule runs over the ACTIVE servers (in pool order) with their effective weights.
 *     When that set, its order or any effective weight changes, the schedule starts again from
 *     zero (no picks, empty counts). Why: the bound is a statement about one fixed share vector
 *     from the empty state; {@code n} picks into a period, counts earned under the old shares
 *     are off the new shares by up to {@code n*|p_old - p_new|} plus {@code s}, which carrying
 *     them over would pay back as a burst (or a drought), whereas from a fresh start every
 *     server is within {@code s < 1} of its new share again.</li>
 * <li>Slow start: effective weights ramp in {@value #RAMP_STEPS} equal steps
 *     ({@link Weights#stepped}), not continuously: every change starts the schedule afresh, and
 *     the first pick of a fresh schedule always goes to the heaviest server, so a weight that
 *     changed on almost every decision would starve the newcomer for its whole ramp. Stepped,
 *     the schedule restarts at most {@value #RAMP_STEPS} times per ramp.</li>
 * <li>A server at its {@code maxConnections} stays in the schedule but is skipped: when the
 *     schedule's next pick is such a server, that pick is forfeited (counted as taken) and the
 *     schedule moves on to the next one. A capped server therefore builds no debt that it would
 *     collect in a burst once it has room again, and the servers with room receive exactly their
 *     picks of the unchanged schedule (so their mutual ratio and spacing are the schedule's).
 *     At most {@value #MAX_SLOTS} schedule picks are examined per decision, which bounds the
 *     work. If none of them is a server with room (only light servers, e.g. ones early in slow
 *     start, have room while the heavy ones are full), the decision goes to the server with room
 *     whose next pick is due first, counting such picks since the last scheduled one as made, so
 *     several such servers alternate roughly by weight (weights 1 and 2 beside a full 1000 share
 *     about 0.94 : 2.06); these picks are not charged to the schedule, just as forfeited picks
 *     are not owed. The bound above holds while no server is capped.</li>
 * </ul>
 *
 * <p>Arithmetic is exact in integers (no floating point): with {@code D = 2k-2},
 * released is {@code n*w_i*D >= (c_i*D + 1)*W} and deadlines compare as
 * {@code (c_a*D + D-1)*w_b} against {@code (c_b*D + D-1)*w_a}, products compared in 128 bits.
 * Weights are divided by their gcd first. Like every policy, an instance is used by one thread
 * at a time (one instance per pool) and is not synchronised.
 */
final class SmoothWeightedRoundRobinPolicy implements Policy {
    /** Steps of the slow-start ramp. */
    static final int RAMP_STEPS = 100;
    /** Schedule picks examined per decision before the fallback for capped servers. */
    static final int MAX_SLOTS = 64;

    private final long slowStartMillis;
    private final ServerOrder order = new ServerOrder();

    // The schedule; member i is pool index member[i]. Arrays have exactly k entries.
    private int[] member = new int[0];
    private long[] rawWeight = new long[0];   // effective weights as read, to notice changes
    private long[] weight = new long[0];      // rawWeight / gcd
    private long[] weightD = new long[0];     // weight * D
    private long[] count = new long[0];       // picks of member i in this period
    private long[] early = new long[0];       // fallback picks since the last scheduled pick
    private boolean anyEarly;
    private long total;                       // W = sum of weight
    private long d;                           // D = 2k - 2
    private long taken;                       // picks in this period, 0 <= taken < W

    // Scratch for reading the pool, reused.
    private int[] readMember = new int[0];
    private long[] readWeight = new long[0];

    SmoothWeightedRoundRobinPolicy(long slowStartMillis) {
        this.slowStartMillis = slowStartMillis;
    }

    @Override
    public Decision choose(RequestInfo request, PoolView pool) {
        List<ServerView> servers = pool.servers();
        boolean reordered = order.changed(servers);
        int k = read(servers, pool.nowMillis());
        if (reordered || !sameSchedule(k)) {
            restart(k);
        }
        boolean anyRoom = false;
        for (int i = 0; i < k && !anyRoom; i++) {
            anyRoom = servers.get(member[i]).hasCapacity();
        }
        if (!anyRoom) {
            return Eligibility.noneEligible(pool);
        }
        if (k == 1) {
            return Decision.forward(servers.get(member[0]));
        }
        for (int examined = 0; examined < MAX_SLOTS; examined++) {
            int i = next();
            take(i);
            if (servers.get(member[i]).hasCapacity()) {
                if (anyEarly) {
                    Arrays.fill(early, 0);
                    anyEarly = false;
                }
                return Decision.forward(servers.get(member[i]));
            }
            // forfeited: member i is at its cap
        }
        int best = -1;
        for (int i = 0; i < k; i++) {
            if (servers.get(member[i]).hasCapacity() && (best < 0 || dueBefore(i, count[i] + early[i], best, count[best] + early[best]))) {
                best = i;
            }
        }
        early[best]++;
        anyEarly = true;
        return Decision.forward(servers.get(member[best]));
    }

    /** Tijdeman's choice for pick number taken + 1: the released member due first. */
    private int next() {
        long n = taken + 1;
        int best = -1;
        for (int i = 0; i < weight.length; i++) {
            if (LeastConnectionsPolicy.compareProducts(n, weightD[i], count[i] * d + 1, total) < 0) {
                continue; // not released: picking it now would put it more than s ahead
            }
            if (best < 0 || dueBefore(i, count[i], best, count[best])) {
                best = i;
            }
        }
        // Never -1: the released test fails only if n*p_i - c_i < 1/(2k-2) for every i, but those
        // k lags sum to n - (n - 1) = 1 and k/(2k-2) <= 1.
        assert best >= 0;
        return best;
    }

    /** Whether member a's next deadline, with ca picks made, is before b's with cb (ties: lighter, then earlier). */
    private boolean dueBefore(int a, long ca, int b, long cb) {
        int cmp = LeastConnectionsPolicy.compareProducts(ca * d + d - 1, weight[b], cb * d + d - 1, weight[a]);
        if (cmp != 0) {
            return cmp < 0;
        }
        return weight[a] != weight[b] ? weight[a] < weight[b] : a < b;
    }

    private void take(int i) {
        count[i]++;
        taken++;
        if (taken == total) { // every count is exactly weight[i] now: a period is complete
            taken = 0;
            Arrays.fill(count, 0);
        }
    }

    /** Reads the ACTIVE servers and their effective weights into the scratch arrays; returns k. */
    private int read(List<ServerView> servers, long nowMillis) {
        int n = servers.size();
        if (readMember.length < n) {
            readMember = new int[n];
            readWeight = new long[n];
        }
        int k = 0;
        for (int i = 0; i < n; i++) {
            ServerView s = servers.get(i);
            if (s.state() == ServerState.ACTIVE) {
                readMember[k] = i;
                readWeight[k] = Weights.stepped(s, nowMillis, slowStartMillis, RAMP_STEPS);
                k++;
            }
        }
        return k;
    }

    private boolean sameSchedule(int k) {
        if (k != member.length) {
            return false;
        }
        for (int i = 0; i < k; i++) {
            if (readMember[i] != member[i] || readWeight[i] != rawWeight[i]) {
                return false;
            }
        }
        return true;
    }

    /** Starts the schedule from zero for the members just read. */
    private void restart(int k) {
        member = Arrays.copyOf(readMember, k);
        rawWeight = Arrays.copyOf(readWeight, k);
        long g = 0;
        for (long w : rawWeight) {
            g = gcd(g, w);
        }
        weight = new long[k];
        weightD = new long[k];
        total = 0;
        d = 2L * k - 2;
        for (int i = 0; i < k; i++) {
            weight[i] = rawWeight[i] / g;
            weightD[i] = weight[i] * d; // effective weight < 2^41, d < 2^22 for any real pool
            total += weight[i];
        }
        count = new long[k];
        early = new long[k];
        anyEarly = false;
        taken = 0;
    }

    private static long gcd(long a, long b) {
        while (b != 0) {
            long t = a % b;
            a = b;
            b = t;
        }
        return a;
    }
}
