package io.baton.controller.handoff;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Connections whose rules are to go a fixed delay after their close. One timer serves them all:
 * with one delay, the order of closes is the order of deadlines, so a FIFO queue and a timer for
 * its head do what a timer per connection did, without a scheduled task each (at 20,000 closes a
 * second, the executor's priority queue of 40,000 tasks cost the engine thread 7 % in the
 * controller bench). Deadlines are rounded up to ticks, so one timer run hands over a batch,
 * which the caller can remove with one barrier per switch.
 *
 * <p>Engine thread only. Bounded: beyond {@code capacity} waiting, the oldest go at once.
 */
final class DelayedRuleRemovals<T> {
    private static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private final ScheduledExecutorService scheduler;
    private final long delayNanos;
    private final int capacity;
    private final Consumer<List<T>> remove;
    private final ArrayDeque<Due<T>> queue = new ArrayDeque<>();
    private boolean timerSet;

    private static final class Due<T> {
        final long atNanos;
        final T item;

        Due(long atNanos, T item) {
            this.atNanos = atNanos;
            this.item = item;
        }
    }

    /** {@code scheduler} must run its tasks on the thread that calls {@link #add}. */
    DelayedRuleRemovals(ScheduledExecutorService scheduler, long delayMillis, int capacity, Consumer<List<T>> remove) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity " + capacity);
        }
        this.scheduler = scheduler;
        this.delayNanos = TimeUnit.MILLISECONDS.toNanos(delayMillis);
        this.capacity = capacity;
        this.remove = remove;
    }

    void add(T item) {
        if (queue.size() >= capacity) {
            remove.accept(List.of(queue.poll().item));
        }
        queue.add(new Due<>(System.nanoTime() + delayNanos, item));
        if (!timerSet) {
            setTimer(delayNanos);
        }
    }

    int waiting() {
        return queue.size();
    }

    private void setTimer(long inNanos) {
        timerSet = true;
        long rounded = (Math.max(0, inNanos) / TICK_NANOS + 1) * TICK_NANOS;
        scheduler.schedule(this::due, rounded, TimeUnit.NANOSECONDS);
    }

    private void due() {
        timerSet = false;
        long now = System.nanoTime();
        List<T> batch = new ArrayList<>();
        Due<T> head;
        while ((head = queue.peek()) != null && now - head.atNanos >= 0) {
            queue.poll();
            batch.add(head.item);
        }
        if (head != null) {
            setTimer(head.atNanos - now);
        }
        if (!batch.isEmpty()) {
            remove.accept(batch);
        }
    }
}
