package io.baton.bench;

import java.util.Map;

/**
 * One measured run at one switch count: a closed-loop throughput run (a window of connections
 * kept in flight) or a paced run at a fixed rate. Latencies are first SYN to commit, in ms.
 * CPU: percent of one core over the measured interval; per handoff in microseconds, all the
 * controller's threads, and without the JIT compiler threads (still busy long after start on a
 * machine this small, so the second is closer to the steady state). The load average shows how
 * much else ran on the machine meanwhile.
 */
record PhaseResult(String kind, int switches, int window, double targetRate, double seconds,
                   double handoffsPerSecond, long ok, Map<String, Long> failures, long started, long skipped,
                   double p50Ms, double p90Ms, double p99Ms, double p999Ms, double maxMs, double meanMs,
                   long packetIns, long packetOuts, long flowModsAdd, long flowModsDelete, long barriers,
                   long mismatchedRequests, long strays, long agentsLost, double controllerCpuPercent, double benchCpuPercent,
                   double controllerCpuMicrosPerHandoff, double controllerCpuMicrosPerHandoffWithoutJit,
                   double systemLoadAverage, Map<String, Double> controllerThreadsPercent, SlowHandoffs slow) {

    long failed() {
        return failures.values().stream().mapToLong(Long::longValue).sum();
    }
}
