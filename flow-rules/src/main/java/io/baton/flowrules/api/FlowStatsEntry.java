package io.baton.flowrules.api;

/** One rule as a switch reports it in flow stats, platform-neutral. */
public final class FlowStatsEntry {
    private final long cookie;
    private final int priority;
    private final FlowMatch match;
    private final long packetCount;
    private final long byteCount;
    private final long durationSeconds;
    private final int idleTimeoutSeconds;
    private final int hardTimeoutSeconds;

    public FlowStatsEntry(long cookie, int priority, FlowMatch match, long packetCount, long byteCount,
                          long durationSeconds, int idleTimeoutSeconds, int hardTimeoutSeconds) {
        this.cookie = cookie;
        this.priority = priority;
        this.match = match;
        this.packetCount = packetCount;
        this.byteCount = byteCount;
        this.durationSeconds = durationSeconds;
        this.idleTimeoutSeconds = idleTimeoutSeconds;
        this.hardTimeoutSeconds = hardTimeoutSeconds;
    }

    public long cookie() { return cookie; }
    public int priority() { return priority; }
    public FlowMatch match() { return match; }
    public long packetCount() { return packetCount; }
    public long byteCount() { return byteCount; }
    public long durationSeconds() { return durationSeconds; }
    public int idleTimeoutSeconds() { return idleTimeoutSeconds; }
    public int hardTimeoutSeconds() { return hardTimeoutSeconds; }

    @Override
    public String toString() {
        return String.format("flow_stats{cookie=0x%x,prio=%d,%s,packets=%d,bytes=%d}",
                cookie, priority, match, packetCount, byteCount);
    }
}
