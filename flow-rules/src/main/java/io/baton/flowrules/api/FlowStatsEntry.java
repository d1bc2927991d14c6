package io.baton.flowrules.api;

import java.util.List;

/**
 * One rule as a switch reports it in flow stats, platform-neutral. The actions let a restarted
 * controller learn from the switch where a connection's packets go (server, client port).
 */
public final class FlowStatsEntry {
    private final long cookie;
    private final int priority;
    private final FlowMatch match;
    private final long packetCount;
    private final long byteCount;
    private final long durationSeconds;
    private final int idleTimeoutSeconds;
    private final int hardTimeoutSeconds;
    private final List<FlowAction> actions;

    /** Without actions (a platform that does not report them). */
    public FlowStatsEntry(long cookie, int priority, FlowMatch match, long packetCount, long byteCount,
                          long durationSeconds, int idleTimeoutSeconds, int hardTimeoutSeconds) {
        this(cookie, priority, match, packetCount, byteCount, durationSeconds, idleTimeoutSeconds,
                hardTimeoutSeconds, List.of());
    }

    /** @param actions the apply-actions the switch reports, in order, as far as FlowAction can say them */
    public FlowStatsEntry(long cookie, int priority, FlowMatch match, long packetCount, long byteCount,
                          long durationSeconds, int idleTimeoutSeconds, int hardTimeoutSeconds,
                          List<FlowAction> actions) {
        this.cookie = cookie;
        this.priority = priority;
        this.match = match;
        this.packetCount = packetCount;
        this.byteCount = byteCount;
        this.durationSeconds = durationSeconds;
        this.idleTimeoutSeconds = idleTimeoutSeconds;
        this.hardTimeoutSeconds = hardTimeoutSeconds;
        this.actions = List.copyOf(actions);
    }

    public long cookie() { return cookie; }
    public int priority() { return priority; }
    public FlowMatch match() { return match; }
    public long packetCount() { return packetCount; }
    public long byteCount() { return byteCount; }
    public long durationSeconds() { return durationSeconds; }
    public int idleTimeoutSeconds() { return idleTimeoutSeconds; }
    public int hardTimeoutSeconds() { return hardTimeoutSeconds; }
    public List<FlowAction> actions() { return actions; }

    @Override
    public String toString() {
        return String.format("flow_stats{cookie=0x%x,prio=%d,%s,actions=%s,packets=%d,bytes=%d}",
                cookie, priority, match, actions, packetCount, byteCount);
    }
}
