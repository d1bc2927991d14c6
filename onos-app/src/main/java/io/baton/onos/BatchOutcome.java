package io.baton.onos;

import io.baton.controller.southbound.SouthboundException;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The one outcome of a rule batch, whichever comes first of ONOS's confirmation, its refusal and
 * the confirm timeout; counted before the future completes, so whoever waits on the future sees
 * the counters already up to date.
 */
final class BatchOutcome {
    private final OnosCounters counters;
    private final AtomicBoolean settled = new AtomicBoolean();
    private final CompletableFuture<Void> future = new CompletableFuture<>();

    BatchOutcome(OnosCounters counters) {
        this.counters = counters;
    }

    CompletableFuture<Void> future() {
        return future;
    }

    void confirmed() {
        if (settled.compareAndSet(false, true)) {
            counters.ruleBatchesOk.increment();
            future.complete(null);
        }
    }

    void failed(SouthboundException e) {
        if (settled.compareAndSet(false, true)) {
            counters.ruleBatchesFailed.increment();
            future.completeExceptionally(e);
        }
    }
}
