package io.baton.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The standalone controller as users run it, {@code bin/baton-controller --config FILE}, in its
 * own JVM: its heap and CPU are its own. Heap by {@code jcmd GC.class_histogram}; CPU from
 * {@code /proc/PID/task/TID/stat}, with thread names from one {@code jcmd Thread.print} (the
 * kernel keeps only 15 characters of a name).
 */
final class ChildController implements ControllerUnderTest {
    private static final Pattern THREAD = Pattern.compile("^\"(.*)\" .*\\bnid=(0x[0-9a-fA-F]+|\\d+)\\b.*$");
    private static final long START_TIMEOUT_MILLIS = 60_000;

    private final ControllerFiles files;
    private final Process process;
    private final Path log;
    private final String javaOpts;
    private final long ticksPerSecond = clockTicks();
    private final Map<Long, String> threadNames = new HashMap<>();

    /** @param launcher what goes before the controller's command line (taskset, say), or nothing */
    ChildController(ControllerFiles files, List<String> launcher, Path controllerBin, String javaOpts, Path log)
            throws IOException {
        this.files = files;
        this.log = log;
        this.javaOpts = javaOpts;
        if (!Files.isExecutable(controllerBin)) {
            throw new IOException(controllerBin + " is missing or not executable (run from the repository root, "
                    + "or give --controller-bin); build first: mvn -q -DskipTests package");
        }
        Files.createDirectories(log.toAbsolutePath().getParent());
        List<String> command = new ArrayList<>(launcher);
        command.addAll(List.of(controllerBin.toString(), "--config", files.config().toString()));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        if (javaOpts != null) {
            pb.environment().put("BATON_JAVA_OPTS", javaOpts);
        }
        process = pb.start();
        try {
            awaitListening();
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    private void awaitListening() throws IOException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(START_TIMEOUT_MILLIS);
        // Not the OpenFlow port: a bare connection there would count as a switch failing its handshake.
        // The controller opens it right after REST; the emulated switches retry their connect meanwhile.
        for (InetSocketAddress a : List.of(files.handoff(), files.rest())) {
            while (true) {
                if (!process.isAlive()) {
                    throw new IOException("the controller exited with " + process.exitValue() + "; see " + log + ":\n"
                            + tail());
                }
                try {
                    new Socket(a.getAddress(), a.getPort()).close();
                    break;
                } catch (IOException notYet) {
                    if (System.nanoTime() > deadline) {
                        throw new IOException("the controller is not listening on " + a + " after "
                                + START_TIMEOUT_MILLIS + " ms; see " + log);
                    }
                    sleep(50);
                }
            }
        }
    }

    private String tail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    long pid() {
        return process.pid();
    }

    @Override
    public ControllerFiles files() {
        return files;
    }

    @Override
    public String describe() {
        return "child JVM: bin/baton-controller, pid " + process.pid() + ", BATON_JAVA_OPTS="
                + (javaOpts == null ? "(script default)" : "\"" + javaOpts + "\"") + ", log " + log;
    }

    @Override
    public boolean sameProcess() {
        return false;
    }

    @Override
    public HeapSample heapAfterGc() throws IOException, InterruptedException {
        return HeapSample.histogram(process.pid());
    }

    @Override
    public CpuSample cpu() throws IOException {
        long now = System.nanoTime();
        long process = ticks(Path.of("/proc", Long.toString(pid()), "stat"));
        Map<Long, Long> byTid = new HashMap<>();
        try (var tasks = Files.list(Path.of("/proc", Long.toString(pid()), "task"))) {
            for (Path t : (Iterable<Path>) tasks::iterator) {
                try {
                    byTid.put(Long.parseLong(t.getFileName().toString()), ticks(t.resolve("stat")));
                } catch (IOException | RuntimeException gone) {
                    // the thread ended meanwhile
                }
            }
        }
        if (!threadNames.keySet().containsAll(byTid.keySet())) {
            refreshThreadNames();
        }
        Map<String, Long> byName = new HashMap<>();
        byTid.forEach((tid, ticks) -> byName.merge(threadNames.getOrDefault(tid, "tid " + tid), toNanos(ticks), Long::sum));
        return new CpuSample(now, toNanos(process), byName);
    }

    private void refreshThreadNames() throws IOException {
        Process p = new ProcessBuilder("jcmd", Long.toString(pid()), "Thread.print").redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes());
        try {
            p.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (String line : text.split("\n")) {
            Matcher m = THREAD.matcher(line);
            if (m.matches()) {
                String nid = m.group(2);
                long tid = nid.startsWith("0x") ? Long.parseLong(nid.substring(2), 16) : Long.parseLong(nid);
                threadNames.put(tid, m.group(1));
            }
        }
    }

    /** utime + stime, fields 14 and 15 of a stat line, counted after the parenthesised name. */
    private static long ticks(Path stat) throws IOException {
        String s = Files.readString(stat);
        String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    private long toNanos(long ticks) {
        return ticks * 1_000_000_000L / ticksPerSecond;
    }

    private static long clockTicks() {
        try {
            Process p = new ProcessBuilder("getconf", "CLK_TCK").start();
            return Long.parseLong(new String(p.getInputStream().readAllBytes()).strip());
        } catch (IOException | RuntimeException e) {
            return 100;
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        process.destroy(); // SIGTERM: the controller's shutdown hook stops it cleanly
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        files.delete();
    }
}
