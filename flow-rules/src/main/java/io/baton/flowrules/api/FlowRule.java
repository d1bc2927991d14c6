package io.baton.flowrules.api;

import java.util.List;
import java.util.Objects;

/**
 * A flow rule as Baton means it, immutable and platform-neutral: built by the engine,
 * translated per platform by an adapter. Every rule carries Baton's cookie so that it can be
 * found again (stats, reconciliation, removal on stop).
 */
public final class FlowRule {
    private final FlowMatch match;
    private final List<FlowAction> actions;
    private final int priority;
    private final long cookie;
    private final int idleTimeoutSeconds;
    private final int hardTimeoutSeconds;
    private final boolean notifyOnRemoval;
    private final long meterId;

    private FlowRule(Builder b) {
        match = b.match;
        actions = List.copyOf(b.actions);
        priority = b.priority;
        cookie = b.cookie;
        idleTimeoutSeconds = b.idleTimeoutSeconds;
        hardTimeoutSeconds = b.hardTimeoutSeconds;
        notifyOnRemoval = b.notifyOnRemoval;
        meterId = b.meterId;
    }

    public static Builder builder() {
        return new Builder();
    }

    public FlowMatch match() { return match; }
    /** Applied in order; empty means drop. */
    public List<FlowAction> actions() { return actions; }
    public int priority() { return priority; }
    public long cookie() { return cookie; }
    /** 0 means no idle timeout. */
    public int idleTimeoutSeconds() { return idleTimeoutSeconds; }
    /** 0 means no hard timeout. */
    public int hardTimeoutSeconds() { return hardTimeoutSeconds; }
    /** Ask the switch for a flow-removed message when the rule goes. */
    public boolean notifyOnRemoval() { return notifyOnRemoval; }
    /** The {@link Meter} the rule's packets pass first; 0 means none. */
    public long meterId() { return meterId; }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof FlowRule)) {
            return false;
        }
        FlowRule r = (FlowRule) o;
        return priority == r.priority && cookie == r.cookie && idleTimeoutSeconds == r.idleTimeoutSeconds
                && hardTimeoutSeconds == r.hardTimeoutSeconds && notifyOnRemoval == r.notifyOnRemoval && meterId == r.meterId
                && match.equals(r.match) && actions.equals(r.actions);
    }

    @Override
    public int hashCode() {
        return Objects.hash(match, actions, priority, cookie, idleTimeoutSeconds, hardTimeoutSeconds, notifyOnRemoval, meterId);
    }

    @Override
    public String toString() {
        return String.format("rule{prio=%d,cookie=0x%x,idle=%d,hard=%d,%s,%sactions=%s}",
                priority, cookie, idleTimeoutSeconds, hardTimeoutSeconds, match,
                meterId == 0 ? "" : "meter=" + meterId + ",", actions);
    }

    /** Builds a rule; priority and timeouts are range-checked. */
    public static final class Builder {
        private FlowMatch match = FlowMatch.any();
        private List<FlowAction> actions = List.of();
        private int priority;
        private long cookie;
        private int idleTimeoutSeconds;
        private int hardTimeoutSeconds;
        private boolean notifyOnRemoval;
        private long meterId;

        private Builder() {
        }

        public Builder match(FlowMatch m) { match = Objects.requireNonNull(m); return this; }
        public Builder actions(List<FlowAction> a) { actions = List.copyOf(a); return this; }
        public Builder actions(FlowAction... a) { actions = List.of(a); return this; }
        public Builder priority(int p) { priority = check16("priority", p); return this; }
        public Builder cookie(long c) { cookie = c; return this; }
        public Builder idleTimeoutSeconds(int s) { idleTimeoutSeconds = check16("idle timeout", s); return this; }
        public Builder hardTimeoutSeconds(int s) { hardTimeoutSeconds = check16("hard timeout", s); return this; }
        public Builder notifyOnRemoval(boolean n) { notifyOnRemoval = n; return this; }
        /** Pass the rule's packets through this meter first; 0 for none. */
        public Builder meterId(long id) {
            if (id < 0 || id > Meter.MAX_ID) {
                throw new IllegalArgumentException("meter id out of range 0.." + Meter.MAX_ID + ": " + id);
            }
            meterId = id;
            return this;
        }

        public FlowRule build() {
            return new FlowRule(this);
        }

        private static int check16(String what, int v) {
            if (v < 0 || v > 0xffff) {
                throw new IllegalArgumentException(what + " out of range 0..65535: " + v);
            }
            return v;
        }
    }
}
