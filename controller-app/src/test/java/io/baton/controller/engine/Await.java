package io.baton.controller.engine;

import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** Waits for what the engine does on its own thread; fails after five seconds, saying what for. */
final class Await {
    private Await() {
    }

    static void until(BooleanSupplier cond, String what) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out waiting for: " + what);
            }
            Thread.sleep(5);
        }
    }
}
