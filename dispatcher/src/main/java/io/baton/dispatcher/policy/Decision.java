package io.baton.dispatcher.policy;

import io.baton.dispatcher.pool.ServerView;
import io.baton.dispatcher.request.RejectReason;
import java.util.Objects;

/** A policy's outcome: forward to a server, or reject with a reason. Immutable. */
public final class Decision {
    private final ServerView server;
    private final RejectReason reason;
    private final String detail;

    private Decision(ServerView server, RejectReason reason, String detail) {
        this.server = server;
        this.reason = reason;
        this.detail = detail;
    }

    public static Decision forward(ServerView s) {
        return new Decision(Objects.requireNonNull(s, "server"), null, null);
    }

    public static Decision reject(RejectReason r, String detail) {
        return new Decision(null, Objects.requireNonNull(r, "reason"), Objects.requireNonNull(detail, "detail"));
    }

    public boolean isForward() {
        return server != null;
    }

    /** @throws IllegalStateException for a reject */
    public ServerView server() {
        if (server == null) {
            throw new IllegalStateException("rejected (" + reason + "): no server");
        }
        return server;
    }

    /** @throws IllegalStateException for a forward */
    public RejectReason reason() {
        if (reason == null) {
            throw new IllegalStateException("forwarded: no reject reason");
        }
        return reason;
    }

    /** @throws IllegalStateException for a forward */
    public String detail() {
        if (detail == null) {
            throw new IllegalStateException("forwarded: no reject detail");
        }
        return detail;
    }

    @Override
    public String toString() {
        return isForward() ? "forward(" + server.name() + ")" : "reject(" + reason + ": " + detail + ")";
    }
}
