package io.baton.bench;

import java.io.IOException;
import java.util.Map;

/** The controller the bench drives: in this JVM or a child JVM started by {@code bin/baton-controller}. */
interface ControllerUnderTest extends AutoCloseable {
    ControllerFiles files();

    /** For the report: how it runs (child pid and JVM options, or in-process). */
    String describe();

    /** True when the bench shares the controller's JVM (its heap and CPU figures include the bench's). */
    boolean sameProcess();

    /** Live heap after a full GC, with a per-class breakdown when jcmd is available. */
    HeapSample heapAfterGc() throws IOException, InterruptedException;

    /** CPU used so far: the whole process, and each thread by name. */
    CpuSample cpu() throws IOException;

    @Override
    void close();
}
