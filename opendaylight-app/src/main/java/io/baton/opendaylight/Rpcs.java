package io.baton.opendaylight;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import io.baton.controller.southbound.SouthboundException;
import org.opendaylight.yangtools.yang.common.RpcError;
import org.opendaylight.yangtools.yang.common.RpcResult;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/** MD-SAL RPC answers as the CompletableFutures the engine takes, with the errors spelled out. */
final class Rpcs {
    private Rpcs() {
    }

    /** A Guava future as a CompletableFuture (completed on the thread that completes it). */
    static <T> CompletableFuture<T> toCompletable(ListenableFuture<T> future) {
        CompletableFuture<T> cf = new CompletableFuture<>();
        Futures.addCallback(future, new FutureCallback<T>() {
            @Override
            public void onSuccess(T result) {
                cf.complete(result);
            }

            @Override
            public void onFailure(Throwable t) {
                cf.completeExceptionally(t);
            }
        }, MoreExecutors.directExecutor());
        return cf;
    }

    /**
     * Completes when the RPC answered successfully, exceptionally with a {@link SouthboundException}
     * naming {@code what} and the RPC's errors when it answered unsuccessfully, failed, threw
     * (a missing RPC implementation throws at once) or gave no answer within the timeout.
     */
    static CompletableFuture<Void> confirmed(String what, RpcCall call, long timeoutMillis) {
        CompletableFuture<? extends RpcResult<?>> answer;
        try {
            answer = toCompletable(call.invoke());
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(new SouthboundException(what + ": " + e, e));
        }
        return answer.orTimeout(timeoutMillis, TimeUnit.MILLISECONDS).handle((result, err) -> {
            if (err != null) {
                Throwable cause = err instanceof java.util.concurrent.CompletionException && err.getCause() != null
                        ? err.getCause() : err;
                String why = cause instanceof java.util.concurrent.TimeoutException
                        ? "no answer within " + timeoutMillis + " ms" : cause.toString();
                throw new SouthboundException(what + ": " + why, cause);
            }
            if (result == null || !result.isSuccessful()) {
                throw new SouthboundException(what + ": " + describe(result == null ? List.of() : result.getErrors()));
            }
            return null;
        });
    }

    /** The message of a failure, without the CompletionException wrapping futures add. */
    static String message(Throwable t) {
        Throwable cause = t instanceof java.util.concurrent.CompletionException && t.getCause() != null ? t.getCause() : t;
        return cause.getMessage() == null ? cause.toString() : cause.getMessage();
    }

    static String describe(List<RpcError> errors) {
        if (errors.isEmpty()) {
            return "unsuccessful, no error given";
        }
        return errors.stream().map(e -> e.getErrorType() + "/" + e.getTag().elementBody() + ": " + e.getMessage()
                + (e.getInfo() == null ? "" : " (" + e.getInfo() + ")")).collect(Collectors.joining("; "));
    }

    /** One RPC invocation, deferred so that a throwing implementation is caught in one place. */
    @FunctionalInterface
    interface RpcCall {
        ListenableFuture<? extends RpcResult<?>> invoke();
    }
}
