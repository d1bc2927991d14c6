package io.baton.bench;

import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code baton-controller-bench}: the controller alone under emulated load, in the spirit of
 * cbench. For each switch count a fresh controller: a closed-loop throughput run, then a paced
 * run (by default at half the throughput just measured) for latency. Then, on another fresh
 * controller, the heap per tracked connection. Prints a table, writes JSON.
 */
public final class Main {
    static final int EXIT_USAGE = 2;
    static final int EXIT_FAILED = 1;

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        BenchOptions opts;
        try {
            opts = BenchOptions.parse(args, out);
        } catch (BenchOptions.UsageException e) {
            err.println("baton-controller-bench: " + e.getMessage());
            err.println(BenchOptions.USAGE);
            return EXIT_USAGE;
        }
        if (opts == null) {
            return 0;
        }
        try {
            Report report = bench(opts, err);
            report.print(out);
            report.writeJson(opts.json());
            out.println("JSON: " + opts.json().toAbsolutePath());
            return 0;
        } catch (IOException e) {
            err.println("baton-controller-bench: " + e.getMessage());
            return EXIT_FAILED;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("baton-controller-bench: interrupted");
            return EXIT_FAILED;
        }
    }

    /** Runs every case of {@code opts}; progress goes to {@code log}. */
    static Report bench(BenchOptions opts, PrintStream log) throws IOException, InterruptedException {
        Report report = new Report(opts);
        CpuPinning pinning = null;
        if (opts.pin()) {
            pinning = CpuPinning.forCpus(Runtime.getRuntime().availableProcessors());
            pinning.pinThisProcess(); // before the event loops start, so that they inherit it
            log.println("*** pinned: " + pinning);
            report.setPinning(pinning);
        }
        EventLoopGroup group = new NioEventLoopGroup(opts.benchThreads(), new DefaultThreadFactory("bench-loop", true));
        List<EventLoop> loops = new ArrayList<>();
        for (EventExecutor e : group) {
            loops.add((EventLoop) e);
        }
        try {
            for (int n : opts.switches()) {
                BenchTopology topo = new BenchTopology(n, opts.serversPerSwitch(), opts.clientsPerSwitch());
                try (ControllerUnderTest ctl = start(opts, pinning, topo, "controller-" + n + "sw.log");
                     BenchRun run = new BenchRun(opts, topo, ctl, loops)) {
                    log.printf("*** %d switch(es), %d agents: %s%n", n, n * opts.serversPerSwitch(), ctl.describe());
                    run.connect();
                    List<PhaseResult> results = new ArrayList<>();
                    PhaseResult t = run.throughput();
                    results.add(t);
                    log.println(Report.header());
                    log.println(Report.row(t));
                    log.println("    busiest controller threads: " + Report.busiestThreads(t));
                    log.println("    " + Report.slowLine(t));
                    double rate = opts.rate() >= 0 ? opts.rate() : Math.floor(t.handoffsPerSecond() / 2);
                    if (rate > 0) {
                        PhaseResult p = run.paced(rate);
                        results.add(p);
                        log.println(Report.row(p));
                        log.println("    busiest controller threads: " + Report.busiestThreads(p));
                        log.println("    " + Report.slowLine(p));
                    }
                    report.addCase(n, ctl.describe(), results, run.restStats());
                }
            }
            if (opts.memoryConnections() > 0) {
                BenchTopology topo = new BenchTopology(1, opts.serversPerSwitch(), opts.clientsPerSwitch());
                try (ControllerUnderTest ctl = start(opts, pinning, topo, "controller-memory.log");
                     BenchRun run = new BenchRun(opts, topo, ctl, loops)) {
                    log.printf("*** memory: %,d connections held open, 1 switch: %s%n", opts.memoryConnections(),
                            ctl.describe());
                    run.connect();
                    MemoryResult m = run.memory(opts.memoryConnections());
                    log.println(Report.memoryLine(m));
                    report.setMemory(ctl.describe(), m);
                }
            }
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
        return report;
    }

    private static ControllerUnderTest start(BenchOptions opts, CpuPinning pinning, BenchTopology topo, String logName)
            throws IOException {
        int held = Math.max(opts.memoryConnections(), 1);
        ControllerFiles files = ControllerFiles.create(topo, Math.max(65_536, 8 * opts.window()),
                Math.max(2_000_000, 2 * held));
        try {
            if (!opts.childController()) {
                return new InProcessController(files);
            }
            Path logFile = opts.json().toAbsolutePath().getParent().resolve(logName);
            return new ChildController(files, pinning == null ? List.of() : pinning.controllerLauncher(),
                    opts.controllerBin(), opts.controllerJavaOpts(), logFile);
        } catch (IOException | RuntimeException e) {
            files.delete();
            throw e;
        }
    }
}
