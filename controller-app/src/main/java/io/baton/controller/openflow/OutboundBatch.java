package io.baton.controller.openflow;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.util.internal.PlatformDependent;

import org.projectfloodlight.openflow.protocol.OFMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Queue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Work for one switch's channel, submitted from any thread (mostly the engine's), run on the
 * channel's event loop in batches. Netty's own {@code writeAndFlush} from another thread costs
 * one task hand-over, one buffer, one outbound entry and one write(2) per message; the
 * controller bench measured the OpenFlow I/O thread spending most of its time there
 * (controller-bench, README "Controller alone"). Here a batch costs one hand-over, and its
 * messages are encoded back to back into one buffer written with one flush.
 *
 * <p>Order is kept: work runs in submission order (per submitting thread, and overall in the
 * order the queue received it). Bytes waiting here count against the switch's output bound,
 * as Netty counts the bytes of its own pending write tasks.
 */
final class OutboundBatch {
    private static final Logger LOG = LoggerFactory.getLogger(OutboundBatch.class);
    /** Most work run per batch; the rest waits for the next turn of the event loop. */
    private static final int MAX_BATCH = 1024;
    /** A batch's buffer is handed to the channel once it holds this much, and a new one started. */
    private static final int MAX_BUFFER_BYTES = 64 * 1024;

    private final Channel channel;
    private final BatchListener listener;
    private final Queue<Entry> queue = PlatformDependent.newMpscQueue();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final AtomicLong queuedBytes = new AtomicLong();
    private final Runnable drain = this::drain;
    private final Writer writer = new Writer();

    /** Work to run on the event loop, or to give up when the loop is gone. */
    interface Work {
        void run(Writer out);

        /** The event loop refused the batch (the controller is stopping). */
        void rejected();
    }

    /** Told on the event loop how each batch went. */
    interface BatchListener {
        /** Every work of the batch has run; the last chance to add messages to it (a closing barrier, say). */
        void beforeFlush(Writer out);

        /** The bytes holding {@code packetOuts} packet-outs reached the socket, or failed to. */
        void written(boolean success, int packetOuts);
    }

    /** Encodes messages into the batch's buffer; event loop only. */
    final class Writer {
        private ByteBuf buf;
        private int packetOuts;

        /**
         * Appends one message. If openflowj cannot encode it, nothing of it stays in the buffer
         * and the exception reaches the caller, so one bad message cannot corrupt the stream.
         */
        void write(OFMessage msg) {
            if (buf == null) {
                buf = channel.alloc().ioBuffer(1024);
            }
            int mark = buf.writerIndex();
            try {
                msg.writeTo(buf);
            } catch (RuntimeException e) {
                buf.writerIndex(mark);
                throw e;
            }
            if (buf.readableBytes() >= MAX_BUFFER_BYTES) {
                handOver();
            }
        }

        /** A packet-out, counted as written or dropped once its bytes reach the socket or fail to. */
        void writePacketOut(OFMessage msg) {
            write(msg);
            packetOuts++;
        }

        private void handOver() {
            if (buf == null) {
                return;
            }
            int n = packetOuts;
            ByteBuf b = buf;
            buf = null;
            packetOuts = 0;
            if (!b.isReadable()) {
                b.release();
                return;
            }
            ChannelFutureListener done = f -> listener.written(f.isSuccess(), n);
            channel.write(b).addListener(done);
        }
    }

    OutboundBatch(Channel channel, BatchListener listener) {
        this.channel = channel;
        this.listener = listener;
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
                e.work.run(writer);
            } catch (RuntimeException ex) {
                LOG.warn("switch channel {}: queued work failed", channel, ex);
            }
        }
        try {
            listener.beforeFlush(writer);
        } catch (RuntimeException ex) {
            LOG.warn("switch channel {}: closing the batch failed", channel, ex);
        }
        writer.handOver();
        channel.flush();
        if (!queue.isEmpty()) {
            schedule(); // the rest in a later batch, so reads from the switch are not starved meanwhile
        }
    }

    private static final class Entry {
        final Work work;
        final long bytes;

        Entry(Work work, long bytes) {
            this.work = work;
            this.bytes = bytes;
        }
    }
}
