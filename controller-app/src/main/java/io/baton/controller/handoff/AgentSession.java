package io.baton.controller.handoff;

import io.baton.handoff.protocol.HealthChecks;
import io.baton.flowrules.api.Ipv4Address;
import io.baton.flowrules.api.MacAddress;
import io.baton.handoff.protocol.HandoffMessage;
import io.netty.channel.Channel;

import java.util.Set;

/** One authenticated agent connection. Sending is safe from any thread (Netty queues it). */
public final class AgentSession {
    private final Channel channel;
    private final Ipv4Address serverAddress;
    private final MacAddress serverMac;
    private final String label;
    private final Set<Ipv4Address> vips;
    private volatile long lastHeardNanos;
    /** Written only by this channel's Netty thread; read by the engine. */
    private volatile int heartbeats;

    public AgentSession(Channel channel, Ipv4Address serverAddress, MacAddress serverMac, String label,
                        Set<Ipv4Address> vips, long nowNanos) {
        this.channel = channel;
        this.serverAddress = serverAddress;
        this.serverMac = serverMac;
        this.label = label;
        this.vips = Set.copyOf(vips);
        this.lastHeardNanos = nowNanos;
    }

    public Ipv4Address serverAddress() { return serverAddress; }
    public MacAddress serverMac() { return serverMac; }
    public String label() { return label; }
    /** VIPs the agent says are on its server's loopback (needed for DSR). */
    public Set<Ipv4Address> vips() { return vips; }
    public long lastHeardNanos() { return lastHeardNanos; }

    /** Engine thread only: the checks last sent, so only changes are sent. */
    private HealthChecks lastHealthChecks;

    public HealthChecks lastHealthChecks() { return lastHealthChecks; }

    public void lastHealthChecks(HealthChecks m) { lastHealthChecks = m; }

    /** Heartbeats received so far: a returning server takes connections after a few (hysteresis). */
    public int heartbeats() { return heartbeats; }

    /** Set by the engine: this agent takes connections without waiting for heartbeats. */
    private volatile boolean upAtOnce;

    /** Whether the agent takes connections at once (it came while the controller was starting). */
    public boolean upAtOnce() { return upAtOnce; }

    public void upAtOnce(boolean v) { upAtOnce = v; }

    void heard(long nowNanos) {
        lastHeardNanos = nowNanos;
    }

    /** A heartbeat arrived (called by the channel handler). */
    public void heartbeat(long nowNanos) {
        lastHeardNanos = nowNanos;
        heartbeats++;
    }

    public boolean isOpen() {
        return channel.isActive();
    }

    public void send(HandoffMessage m) {
        channel.writeAndFlush(m, channel.voidPromise());
    }

    public void close() {
        channel.close();
    }

    @Override
    public String toString() {
        return "agent(" + serverAddress + "," + label + "," + channel.remoteAddress() + ")";
    }
}
