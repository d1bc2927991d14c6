package io.baton.controller.openflow;

import io.netty.channel.Channel;
import io.netty.util.internal.PlatformDependent;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Queue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Work for one switch's channel, submitted from any thread (mostly the engine's), run on the
 * channel's event loop in batches with one flush per batch. Netty's own {@code writeAndFlush}
 * from another thread costs one task hand-over and one write(2) per message; the controller
 * bench measured the OpenFlow I/O thread spending most of its time in per-message flushes
 * (controller-bench, README "Controller alone"). Here a batch costs one hand-over and one flush,
 * however many messages the engine produced meanwhile.
 *
 * <p>Order is kept: work runs in submission order (per submitting thread, and overall in the
 * order the queue received it). Bytes waiting here count against the switch's output bound,
 * as Netty counts the bytes of its own pending write tasks.
 */
final class OutboundBatch {
    private static final Logger LOG = LoggerFactory.getLogger(OutboundBatch.class);
    /** Most work run per batch; the rest waits for the next turn of the event loop. */
    private static final int MAX_BATCH = 1024;

    private final Channel channel;
    private final Queue<Entry> queue = PlatformDependent.newMpscQueue();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final AtomicLong queuedBytes = new AtomicLong();
    private final Runnable drain = this::drain;

    /** Work to run on the event loop, or to give up when the loop is gone. */
    interface Work {
        void run();

        /** The event loop refused the batch (the controller is stopping). */
        void rejected();
    }

    private static final class Entry {
        final Work work;
        final long bytes;

        Entry(Work work, long bytes) {
            this.work = work;
            this.bytes = bytes;
        }
    }

    OutboundBatch(Channel channel) {
        this.channel = channel;
    }

    /** Estimated bytes submitted and not yet handed to the channel. */
    long queuedBytes() {
        return queuedBytes.get();
    }

    /**
     * Runs {@code work} on the event loop in the next batch, which ends with a flush; if the
     * event loop refuses work (shutting down), every queued work is told so instead.
     */
    void submit(Work work, long estimatedBytes) {
        queuedBytes.addAndGet(estimatedBytes);
        queue.offer(new Entry(work, estimatedBytes));
        schedule();
    }

    private void schedule() {
        if (!scheduled.get() && scheduled.compareAndSet(false, true)) {
            try {
                channel.eventLoop().execute(drain);
            } catch (RejectedExecutionException e) {
                Entry q;
                while ((q = queue.poll()) != null) {
                    queuedBytes.addAndGet(-q.bytes);
                    q.work.rejected();
                }
                scheduled.set(false);
                if (!queue.isEmpty()) {
                    schedule(); // offered meanwhile: refused the same way
                }
            }
        }
    }

    private void drain() {
        // Cleared before polling: work offered from now on either is polled below or schedules another drain.
        scheduled.set(false);
        for (int n = 0; n < MAX_BATCH; n++) {
            Entry e = queue.poll();
            if (e == null) {
                break;
            }
            queuedBytes.addAndGet(-e.bytes);
            try {
                e.work.run();
            } catch (RuntimeException ex) {
                LOG.warn("switch channel {}: queued work failed", channel, ex);
            }
        }
        channel.flush();
        if (!queue.isEmpty()) {
            schedule(); // the rest in a later batch, so reads from the switch are not starved meanwhile
        }
    }
}
