package io.baton.bench;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The command line of {@code baton-controller-bench}, immutable. */
record BenchOptions(List<Integer> switches, double seconds, double warmupSeconds, int window, double rate,
                    int serversPerSwitch, int clientsPerSwitch, boolean close, int memoryConnections,
                    boolean childController, Path controllerBin, String controllerJavaOpts, int benchThreads,
                    Path json, long timeoutMillis, boolean pin) {

    /** The embedded controller admits 64 switch connections (OpenFlowControllerConfig's default). */
    static final int MAX_SWITCHES = 64;

    static final String USAGE = String.join("\n",
            "usage: java -jar controller-bench/target/baton-controller-bench.jar [options]",
            "  Drives Baton's standalone controller over real TCP with emulated OpenFlow 1.3 switches",
            "  and emulated handoff agents; prints handoffs/s and handoff latency (first SYN to commit)",
            "  per switch count, and the controller's heap per tracked connection. Run from the",
            "  repository root after: mvn -q -DskipTests package",
            "",
            "  --switches LIST          switch counts to run, comma-separated, each 1..64 (default 1,8,64)",
            "  --seconds S              measured seconds per run (default 10)",
            "  --warmup S               seconds of load before measuring (default 10: the JIT is slow here)",
            "  --window N               connections in flight in all, split among the switches,",
            "                           for the throughput run (default 256)",
            "  --rate R                 handoffs/s of the paced latency run; default half the",
            "                           throughput just measured; 0 skips it",
            "  --servers-per-switch N   servers (agents) per switch (default 2)",
            "  --clients-per-switch N   client addresses per switch, 64512 ports each (default 32)",
            "  --no-close               agents never report connections closed (table grows)",
            "  --memory-connections N   connections held open for the heap figure; 0 skips (default 100000)",
            "  --controller child|in-process",
            "                           child: bin/baton-controller in its own JVM (default);",
            "                           in-process: in the bench's JVM (figures then include the bench)",
            "  --controller-bin PATH    default bin/baton-controller",
            "  --controller-java-opts S the child's JVM options (BATON_JAVA_OPTS; default the script's)",
            "  --bench-threads N        event loops of the emulated switches and agents (default 1)",
            "  --timeout-ms N           the bench gives up on a connection after this long (default 5000)",
            "  --pin                    the controller on CPUs 0..n-2 and the bench on CPU n-1 (taskset),",
            "                           so that the load generator does not take the controller's core",
            "  --json PATH              results file (default controller-bench/results/controller-bench.json);",
            "                           the controller's logs go beside it",
            "  -h, --help");

    static BenchOptions defaults() {
        return new BenchOptions(List.of(1, 8, 64), 10, 10, 256, -1, 2, 32, true, 100_000, true,
                Path.of("bin/baton-controller"), null, 1,
                Path.of("controller-bench/results/controller-bench.json"), 5000, false);
    }

    /** Thrown for a bad command line; the message is the one-line reason. */
    static final class UsageException extends Exception {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }

    /** Parses the arguments; null means help was asked for (and printed to {@code out}). */
    static BenchOptions parse(String[] args, PrintStream out) throws UsageException {
        BenchOptions o = defaults();
        List<Integer> switches = o.switches;
        double seconds = o.seconds;
        double warmup = o.warmupSeconds;
        int window = o.window;
        double rate = o.rate;
        int servers = o.serversPerSwitch;
        int clients = o.clientsPerSwitch;
        boolean close = o.close;
        int memory = o.memoryConnections;
        boolean child = o.childController;
        Path bin = o.controllerBin;
        String javaOpts = o.controllerJavaOpts;
        int threads = o.benchThreads;
        Path json = o.json;
        long timeout = o.timeoutMillis;
        boolean pin = o.pin;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "-h", "--help" -> {
                    out.println(USAGE);
                    return null;
                }
                case "--no-close" -> close = false;
                case "--pin" -> pin = true;
                case "--switches" -> switches = intList(a, value(args, ++i, a));
                case "--seconds" -> seconds = positive(a, value(args, ++i, a));
                case "--warmup" -> warmup = nonNegative(a, value(args, ++i, a));
                case "--window" -> window = (int) range(a, value(args, ++i, a), 1, 1_000_000);
                case "--rate" -> rate = nonNegative(a, value(args, ++i, a));
                case "--servers-per-switch" -> servers = (int) range(a, value(args, ++i, a), 1,
                        BenchTopology.MAX_SERVERS_PER_SWITCH);
                case "--clients-per-switch" -> clients = (int) range(a, value(args, ++i, a), 1,
                        BenchTopology.MAX_CLIENTS_PER_SWITCH);
                case "--memory-connections" -> memory = (int) range(a, value(args, ++i, a), 0, 10_000_000);
                case "--controller" -> {
                    String v = value(args, ++i, a);
                    if (!v.equals("child") && !v.equals("in-process")) {
                        throw new UsageException("--controller must be child or in-process, not " + v);
                    }
                    child = v.equals("child");
                }
                case "--controller-bin" -> bin = Path.of(value(args, ++i, a));
                case "--controller-java-opts" -> javaOpts = value(args, ++i, a);
                case "--bench-threads" -> threads = (int) range(a, value(args, ++i, a), 1, 64);
                case "--timeout-ms" -> timeout = (long) range(a, value(args, ++i, a), 100, 600_000);
                case "--json" -> json = Path.of(value(args, ++i, a));
                default -> throw new UsageException("unknown argument: " + a);
            }
        }
        if (pin && !child) {
            throw new UsageException("--pin needs --controller child (the controller in a process of its own)");
        }
        return new BenchOptions(List.copyOf(switches), seconds, warmup, window, rate, servers, clients, close, memory,
                child, bin, javaOpts, threads, json, timeout, pin);
    }

    private static String value(String[] args, int i, String name) throws UsageException {
        if (i >= args.length) {
            throw new UsageException(name + " needs a value");
        }
        return args[i];
    }

    private static double number(String name, String v) throws UsageException {
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new UsageException(name + " must be a number, not " + v);
        }
    }

    private static double positive(String name, String v) throws UsageException {
        double d = number(name, v);
        if (!(d > 0)) {
            throw new UsageException(name + " must be above 0");
        }
        return d;
    }

    private static double nonNegative(String name, String v) throws UsageException {
        double d = number(name, v);
        if (!(d >= 0)) {
            throw new UsageException(name + " must be 0 or more");
        }
        return d;
    }

    private static double range(String name, String v, long min, long max) throws UsageException {
        double d = number(name, v);
        if (d != Math.rint(d) || d < min || d > max) {
            throw new UsageException(name + " must be a whole number in " + min + ".." + max + ", not " + v);
        }
        return d;
    }

    private static List<Integer> intList(String name, String v) throws UsageException {
        List<Integer> out = new ArrayList<>();
        for (String part : v.split(",")) {
            out.add((int) range(name, part.strip(), 1, MAX_SWITCHES));
        }
        return out;
    }
}
