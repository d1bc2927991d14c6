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
}
