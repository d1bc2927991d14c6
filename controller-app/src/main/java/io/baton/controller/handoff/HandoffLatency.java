package io.baton.controller.handoff;

/**
 * Handoff latency (SYN-to-commit is not it: from dispatch to rules confirmed) in log-spaced
 * buckets of microseconds, so percentiles cost fixed memory. Written on the engine thread;
 * a reader on another thread may see a slightly stale picture.
 */
public final class HandoffLatency {
    private static final int BUCKETS = 64;
    private final long[] counts = new long[BUCKETS];
    private volatile long total;

    void record(long nanos) {
        counts[bucket(Math.max(1, nanos / 1000))]++;
        total++;
    }

    /** Upper bound, in microseconds, of the bucket holding the p-th percentile (0 < p <= 100). */
    public long percentileMicros(double p) {
        long n = total;
        if (n == 0) {
            return 0;
        }
        long rank = (long) Math.ceil(n * p / 100.0);
        long seen = 0;
        for (int i = 0; i < BUCKETS; i++) {
            seen += counts[i];
            if (seen >= rank) {
                return upper(i);
            }
        }
        return upper(BUCKETS - 1);
    }

    public long count() {
        return total;
    }

    /** Four buckets per power of two: about 19% resolution. */
    private static int bucket(long micros) {
        int log = 63 - Long.numberOfLeadingZeros(micros);
        int quarter = log >= 2 ? (int) ((micros >>> (log - 2)) & 3) : 0;
        return Math.min(BUCKETS - 1, log * 4 + quarter);
    }

    private static long upper(int bucket) {
        int log = bucket / 4;
        int quarter = bucket % 4;
        return (1L << log) + ((quarter + 1L) << log) / 4;
    }
}
