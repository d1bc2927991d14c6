package io.baton.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/** CPU nanoseconds used so far by a process and by each of its threads (by name; same names summed). */
record CpuSample(long nanoTime, long processNanos, Map<String, Long> threadNanos) {

    /** Per-thread use between {@code before} and this sample, in percent of one core, highest first. */
    Map<String, Double> threadPercentSince(CpuSample before) {
        double wall = nanoTime - before.nanoTime;
        Map<String, Double> out = new LinkedHashMap<>();
        threadNanos.entrySet().stream()
                .map(e -> Map.entry(e.getKey(), e.getValue() - before.threadNanos.getOrDefault(e.getKey(), 0L)))
                .filter(e -> e.getValue() > 0)
                .sorted((a, b) -> Long.compare(b.getValue(), a.getValue()))
                .forEach(e -> out.put(e.getKey(), Math.round(1000.0 * e.getValue() / wall) / 10.0));
        return out;
    }

    /** CPU nanoseconds of the JIT compiler threads between {@code before} and this sample. */
    long jitNanosSince(CpuSample before) {
        long n = 0;
        for (Map.Entry<String, Long> e : threadNanos.entrySet()) {
            if (e.getKey().contains("CompilerThread")) {
                n += e.getValue() - before.threadNanos.getOrDefault(e.getKey(), 0L);
            }
        }
        return n;
    }

    double processPercentSince(CpuSample before) {
        return Math.round(1000.0 * (processNanos - before.processNanos) / (nanoTime - before.nanoTime)) / 10.0;
    }
}
