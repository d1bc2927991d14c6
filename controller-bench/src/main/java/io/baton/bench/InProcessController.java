package io.baton.bench;

import io.baton.controller.Main;
import io.baton.controller.config.BatonConfig;
import io.baton.controller.config.ConfigException;
import io.baton.controller.config.ConfigLoader;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.Map;

/**
 * The controller started in the bench's own JVM ({@code Main.Controller.start}): quick, and what
 * the unit test uses. Heap and CPU figures then include the bench's own.
 */
final class InProcessController implements ControllerUnderTest {
    private final ControllerFiles files;
    private final Main.Controller controller;

    InProcessController(ControllerFiles files) throws IOException {
        this.files = files;
        BatonConfig config;
        try {
            config = ConfigLoader.load(files.config());
        } catch (ConfigException e) {
            throw new IOException("the bench wrote a config the controller refuses: " + e.getMessage(), e);
        }
        this.controller = Main.Controller.start(config, files.secret(), files.token());
    }

    @Override
    public ControllerFiles files() {
        return files;
    }

    @Override
    public String describe() {
        return "in-process (bench and controller share one JVM: " + Runtime.getRuntime().maxMemory() / (1 << 20)
                + " MiB max heap)";
    }

    @Override
    public boolean sameProcess() {
        return true;
    }

    @Override
    public HeapSample heapAfterGc() throws IOException, InterruptedException {
        try {
            return HeapSample.histogram(ProcessHandle.current().pid());
        } catch (IOException e) {
            for (int i = 0; i < 3; i++) {
                System.gc();
                Thread.sleep(100);
            }
            return new HeapSample(ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed(), Map.of());
        }
    }

    @Override
    public CpuSample cpu() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        Map<String, Long> byName = new HashMap<>();
        for (ThreadInfo t : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (t != null) {
                long ns = threads.getThreadCpuTime(t.getThreadId());
                if (ns > 0) {
                    byName.merge(t.getThreadName(), ns, Long::sum);
                }
            }
        }
        long process = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
        return new CpuSample(System.nanoTime(), process, byName);
    }

    @Override
    public void close() {
        controller.close();
        files.delete();
    }
}
