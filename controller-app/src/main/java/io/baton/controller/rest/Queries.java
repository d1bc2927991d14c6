package io.baton.controller.rest;

import io.baton.controller.admin.AdminException;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Waits, with a bound, for an answer from the engine thread. */
final class Queries {
    private static final long TIMEOUT_SECONDS = 5;

    private Queries() {
    }

    static <T> T await(CompletableFuture<T> f) throws AdminException {
        try {
            return f.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AdminException(AdminException.Kind.NOT_SAVED, null, "interrupted");
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("engine did not answer: " + e, e);
        }
    }
}
