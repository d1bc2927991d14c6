package io.baton.dispatcher.policy;

import io.baton.dispatcher.pool.ServerView;

/**
 * Effective weight with slow start: a server that came up {@code t} ms ago, with
 * {@code t < slowStartMillis}, counts with weight {@code weight * t / slowStartMillis} (at least
 * one unit), so a cold cache or JIT is not hit with its full share at once (the linear ramp of
 * HAProxy's and nginx Plus's slow_start). Weights are scaled by {@link #SCALE} while ramping so
 * the ramp is smooth for small weights; every weighted algorithm here is scale-invariant.
 */
final class Weights {
    static final long SCALE = 1000;

    private Weights() {
    }

    static long effective(ServerView s, long nowMillis, long slowStartMillis) {
        if (slowStartMillis <= 0) {
            return s.weight() * SCALE;
        }
        long up = nowMillis - s.upSinceMillis();
        if (up >= slowStartMillis) {
            return s.weight() * SCALE;
        }
        if (up <= 0) {
            return 1;
        }
        return Math.max(1, s.weight() * SCALE * up / slowStartMillis);
    }

    /**
     * The same linear ramp taken in {@code steps} equal steps (1 &lt;= steps &lt;= SCALE): during
     * step {@code j = floor(t * steps / slowStartMillis)} the weight is
     * {@code weight * SCALE * j / steps}, and one unit while {@code j = 0}. For a policy whose
     * state starts afresh whenever a weight changes (smooth weighted round-robin), so that it
     * starts afresh at most {@code steps} times per ramp rather than on almost every decision.
     */
    static long stepped(ServerView s, long nowMillis, long slowStartMillis, int steps) {
        if (slowStartMillis <= 0) {
            return s.weight() * SCALE;
        }
        long up = nowMillis - s.upSinceMillis();
        if (up >= slowStartMillis) {
            return s.weight() * SCALE;
        }
        if (up <= 0) {
            return 1;
        }
        long j = up * steps / slowStartMillis; // up < slowStartMillis <= one day: no overflow
        return j == 0 ? 1 : s.weight() * SCALE * j / steps;
    }
}
