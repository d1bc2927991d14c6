package io.baton.bench;

import org.HdrHistogram.Histogram;

import java.util.EnumMap;
import java.util.Map;

/**
 * What one emulated switch (with its agents) counted. Confined to the switch's event loop while
 * it runs; read after a {@code submit} to that loop, or merged into a fresh instance.
 */
final class SwitchStats {
    /** Microseconds, up to a minute, three significant digits. */
    final Histogram latencyMicros = new Histogram(60_000_000L, 3);
    /**
     * The steps of each handoff slower than {@link #SLOW_MICROS}, in microseconds: SYN to SYN-ACK
     * (the controller's front end), SYN-ACK to HandoffRequest (ACK and request packet-ins, pool
     * choice), HandoffRequest to commit (ready, reverse rule and barrier).
     */
    final Histogram slowSynAckMicros = new Histogram(60_000_000L, 2);
    final Histogram slowHandoffRequestMicros = new Histogram(60_000_000L, 2);
    final Histogram slowCommitMicros = new Histogram(60_000_000L, 2);
    /** The target's bound on p99: a handoff slower than this is looked at step by step. */
    static final long SLOW_MICROS = 2000;
    /**
     * How late the paced run's 1 ms tick ran, in microseconds: the bench's own event loop stalled
     * (its GC, or no core for it), which every connection in flight then waited out.
     */
    final Histogram pacerLateMicros = new Histogram(60_000_000L, 2);
    final EnumMap<Outcome, Long> outcomes = new EnumMap<>(Outcome.class);
    /** When this count started and when it was read, on the switch's loop (System.nanoTime). */
    long sinceNanos;
    long untilNanos;
    long started;
    /** Pacing: connections due that were not started because the in-flight bound was reached. */
    long skipped;
    long packetIns;
    long packetOuts;
    long flowModsAdd;
    long flowModsDelete;
    long barriers;
    /** HandoffRequests whose sequence numbers or data did not match what the client sent. */
    long mismatchedRequests;
    /** Packet-outs or agent messages naming a connection the bench does not know (late, or wrong switch). */
    long strays;
    /** Agent connections the controller closed (their servers take no new handoffs). */
    long agentsLost;

    void count(Outcome o) {
        outcomes.merge(o, 1L, Long::sum);
    }

    long outcome(Outcome o) {
        return outcomes.getOrDefault(o, 0L);
    }

    long failures() {
        long n = 0;
        for (Map.Entry<Outcome, Long> e : outcomes.entrySet()) {
            if (e.getKey() != Outcome.OK) {
                n += e.getValue();
            }
        }
        return n;
    }

    void add(SwitchStats o) {
        latencyMicros.add(o.latencyMicros);
        slowSynAckMicros.add(o.slowSynAckMicros);
        slowHandoffRequestMicros.add(o.slowHandoffRequestMicros);
        slowCommitMicros.add(o.slowCommitMicros);
        pacerLateMicros.add(o.pacerLateMicros);
        o.outcomes.forEach((k, v) -> outcomes.merge(k, v, Long::sum));
        started += o.started;
        skipped += o.skipped;
        packetIns += o.packetIns;
        packetOuts += o.packetOuts;
        flowModsAdd += o.flowModsAdd;
        flowModsDelete += o.flowModsDelete;
        barriers += o.barriers;
        mismatchedRequests += o.mismatchedRequests;
        strays += o.strays;
        agentsLost += o.agentsLost;
    }

    /** A copy read now: {@link #untilNanos} is set. */
    SwitchStats copy() {
        SwitchStats s = new SwitchStats();
        s.add(this);
        s.sinceNanos = sinceNanos;
        s.untilNanos = System.nanoTime();
        return s;
    }

    static void record(Histogram h, long micros) {
        h.recordValue(Math.max(1, Math.min(micros, h.getHighestTrackableValue())));
    }

    double seconds() {
        return (untilNanos - sinceNanos) / 1e9;
    }
}
