package io.baton.controller.handoff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.controller.connection.ConnectionKey;
import io.baton.flowrules.api.SwitchId;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LingeringRulesTest {
    private static final int VIP = 0x0a000064;
    private static final SwitchId SW1 = SwitchId.of(1);
    private static final SwitchId SW2 = SwitchId.of(2);

    private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor();
    /** Each batch handed over, as (switch, connection id) pairs in the order given. */
    private final List<Map<SwitchId, List<Long>>> batches = new ArrayList<>();
    private final List<Long> removedAt = new ArrayList<>();

    @AfterEach
    void stop() {
        loop.shutdownNow();
    }

    private static ConnectionKey key(int client, int port) {
        return new ConnectionKey(client, port, VIP, 80);
    }

    private LingeringRules rules(long delayMillis, int capacity, java.util.function.LongSupplier clock) {
        return new LingeringRules(loop, clock, delayMillis, capacity, batch -> {
            batches.add(batch);
            removedAt.add(System.nanoTime());
        });
    }

    private <T> T onLoop(Callable<T> c) throws Exception {
        return loop.submit(c).get(5, TimeUnit.SECONDS);
    }

    private List<Long> removedIds() {
        List<Long> ids = new ArrayList<>();
        batches.forEach(b -> b.values().forEach(ids::addAll));
        return ids;
    }

    /**
     * The time the switch confirmed a lingering connection's forward rule gone comes back with it
     * when its port is taken again; a mark for a connection that a newer one of the same key
     * replaced is not given to the newer one, and growth of the ring keeps the marks.
     */
    @Test
    void aForwardRuleGoneIsMarkedOnItsOwnConnectionOnly() throws Exception {
        LingeringRules r = rules(10_000, 1 << 12, System::nanoTime);
        onLoop(() -> {
            r.add(SW1, 1, key(1, 1000));
            r.add(SW1, 2, key(1, 1001));
            r.forwardRuleGone(key(1, 1000), 1, 111);
            r.add(SW1, 3, key(1, 1001)); // the port of 2 taken again and closed again
            r.forwardRuleGone(key(1, 1001), 2, 222); // late: 2 no longer holds the key
            for (int i = 0; i < 2000; i++) { // past the first ring length: it grows
                r.add(SW2, 100 + i, key(2, 2000 + i));
            }
            r.forwardRuleGone(key(2, 3999), 2099, 333);
            return null;
        });
        LingeringRules.Taken first = onLoop(() -> r.take(key(1, 1000)));
        assertEquals(1, first.connectionId);
        assertEquals(111, first.forwardGoneNanos);
        LingeringRules.Taken newer = onLoop(() -> r.take(key(1, 1001)));
        assertEquals(3, newer.connectionId);
        assertEquals(0, newer.forwardGoneNanos, "not the mark meant for 2");
        LingeringRules.Taken grown = onLoop(() -> r.take(key(2, 3999)));
        assertEquals(2099, grown.connectionId);
        assertEquals(333, grown.forwardGoneNanos);
        assertEquals(0, onLoop(() -> r.take(key(2, 2000))).forwardGoneNanos);
    }

    @Test
    void eachGoesNoSoonerThanItsDelayInTheOrderAddedInBatchesPerSwitch() throws Exception {
        LingeringRules r = rules(200, 100, System::nanoTime);
        long start = System.nanoTime();
        onLoop(() -> {
            r.add(SW1, 1, key(1, 1000));
            r.add(SW2, 2, key(1, 1001));
            r.add(SW1, 3, key(1, 1002));
            return null;
        });
        Thread.sleep(100);
        long later = System.nanoTime();
        onLoop(() -> {
            r.add(SW1, 4, key(1, 1003));
            return null;
        });
        Thread.sleep(600);
        List<Map<SwitchId, List<Long>>> got = onLoop(() -> List.copyOf(batches));
        assertEquals(List.of(Map.of(SW1, List.of(1L, 3L), SW2, List.of(2L)), Map.of(SW1, List.of(4L))), got,
                "1, 2 and 3 in one batch (per switch), 4 in the next");
        assertTrue(removedAt.get(0) - start >= TimeUnit.MILLISECONDS.toNanos(200), "the first batch waited its delay");
        assertTrue(removedAt.get(1) - later >= TimeUnit.MILLISECONDS.toNanos(200), "the last waited its own delay");
        assertEquals(0, onLoop(r::waiting));
    }

    @Test
    void beyondTheCapacityTheOldestGoAtOnce() throws Exception {
        LingeringRules r = rules(60_000, 3, System::nanoTime);
        onLoop(() -> {
            for (int i = 1; i <= 5; i++) {
                r.add(SW1, i, key(1, 1000 + i));
            }
            return null;
        });
        assertEquals(List.of(1L, 2L), onLoop(this::removedIds));
        assertEquals(3, onLoop(r::waiting));
    }

    /** A port reused at once: the newest connection of the key is taken out, and its rules do not go twice. */
    @Test
    void aTakenConnectionIsTheNewestOfItsKeyAndIsNotRemovedAgain() {
        long[] now = {0};
        LingeringRules r = rules(1000, 100, () -> now[0]);
        r.add(SW1, 1, key(1, 1000));
        r.add(SW2, 2, key(1, 1000));
        LingeringRules.Taken t = r.take(key(1, 1000));
        assertEquals(SW2, t.sw);
        assertEquals(2L, t.connectionId);
        assertNull(r.take(key(1, 1000)), "the older one is not found by its key any more");
        assertNull(r.take(key(1, 1001)));
        now[0] = TimeUnit.SECONDS.toNanos(2);
        r.removeDue();
        assertEquals(List.of(1L), removedIds(), "the older one still goes at its time; the taken one not again");
        assertEquals(0, r.waiting());
    }

    /**
     * Random closes, reuses and expiries over few keys (so they repeat and cluster), through the
     * ring's growth and the index's backward-shift deletions, checked against a plain model.
     */
    @Test
    void agreesWithAModelThroughGrowthTakesAndExpiries() throws Exception {
        // The model calls removeDue itself, on this thread: the timer's own runs (a real second
        // later) are held back until the end, or they would race it on the loop's thread.
        java.util.concurrent.CountDownLatch end = new java.util.concurrent.CountDownLatch(1);
        loop.execute(() -> {
            try {
                end.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        try {
            checkAgainstTheModel();
        } finally {
            end.countDown();
        }
    }

    private void checkAgainstTheModel() {
        long[] now = {0};
        int capacity = 5_000;
        LingeringRules r = rules(1000, capacity, () -> now[0]);
        long delay = TimeUnit.SECONDS.toNanos(1);
        ArrayDeque<long[]> model = new ArrayDeque<>(); // {id, client, port, due, taken}
        Map<ConnectionKey, long[]> newest = new HashMap<>();
        List<Long> expected = new ArrayList<>();
        SplittableRandom random = new SplittableRandom(7);
        long nextId = 1;
        for (int step = 0; step < 200_000; step++) {
            int client = 0x0a000001 + random.nextInt(4);
            int port = 1024 + random.nextInt(3_000);
            ConnectionKey k = key(client, port);
            int op = random.nextInt(10);
            if (op < 6) {
                if (model.size() >= capacity) {
                    pop(model, newest, expected);
                }
                long[] e = {nextId, client, port, now[0] + delay, 0};
                model.add(e);
                newest.put(k, e);
                r.add(SW1, nextId++, k);
            } else if (op < 8) {
                long[] e = newest.remove(k);
                LingeringRules.Taken t = r.take(k);
                if (e == null) {
                    assertNull(t, "nothing lingers with " + k);
                } else {
                    assertEquals(e[0], t.connectionId, "the newest with " + k);
                    e[4] = 1;
                }
            } else {
                now[0] += random.nextInt(50_000_000);
                while (!model.isEmpty() && model.peek()[3] <= now[0]) {
                    pop(model, newest, expected);
                }
                r.removeDue();
            }
            assertEquals(model.size(), r.waiting(), "waiting at step " + step);
        }
        assertEquals(expected, removedIds(), "the same connections removed, in the same order");
    }

    private static void pop(ArrayDeque<long[]> model, Map<ConnectionKey, long[]> newest, List<Long> expected) {
        long[] e = model.poll();
        if (e[4] == 0) {
            expected.add(e[0]);
            newest.remove(key((int) e[1], (int) e[2]), e);
        }
    }
}
