package io.baton.controller.pool;

import io.baton.controller.handoff.AgentSession;
import io.baton.flowrules.api.Ipv4Address;
import io.baton.flowrules.api.MacAddress;

/** One real server as the registry tracks it. Engine thread only; owned by {@link ServerRegistry}. */
public final class Server {
    private final Ipv4Address address;
    private AgentSession agent;
    private MacAddress mac;
    private long upSinceMillis;
    int activeConnections;
    long handoffsOk;
    long handoffsFailed;

    Server(Ipv4Address address) {
        this.address = address;
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

    public String name() {
        return address.toString();
    }
}
