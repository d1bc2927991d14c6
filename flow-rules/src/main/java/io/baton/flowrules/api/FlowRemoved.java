package io.baton.flowrules.api;

/** A switch's report that a rule is gone, platform-neutral. */
public final class FlowRemoved {
    /** Why the switch removed the rule. */
    public enum Reason { IDLE_TIMEOUT, HARD_TIMEOUT, DELETE, OTHER }

    private final long cookie;
    private final int priority;
    private final FlowMatch match;
    private final Reason reason;
    private final long packetCount;
    private final long byteCount;
    private final long durationSeconds;

    public FlowRemoved(long cookie, int priority, FlowMatch match, Reason reason,
                       long packetCount, long byteCount, long durationSeconds) {
        this.cookie = cookie;
        this.priority = priority;
        this.match = match;
        this.reason = reason;
        this.packetCount = packetCount;
        this.byteCount = byteCount;
        this.durationSeconds = durationSeconds;
    }

    public long cookie() { return cookie; }
    public int priority() { return priority; }
    public FlowMatch match() { return match; }
    public Reason reason() { return reason; }
    public long packetCount() { return packetCount; }
    public long byteCount() { return byteCount; }
    public long durationSeconds() { return durationSeconds; }

    @Override
    public String toString() {
        return String.format("flow_removed{cookie=0x%x,prio=%d,%s,reason=%s,packets=%d,bytes=%d}",
                cookie, priority, match, reason, packetCount, byteCount);
    }
}
