package io.baton.controller.pool;

import io.baton.controller.config.MemberConfig;
import io.baton.controller.handoff.AgentSession;
import io.baton.dispatcher.pool.ServerView;
import io.baton.flowrules.api.Ipv4Address;
import io.baton.flowrules.api.MacAddress;

import java.util.HashMap;
import java.util.Map;

/** One real server as the registry tracks it. Engine thread only; owned by {@link ServerRegistry}. */
public final class Server {
    private final Ipv4Address address;
    /** Made once: every connection's binding shares it. */
    private final String name;
    private AgentSession agent;
    private MacAddress mac;
    private long upSinceMillis;
    int activeConnections;
    long handoffsOk;
    long handoffsFailed;
    /**
     * The view last built of this server and the member entry it was built for: a pool's view is
     * built for every request, and most of its members have not changed since the last one.
     */
    ServerView lastView;
    MemberConfig lastViewMember;

    Server(Ipv4Address address) {
        this.address = address;
        this.name = address.toString();
    }

    public Ipv4Address address() { return address; }
    /** The agent's session, or null while no agent is connected. */
    public AgentSession agent() { return agent; }
    /** The server's data-network MAC, as its agent announced it; null before. */
    public MacAddress mac() { return mac; }
    public long upSinceMillis() { return upSinceMillis; }
    public int activeConnections() { return activeConnections; }
    public long handoffsOk() { return handoffsOk; }
    public long handoffsFailed() { return handoffsFailed; }

    void agentUp(AgentSession session, MacAddress announcedMac, long nowMillis) {
        agent = session;
        mac = announcedMac;
        upSinceMillis = nowMillis;
    }

    void agentDown() {
        agent = null;
    }

    /** Verdicts of the agent's active checks, by check id ("service/pool"). */
    private final Map<String, CheckVerdict> checks = new HashMap<>();

    /** Keeps the verdicts of checks still configured; new ones start healthy, as HAProxy's do. */
    void keepChecks(Map<String, ?> configured) {
        checks.keySet().retainAll(configured.keySet());
        for (String id : configured.keySet()) {
            checks.computeIfAbsent(id, k -> new CheckVerdict());
        }
    }

    boolean checkResult(String id, boolean ok, int rise, int fall) {
        CheckVerdict v = checks.get(id);
        return v != null && v.record(ok, rise, fall);
    }

    /** True when no such check is configured, or its verdict is healthy. */
    boolean checkHealthy(String id) {
        CheckVerdict v = checks.get(id);
        return v == null || v.healthy;
    }

    /** Consecutive results with hysteresis: {@code fall} failures to go down, {@code rise} passes to come back. */
    private static final class CheckVerdict {
        boolean healthy = true;
        int streak;

        boolean record(boolean ok, int rise, int fall) {
            if (ok == healthy) {
                streak = 0;
                return false;
            }
            streak++;
            if (streak >= (healthy ? fall : rise)) {
                healthy = ok;
                streak = 0;
                return true;
            }
            return false;
        }
    }

    public String name() {
        return name;
    }
}
