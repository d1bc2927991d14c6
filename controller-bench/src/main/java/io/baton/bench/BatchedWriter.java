package io.baton.bench;

import io.netty.channel.Channel;

/**
 * Writes to a channel and flushes once per turn of its event loop rather than once per
 * message: the flush is queued as a task, which the loop runs after the reads of this turn.
 * A real switch or agent batches its socket writes the same way. Event loop only.
 */
final class BatchedWriter {
    private final Channel channel;
    private final Runnable flush;
    private boolean flushQueued;

    BatchedWriter(Channel channel) {
        this.channel = channel;
        this.flush = () -> {
            flushQueued = false;
            channel.flush();
        };
    }

    void write(Object msg) {
        channel.write(msg, channel.voidPromise());
        if (!flushQueued) {
            flushQueued = true;
            channel.eventLoop().execute(flush);
        }
    }
}
