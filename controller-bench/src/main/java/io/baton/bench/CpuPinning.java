package io.baton.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code --pin}: the child controller on CPUs 0..n-2 and the bench on CPU n-1, through Linux's
 * {@code taskset} (util-linux). Unpinned, the emulated switches and agents take a core's worth
 * of CPU from the same two cores as the controller, and a paced run's p99 is then mostly time
 * the controller waited for a core. A controller in production does not share its cores with
 * its load generator.
 */
record CpuPinning(String controllerCpus, String benchCpus) {

    /** For a machine with {@code cpus} CPUs; at least two. */
    static CpuPinning forCpus(int cpus) throws IOException {
        if (cpus < 2) {
            throw new IOException("--pin needs at least 2 CPUs, this machine has " + cpus);
        }
        String controller = cpus == 2 ? "0" : "0-" + (cpus - 2);
        return new CpuPinning(controller, Integer.toString(cpus - 1));
    }

    /** What to put before the controller's command line. */
    List<String> controllerLauncher() {
        return List.of("taskset", "-c", controllerCpus);
    }

    /** Pins this JVM, every thread of it (threads made later inherit it from their makers). */
    void pinThisProcess() throws IOException, InterruptedException {
        pin(ProcessHandle.current().pid(), benchCpus);
    }

    /** Pins every thread of process {@code pid} to {@code cpus} (a taskset CPU list). */
    static void pin(long pid, String cpus) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("taskset", "-a", "-p", "-c", cpus, Long.toString(pid))
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("taskset could not pin process " + pid + " to CPUs " + cpus + ": " + out);
        }
    }

    /** The CPUs process {@code pid} may run on, as /proc lists them ("0", "0-6"). */
    static String allowedCpus(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("Cpus_allowed_list:")) {
                return line.substring("Cpus_allowed_list:".length()).trim();
            }
        }
        throw new IOException("no Cpus_allowed_list in /proc/" + pid + "/status");
    }

    @Override
    public String toString() {
        return "controller on CPU " + controllerCpus + ", bench on CPU " + benchCpus;
    }
}
