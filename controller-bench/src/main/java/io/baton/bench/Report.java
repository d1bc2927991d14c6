package io.baton.bench;

import com.google.gson.GsonBuilder;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/** The figures of a bench run: a table for people, a JSON file with everything. */
final class Report {
    /** The targets: handoffs/s on this 2-core machine, p99 at half that rate, heap per connection. */
    static final double TARGET_HANDOFFS_PER_SECOND = 50_000;
    static final double TARGET_P99_MS = 2.0;
    static final double TARGET_BYTES_PER_CONNECTION = 300;

    private final BenchOptions opts;
    private final List<Map<String, Object>> cases = new ArrayList<>();
    private final List<PhaseResult> phases = new ArrayList<>();
    private Map<String, Object> memory;
    private MemoryResult memoryResult;
    /** Null unless --pin. */
    private CpuPinning pinning;

    Report(BenchOptions opts) {
        this.opts = opts;
    }

    void addCase(int switches, String controller, List<PhaseResult> results, Map<String, Object> controllerStats) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("switches", switches);
        c.put("controller", controller);
        for (PhaseResult r : results) {
            c.put(r.kind(), r);
            phases.add(r);
        }
        c.put("controllerStats", controllerStats);
        cases.add(c);
    }

    void setPinning(CpuPinning p) {
        pinning = p;
    }

    void setMemory(String controller, MemoryResult m) {
        memoryResult = m;
        memory = new LinkedHashMap<>();
        memory.put("controller", controller);
        memory.put("result", m);
    }

    List<PhaseResult> phases() {
        return List.copyOf(phases);
    }

    /** The memory result, or null when not measured. */
    MemoryResult memoryResult() {
        return memoryResult;
    }

    static String header() {
        return String.format(Locale.ROOT, "%8s  %-17s %11s %8s %8s %9s %7s %9s %9s %9s %9s %6s",
                "switches", "load", "handoffs/s", "p50 ms", "p99 ms", "p99.9 ms", "failed", "ctrl CPU", "bench CPU",
                "µs CPU/h", "w/o JIT", "loadav");
    }

    static String row(PhaseResult r) {
        String load = r.kind().equals("paced") ? String.format(Locale.ROOT, "paced %,.0f/s", r.targetRate())
                : "window " + r.window();
        return String.format(Locale.ROOT, "%8d  %-17s %,11.0f %8.2f %8.2f %9.2f %7d %8.0f%% %8s%% %9.1f %9.1f %6.1f",
                r.switches(), load, r.handoffsPerSecond(), r.p50Ms(), r.p99Ms(), r.p999Ms(), r.failed(),
                r.controllerCpuPercent(), Double.isNaN(r.benchCpuPercent()) ? "-" : String.format(Locale.ROOT, "%.0f",
                        r.benchCpuPercent()), r.controllerCpuMicrosPerHandoff(), r.controllerCpuMicrosPerHandoffWithoutJit(),
                r.systemLoadAverage());
    }

    static String busiestThreads(PhaseResult r) {
        return r.controllerThreadsPercent().entrySet().stream().limit(6)
                .map(e -> e.getKey() + " " + Math.round(e.getValue()) + "%").collect(Collectors.joining(", "));
    }

    static String slowLine(PhaseResult r) {
        SlowHandoffs s = r.slow();
        String steps = s.count() == 0 ? "none" : String.format(Locale.ROOT,
                "%,d (%.2f%%); their steps, p50 / p90 ms: SYN to SYN-ACK %.2f / %.2f, SYN-ACK to handoff request "
                        + "%.2f / %.2f, handoff request to commit %.2f / %.2f",
                s.count(), 100 * s.fractionOfAll(), s.synAckP50Ms(), s.synAckP90Ms(), s.handoffRequestP50Ms(),
                s.handoffRequestP90Ms(), s.commitP50Ms(), s.commitP90Ms());
        String tick = Double.isNaN(s.pacerLateP99Ms()) ? "" : String.format(Locale.ROOT,
                "; the bench's pacing tick late by p99 %.2f ms, max %.2f ms", s.pacerLateP99Ms(), s.pacerLateMaxMs());
        return "handoffs over " + SwitchStats.SLOW_MICROS / 1000 + " ms: " + steps + tick;
    }

    static String memoryLine(MemoryResult m) {
        return String.format(Locale.ROOT, "memory: %,d connections established (controller reports %,d active); "
                        + "live heap %,.1f → %,.1f MiB: %,.0f bytes per connection",
                m.established(), m.controllerActiveConnections(), m.heapBeforeBytes() / 1048576.0,
                m.heapAfterBytes() / 1048576.0, m.bytesPerConnection());
    }

    void print(PrintStream out) {
        out.println();
        out.println("Baton controller alone: emulated OpenFlow 1.3 switches and handoff agents over TCP");
        out.println("latency = client's first SYN to the agent's HandoffCommit; CPU in % of one core;");
        out.println("µs CPU/h = controller CPU per handoff (w/o JIT: without its compiler threads); "
                + "loadav = the machine's 1-minute load average");
        if (pinning != null) {
            out.println("pinned: " + pinning);
        }
        out.println(header());
        for (PhaseResult r : phases) {
            out.println(row(r));
        }
        if (memoryResult != null) {
            out.println(memoryLine(memoryResult));
            for (Map<String, Object> c : memoryResult.topClassGrowth()) {
                out.printf(Locale.ROOT, "  %10s B/conn  %s%n", c.get("bytesPerConnection"), c.get("class"));
            }
        }
        out.printf(Locale.ROOT, "targets: >= %,.0f handoffs/s; p99 < %.0f ms at half that rate; < %.0f bytes of heap "
                + "per connection%n", TARGET_HANDOFFS_PER_SECOND, TARGET_P99_MS, TARGET_BYTES_PER_CONNECTION);
    }

    void writeJson(Path file) throws IOException {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("generated", Instant.now().toString());
        Map<String, Object> machine = new LinkedHashMap<>();
        machine.put("availableProcessors", Runtime.getRuntime().availableProcessors());
        machine.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        machine.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        root.put("machine", machine);
        root.put("options", options());
        if (pinning != null) {
            root.put("cpuPinning", Map.of("controllerCpus", pinning.controllerCpus(), "benchCpus", pinning.benchCpus()));
        }
        root.put("targets", Map.of("handoffsPerSecond", TARGET_HANDOFFS_PER_SECOND, "p99MsAtHalfRate", TARGET_P99_MS,
                "heapBytesPerConnection", TARGET_BYTES_PER_CONNECTION));
        root.put("cases", cases);
        if (memory != null) {
            root.put("memory", memory);
        }
        Path abs = file.toAbsolutePath();
        Files.createDirectories(abs.getParent());
        Files.writeString(abs, new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues()
                .create().toJson(root) + "\n");
    }

    private Map<String, Object> options() {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("switches", opts.switches());
        o.put("seconds", opts.seconds());
        o.put("warmupSeconds", opts.warmupSeconds());
        o.put("window", opts.window());
        o.put("rate", opts.rate() < 0 ? "half the measured throughput" : opts.rate());
        o.put("serversPerSwitch", opts.serversPerSwitch());
        o.put("clientsPerSwitch", opts.clientsPerSwitch());
        o.put("close", opts.close());
        o.put("memoryConnections", opts.memoryConnections());
        o.put("controller", opts.childController() ? "child" : "in-process");
        o.put("controllerJavaOpts", opts.controllerJavaOpts());
        o.put("benchThreads", opts.benchThreads());
        o.put("timeoutMillis", opts.timeoutMillis());
        return o;
    }
}
