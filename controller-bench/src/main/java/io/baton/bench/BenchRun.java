package io.baton.bench;

import com.google.gson.Gson;
import io.netty.channel.EventLoop;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * One controller under test and its emulated switches and agents: brings them up, then runs
 * measured phases (throughput, paced latency, memory) against them.
 */
final class BenchRun implements AutoCloseable {
    private static final long CONNECT_TIMEOUT_SECONDS = 30;
    private static final long READY_TIMEOUT_SECONDS = 60;

    private final BenchOptions opts;
    private final BenchTopology topo;
    private final ControllerUnderTest controller;
    private final List<EventLoop> loops;
    private final List<EmulatedSwitch> switches = new ArrayList<>();

    BenchRun(BenchOptions opts, BenchTopology topo, ControllerUnderTest controller, List<EventLoop> loops) {
        this.opts = opts;
        this.topo = topo;
        this.controller = controller;
        this.loops = loops;
    }

    /**
     * Switches up (the controller installed their base rules), agents authenticated, and every
     * switch has completed handoffs to each of its servers in a row: from then on a failure is
     * the controller's, not the set-up's.
     */
    void connect() throws IOException, InterruptedException {
        ControllerFiles f = controller.files();
        for (int i = 0; i < topo.switches; i++) {
            switches.add(new EmulatedSwitch(i, topo, loops.get(i % loops.size()), opts.timeoutMillis(), 0x5eed + i));
        }
        await(all(s -> s.connect(f.openflow())), CONNECT_TIMEOUT_SECONDS, "switches to come up");
        await(all(s -> s.connectAgents(f.handoff(), f.secret())), CONNECT_TIMEOUT_SECONDS, "agents to authenticate");
        try {
            await(all(s -> s.probeUntilReady(2 * topo.serversPerSwitch)), READY_TIMEOUT_SECONDS,
                    "a first handoff to every server");
        } catch (IOException e) {
            SwitchStats st = merged(all(EmulatedSwitch::stats));
            throw new IOException(e.getMessage() + "; outcomes so far " + st.outcomes + ", strays " + st.strays, e);
        }
    }

    /** Closed loop: {@code opts.window()} connections in flight in all, each replaced as it ends. */
    PhaseResult throughput() throws IOException, InterruptedException {
        int perSwitch = perSwitch(opts.window());
        return measure("throughput", Load.closedLoop(perSwitch, opts.close()), perSwitch * topo.switches, 0);
    }

    /**
     * Open loop at {@code rate} handoffs/s in all (each switch its share, started every
     * millisecond); at most four windows in flight, beyond which due connections are skipped
     * and counted.
     */
    PhaseResult paced(double rate) throws IOException, InterruptedException {
        int maxInFlight = Math.max(64, perSwitch(4 * opts.window()));
        return measure("paced", Load.paced(rate / topo.switches, maxInFlight, opts.close()),
                maxInFlight * topo.switches, rate);
    }

    private PhaseResult measure(String kind, Load load, int window, double rate)
            throws IOException, InterruptedException {
        switches.forEach(s -> s.apply(load));
        sleepSeconds(opts.warmupSeconds());
        CpuSample c0 = controller.cpu();
        long bench0 = ownCpuNanos();
        await(all(EmulatedSwitch::resetStats), 10, "the switches to start counting");
        sleepSeconds(opts.seconds());
        List<SwitchStats> each = join(all(EmulatedSwitch::stats), 10, "the switches' counts");
        CpuSample c1 = controller.cpu();
        long bench1 = ownCpuNanos();
        switches.forEach(s -> s.apply(Load.IDLE));
        drain();

        SwitchStats st = new SwitchStats();
        double perSecond = 0;
        double seconds = 0;
        for (SwitchStats s : each) {
            st.add(s);
            perSecond += s.outcome(Outcome.OK) / s.seconds();
            seconds = Math.max(seconds, s.seconds());
        }
        Map<String, Long> failures = new LinkedHashMap<>();
        st.outcomes.forEach((o, n) -> {
            if (o != Outcome.OK) {
                failures.put(o.name().toLowerCase(), n);
            }
        });
        long ok = st.outcome(Outcome.OK);
        double wall = (c1.nanoTime() - c0.nanoTime());
        double benchPercent = controller.sameProcess() ? Double.NaN
                : Math.round(1000.0 * (bench1 - bench0) / wall) / 10.0;
        // controller CPU µs over its sampling interval, divided by the handoffs at the measured rate in it
        double handoffsInCpuInterval = perSecond * wall / 1e9;
        long cpuNanos = c1.processNanos() - c0.processNanos();
        double cpuPerHandoff = perSecond == 0 ? Double.NaN : round(cpuNanos / 1000.0 / handoffsInCpuInterval, 1);
        double cpuPerHandoffWithoutJit = perSecond == 0 ? Double.NaN
                : round((cpuNanos - c1.jitNanosSince(c0)) / 1000.0 / handoffsInCpuInterval, 1);
        var h = st.latencyMicros;
        return new PhaseResult(kind, topo.switches, window, rate, round(seconds, 2), Math.round(perSecond), ok, failures,
                st.started, st.skipped, ms(h.getValueAtPercentile(50)), ms(h.getValueAtPercentile(90)),
                ms(h.getValueAtPercentile(99)), ms(h.getValueAtPercentile(99.9)), ms(h.getMaxValue()),
                round(h.getMean() / 1000.0, 3), st.packetIns, st.packetOuts, st.flowModsAdd, st.flowModsDelete,
                st.barriers, st.mismatchedRequests, st.strays, st.agentsLost, c1.processPercentSince(c0), benchPercent, cpuPerHandoff,
                cpuPerHandoffWithoutJit, ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
                c1.threadPercentSince(c0), slow(st, ok));
    }

    private static SlowHandoffs slow(SwitchStats st, long ok) {
        long n = st.slowSynAckMicros.getTotalCount();
        var late = st.pacerLateMicros;
        boolean paced = late.getTotalCount() > 0;
        return new SlowHandoffs(n, ok == 0 ? 0 : round((double) n / ok, 4),
                ms(st.slowSynAckMicros.getValueAtPercentile(50)), ms(st.slowSynAckMicros.getValueAtPercentile(90)),
                ms(st.slowHandoffRequestMicros.getValueAtPercentile(50)), ms(st.slowHandoffRequestMicros.getValueAtPercentile(90)),
                ms(st.slowCommitMicros.getValueAtPercentile(50)), ms(st.slowCommitMicros.getValueAtPercentile(90)),
                paced ? ms(late.getValueAtPercentile(99)) : Double.NaN, paced ? ms(late.getMaxValue()) : Double.NaN);
    }

    /**
     * Heap per tracked connection: a few thousand connections first (so lazily grown structures
     * exist), a GC'd heap figure, then {@code n} more that stay established, and another.
     */
    MemoryResult memory(int n) throws IOException, InterruptedException {
        int warm = Math.max(topo.switches, Math.min(5000, n / 10));
        runCount(warm);
        HeapSample before = controller.heapAfterGc();
        SwitchStats st = runCount(n);
        HeapSample after = controller.heapAfterGc();
        long ok = st.outcome(Outcome.OK);
        Map<String, Long> failures = new LinkedHashMap<>();
        st.outcomes.forEach((o, c) -> {
            if (o != Outcome.OK) {
                failures.put(o.name().toLowerCase(), c);
            }
        });
        long active = -1;
        Object conns = restStats().get("connections");
        if (conns instanceof Map<?, ?> m && m.get("active") instanceof Number a) {
            active = a.longValue();
        }
        List<Map<String, Object>> top = new ArrayList<>();
        for (Object[] row : after.topGrowth(before, 12)) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("class", row[0]);
            r.put("instances", row[1]);
            r.put("bytes", row[2]);
            r.put("bytesPerConnection", ok == 0 ? 0 : round((long) row[2] / (double) ok, 1));
            top.add(r);
        }
        double per = ok == 0 ? Double.NaN : round((after.usedBytes() - before.usedBytes()) / (double) ok, 1);
        return new MemoryResult(n, ok, failures, before.usedBytes(), after.usedBytes(), per, active, top);
    }

    /** Runs exactly {@code n} connections (split among the switches) that stay open, and waits for all outcomes. */
    private SwitchStats runCount(int n) throws IOException, InterruptedException {
        await(all(EmulatedSwitch::resetStats), 10, "the switches to start counting");
        int perSwitch = perSwitch(opts.window());
        for (int i = 0; i < switches.size(); i++) {
            long share = n / switches.size() + (i < n % switches.size() ? 1 : 0);
            switches.get(i).apply(Load.count(share, perSwitch, false));
        }
        long lastDone = -1;
        long lastProgress = System.nanoTime();
        while (true) {
            SwitchStats st = merged(all(EmulatedSwitch::stats));
            long done = st.outcome(Outcome.OK) + st.failures();
            if (done >= n) {
                return st;
            }
            if (done != lastDone) {
                lastDone = done;
                lastProgress = System.nanoTime();
            } else if (System.nanoTime() - lastProgress > TimeUnit.MILLISECONDS.toNanos(opts.timeoutMillis() + 5000)) {
                throw new IOException("memory run stalled at " + done + " of " + n + " connections; outcomes "
                        + st.outcomes);
            }
            Thread.sleep(100);
        }
    }

    /** GET /api/v1/stats of the controller, as JSON values; empty if it does not answer. */
    Map<String, Object> restStats() {
        ControllerFiles f = controller.files();
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + f.rest().getPort() + "/api/v1/stats"))
                .header("Authorization", "Bearer " + new String(f.token(), StandardCharsets.US_ASCII))
                .timeout(Duration.ofSeconds(10)).GET().build();
        try {
            HttpResponse<String> r = HttpClient.newHttpClient().send(req, HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                return Map.of("error", "HTTP " + r.statusCode());
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> m = new Gson().fromJson(r.body(), Map.class);
            return m;
        } catch (IOException e) {
            return Map.of("error", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Map.of("error", "interrupted");
        }
    }

    /** Waits until no connection is in flight (they finish or time out). */
    private void drain() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(opts.timeoutMillis() + 2000);
        while (System.nanoTime() < deadline) {
            int inFlight = join(all(EmulatedSwitch::inFlight), 10, "in-flight counts").stream()
                    .mapToInt(Integer::intValue).sum();
            if (inFlight == 0) {
                return;
            }
            Thread.sleep(20);
        }
    }

    private int perSwitch(int total) {
        return Math.max(1, (total + topo.switches - 1) / topo.switches);
    }

    private <T> List<CompletableFuture<T>> all(Function<EmulatedSwitch, CompletableFuture<T>> f) {
        List<CompletableFuture<T>> out = new ArrayList<>();
        for (EmulatedSwitch s : switches) {
            out.add(f.apply(s));
        }
        return out;
    }

    private static <T> void await(List<CompletableFuture<T>> fs, long seconds, String what)
            throws IOException, InterruptedException {
        join(fs, seconds, what);
    }

    private static <T> List<T> join(List<CompletableFuture<T>> fs, long seconds, String what)
            throws IOException, InterruptedException {
        try {
            CompletableFuture.allOf(fs.toArray(new CompletableFuture<?>[0])).get(seconds, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            long done = fs.stream().filter(CompletableFuture::isDone).count();
            throw new IOException("timed out after " + seconds + " s waiting for " + what + " (" + done + " of "
                    + fs.size() + " done)");
        } catch (ExecutionException e) {
            throw new IOException("failed waiting for " + what + ": " + e.getCause(), e.getCause());
        }
        List<T> out = new ArrayList<>();
        for (CompletableFuture<T> f : fs) {
            out.add(f.join());
        }
        return out;
    }

    private SwitchStats merged(List<CompletableFuture<SwitchStats>> fs) throws IOException, InterruptedException {
        SwitchStats st = new SwitchStats();
        for (SwitchStats s : join(fs, 10, "the switches' counts")) {
            st.add(s);
        }
        return st;
    }

    private static long ownCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static void sleepSeconds(double s) throws InterruptedException {
        Thread.sleep((long) (s * 1000));
    }

    private static double ms(long micros) {
        return round(micros / 1000.0, 3);
    }

    private static double round(double v, int digits) {
        double f = Math.pow(10, digits);
        return Math.round(v * f) / f;
    }

    @Override
    public void close() {
        switches.forEach(EmulatedSwitch::close);
    }
}
