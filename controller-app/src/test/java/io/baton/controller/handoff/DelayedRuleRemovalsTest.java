package io.baton.controller.handoff;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DelayedRuleRemovalsTest {
    private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor();
    private final List<Integer> removed = new ArrayList<>();
    private final List<Long> removedAt = new ArrayList<>();
    private final List<Integer> batches = new ArrayList<>();

    @AfterEach
    void stop() {
        loop.shutdownNow();
    }

    private DelayedRuleRemovals<Integer> removals(long delayMillis, int capacity) {
        return new DelayedRuleRemovals<>(loop, delayMillis, capacity, batch -> {
            batches.add(batch.size());
            for (Integer i : batch) {
                removed.add(i);
                removedAt.add(System.nanoTime());
            }
        });
    }

    private <T> T onLoop(Callable<T> c) throws Exception {
        return loop.submit(c).get(5, TimeUnit.SECONDS);
    }

    @Test
    void eachGoesNoSoonerThanItsDelayInTheOrderAdded() throws Exception {
        DelayedRuleRemovals<Integer> r = removals(200, 100);
        long start = System.nanoTime();
        onLoop(() -> {
            r.add(1);
            r.add(2);
            return null;
        });
        Thread.sleep(100);
        long second = System.nanoTime();
        onLoop(() -> {
            r.add(3);
            return null;
        });
        Thread.sleep(600);
        assertEquals(List.of(1, 2, 3), onLoop(() -> List.copyOf(removed)));
        assertTrue(removedAt.get(0) - start >= TimeUnit.MILLISECONDS.toNanos(200), "first waited its delay");
        assertTrue(removedAt.get(2) - second >= TimeUnit.MILLISECONDS.toNanos(200), "third waited its own delay");
        assertTrue(removedAt.get(2) - removedAt.get(0) >= TimeUnit.MILLISECONDS.toNanos(50),
                "the third was not taken with the first batch");
        assertEquals(0, onLoop(r::waiting));
        assertEquals(List.of(2, 1), onLoop(() -> List.copyOf(batches)), "1 and 2 in one batch, 3 in the next");
    }

    @Test
    void beyondTheCapacityTheOldestGoAtOnce() throws Exception {
        DelayedRuleRemovals<Integer> r = removals(60_000, 3);
        onLoop(() -> {
            for (int i = 1; i <= 5; i++) {
                r.add(i);
            }
            return null;
        });
        assertEquals(List.of(1, 2), onLoop(() -> List.copyOf(removed)));
        assertEquals(3, onLoop(r::waiting));
    }
}
