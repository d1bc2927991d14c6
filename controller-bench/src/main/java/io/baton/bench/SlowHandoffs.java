package io.baton.bench;

/**
 * Where the handoffs slower than the target's 2 ms spent their time, step by step (median and
 * p90 over those handoffs, ms), and how late the bench's own pacing tick ran (p99 and max, ms;
 * NaN in a closed-loop run, which has no tick). A step that is slow while the tick was on time
 * waited in the controller; a late tick means every connection in flight waited for the bench.
 */
record SlowHandoffs(long count, double fractionOfAll,
                    double synAckP50Ms, double synAckP90Ms,
                    double handoffRequestP50Ms, double handoffRequestP90Ms,
                    double commitP50Ms, double commitP90Ms,
                    double pacerLateP99Ms, double pacerLateMaxMs) {
}
