package io.baton.controller.config;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;

/** The controller's whole configuration, validated. */
public final class BatonConfig {
    private final InetSocketAddress openflowListen;
    private final InetSocketAddress handoffListen;
    private final Path secretFile;
    private final int heartbeatTimeoutMillis;
    private final int riseHeartbeats;
    private final int handoffTimeoutMillis;
    private final boolean forwardBeforeCommit;
    private final RescueSettings rescue;
    private final InetSocketAddress restListen;
    private final Path tokenFile;
    private final FrontendSettings frontend;
    private final PacketInLimits packetInLimits;
    private final int flowIdleTimeoutSeconds;
    private final List<ServiceConfig> services;

    public BatonConfig(InetSocketAddress openflowListen, InetSocketAddress handoffListen, Path secretFile,
                       int heartbeatTimeoutMillis, int riseHeartbeats, int handoffTimeoutMillis,
                       boolean forwardBeforeCommit, RescueSettings rescue, InetSocketAddress restListen,
                       Path tokenFile, FrontendSettings frontend, PacketInLimits packetInLimits,
                       int flowIdleTimeoutSeconds, List<ServiceConfig> services) {
        this.openflowListen = openflowListen;
        this.handoffListen = handoffListen;
        this.secretFile = secretFile;
        this.heartbeatTimeoutMillis = heartbeatTimeoutMillis;
        this.riseHeartbeats = riseHeartbeats;
        this.handoffTimeoutMillis = handoffTimeoutMillis;
        this.forwardBeforeCommit = forwardBeforeCommit;
        this.rescue = rescue;
        this.restListen = restListen;
        this.tokenFile = tokenFile;
        this.frontend = frontend;
        this.packetInLimits = packetInLimits;
        this.flowIdleTimeoutSeconds = flowIdleTimeoutSeconds;
        this.services = List.copyOf(services);
    }

    public InetSocketAddress openflowListen() { return openflowListen; }
    public InetSocketAddress handoffListen() { return handoffListen; }
    public Path secretFile() { return secretFile; }
    public int heartbeatTimeoutMillis() { return heartbeatTimeoutMillis; }
    /** Heartbeats a returning agent must send before its server takes connections again. */
    public int riseHeartbeats() { return riseHeartbeats; }
    public int handoffTimeoutMillis() { return handoffTimeoutMillis; }
    /** Whether a request that is safe to repeat may reach the web server before the commit. */
    public boolean forwardBeforeCommit() { return forwardBeforeCommit; }
    /** What is kept to hand a request again whose server died before answering. */
    public RescueSettings rescue() { return rescue; }
    public InetSocketAddress restListen() { return restListen; }
    public Path tokenFile() { return tokenFile; }
    public FrontendSettings frontend() { return frontend; }
    public PacketInLimits packetInLimits() { return packetInLimits; }
    public int flowIdleTimeoutSeconds() { return flowIdleTimeoutSeconds; }
    public List<ServiceConfig> services() { return services; }

    /** The same settings with other services (the REST API's changes). */
    public BatonConfig withServices(List<ServiceConfig> s) {
        return new BatonConfig(openflowListen, handoffListen, secretFile, heartbeatTimeoutMillis, riseHeartbeats,
                handoffTimeoutMillis, forwardBeforeCommit, rescue, restListen, tokenFile, frontend, packetInLimits, flowIdleTimeoutSeconds, s);
    }
}
