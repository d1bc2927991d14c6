package io.baton.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bench at a tiny scale against the real controller (in this JVM, over real sockets), so
 * that it cannot rot unnoticed: handoffs complete at one and two switches, in the closed-loop
 * and the paced run, every HandoffRequest carries what the emulated client sent, and the
 * memory run holds its connections open.
 */
class ControllerBenchTest {

    @Test
    void handoffsCompleteThroughTheRealControllerAndTheFiguresAreWritten(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("bench.json");
        BenchOptions opts = BenchOptions.parse(new String[] {"--switches", "1,2", "--seconds", "1.5", "--warmup", "0.5",
                "--window", "16", "--rate", "300", "--memory-connections", "400", "--controller", "in-process",
                "--json", json.toString()}, System.out);
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        Report report = Main.bench(opts, new PrintStream(log, true, StandardCharsets.UTF_8));

        List<PhaseResult> phases = report.phases();
        assertEquals(4, phases.size(), "a throughput and a paced run per switch count: " + log);
        for (PhaseResult p : phases) {
            String what = p.kind() + " at " + p.switches() + " switch(es): " + p;
            assertTrue(p.ok() > 0, "handoffs committed, " + what);
            assertEquals(0, p.failed(), "no handoff failed, " + what);
            assertEquals(0, p.mismatchedRequests(), "requests carry the client's sequence numbers and bytes, " + what);
            assertTrue(p.p50Ms() > 0 && p.p99Ms() >= p.p50Ms(), "latency recorded, " + what);
            // counted over the same interval, so up to a window's handoffs may fall on the other side of its ends
            assertTrue(p.flowModsAdd() >= 2 * (p.ok() - p.window()), "two rules per handoff reached the switch, " + what);
            assertTrue(p.handoffsPerSecond() > 0, what);
            SlowHandoffs slow = p.slow();
            assertTrue(slow.count() <= p.ok(), "slow handoffs are some of those committed, " + what);
            assertEquals(p.kind().equals("paced"), !Double.isNaN(slow.pacerLateP99Ms()),
                    "the pacing tick is timed in the paced run only, " + what);
        }
        PhaseResult paced = phases.get(1);
        assertEquals("paced", paced.kind());
        assertTrue(paced.handoffsPerSecond() > 150 && paced.handoffsPerSecond() < 450,
                "the paced run holds about its rate of 300/s: " + paced);

        MemoryResult m = report.memoryResult();
        assertNotNull(m);
        assertEquals(400, m.established(), "every connection of the memory run was handed off: " + m);
        assertTrue(m.controllerActiveConnections() >= 400, "the controller still tracks them: " + m);
        assertTrue(m.heapAfterBytes() > m.heapBeforeBytes(), "tracked connections take heap: " + m);

        report.writeJson(json);
        String written = Files.readString(json);
        assertTrue(written.contains("\"handoffsPerSecond\"") && written.contains("\"bytesPerConnection\""), written);
        assertTrue(written.contains("\"pacerLateP99Ms\"") && written.contains("\"commitP90Ms\""), written);
    }

    @Test
    void badArgumentsAreRefusedWithAReason() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(new String[] {"--switches", "0"}, System.out, new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(Main.EXIT_USAGE, code);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--switches must be a whole number in 1..64"), err.toString());
        assertEquals(Main.EXIT_USAGE, Main.run(new String[] {"--controller", "remote"}, System.out,
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)));
    }

    @Test
    void theClassHistogramOfJcmdIsRead() throws Exception {
        String text = String.join("\n",
                "12345:",
                " num     #instances         #bytes  class name (module)",
                "-------------------------------------------------------",
                "   1:         10000         480000  io.baton.controller.connection.Connection",
                "   2:          2000          64000  [B (java.base@17.0.15)",
                "Total         12000         544000");
        HeapSample s = HeapSample.parse(text);
        assertEquals(544_000, s.usedBytes());
        assertEquals(480_000, s.byClass().get("io.baton.controller.connection.Connection")[1]);
        HeapSample before = HeapSample.parse(text.replace("480000", "400000").replace("544000", "464000"));
        assertEquals("io.baton.controller.connection.Connection", s.topGrowth(before, 1).get(0)[0]);
    }

    @Test
    void pinningPutsTheControllerAndTheBenchOnCpusOfTheirOwn() throws Exception {
        CpuPinning two = CpuPinning.forCpus(2);
        assertEquals("0", two.controllerCpus());
        assertEquals("1", two.benchCpus());
        CpuPinning eight = CpuPinning.forCpus(8);
        assertEquals("0-6", eight.controllerCpus(), "the controller keeps all but the bench's");
        assertEquals("7", eight.benchCpus());
        assertThrows(java.io.IOException.class, () -> CpuPinning.forCpus(1));

        // A real process through the launcher, and pinned afterwards as the bench pins itself.
        List<String> command = new java.util.ArrayList<>(two.controllerLauncher());
        command.addAll(List.of("sleep", "30"));
        Process p = new ProcessBuilder(command).start();
        try {
            assertEquals("0", CpuPinning.allowedCpus(p.pid()), "started on the controller's CPU");
            CpuPinning.pin(p.pid(), two.benchCpus());
            assertEquals("1", CpuPinning.allowedCpus(p.pid()), "moved to the bench's CPU");
        } finally {
            p.destroyForcibly().waitFor();
        }
    }

    @Test
    void pinningNeedsAControllerProcessOfItsOwn() throws Exception {
        assertTrue(BenchOptions.parse(new String[] {"--pin"}, System.out).pin());
        BenchOptions.UsageException e = assertThrows(BenchOptions.UsageException.class,
                () -> BenchOptions.parse(new String[] {"--pin", "--controller", "in-process"}, System.out));
        assertTrue(e.getMessage().contains("--pin needs --controller child"), e.getMessage());
    }
}
