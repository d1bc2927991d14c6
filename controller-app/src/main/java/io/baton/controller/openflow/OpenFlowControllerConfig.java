package io.baton.controller.openflow;

import java.time.Duration;
import java.util.Objects;

/**
 * Settings of the embedded OpenFlow controller, immutable. Every queue the controller keeps is
 * bounded by one of these.
 */
public final class OpenFlowControllerConfig {
    /** The IANA OpenFlow port. */
    public static final int DEFAULT_PORT = 6653;

    private final String bindAddress;
    private final int port;
    private final Duration handshakeTimeout;
    private final Duration requestTimeout;
    private final Duration echoInterval;
    private final int maxSwitches;
    private final int maxPendingOpsPerSwitch;
    private final int maxFlowStatsEntries;
    private final int maxOutboundBytesPerSwitch;
    private final int ioThreads;

    private OpenFlowControllerConfig(Builder b) {
        bindAddress = b.bindAddress;
        port = b.port;
        handshakeTimeout = b.handshakeTimeout;
        requestTimeout = b.requestTimeout;
        echoInterval = b.echoInterval;
        maxSwitches = b.maxSwitches;
        maxPendingOpsPerSwitch = b.maxPendingOpsPerSwitch;
        maxFlowStatsEntries = b.maxFlowStatsEntries;
        maxOutboundBytesPerSwitch = b.maxOutboundBytesPerSwitch;
        ioThreads = b.ioThreads;
    }

    /** All defaults: 0.0.0.0:6653. */
    public static OpenFlowControllerConfig defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Address to listen on (default 0.0.0.0). */
    public String bindAddress() { return bindAddress; }

    /** TCP port to listen on (default 6653; 0 picks a free one, see {@link OpenFlowController#localAddress()}). */
    public int port() { return port; }

    /** Time from TCP accept to a switch being up (hello, features, set-config confirmed); default 5 s. */
    public Duration handshakeTimeout() { return handshakeTimeout; }

    /** Time a barrier-confirmed operation or a stats request may take; default 5 s. */
    public Duration requestTimeout() { return requestTimeout; }

    /**
     * After this long without a message from a switch the controller sends an echo request; if
     * nothing arrives in another such interval the switch is dropped. Default 5 s.
     */
    public Duration echoInterval() { return echoInterval; }

    /** Most TCP connections (switches, handshaking or up) at once; more are closed at accept. Default 64. */
    public int maxSwitches() { return maxSwitches; }

    /** Most unconfirmed operations (rule batches, stats requests) per switch; more fail at once. Default 1024. */
    public int maxPendingOpsPerSwitch() { return maxPendingOpsPerSwitch; }

    /** Most entries one flow-stats reply may gather before the request fails. Default 100 000. */
    public int maxFlowStatsEntries() { return maxFlowStatsEntries; }

    /**
     * Bytes waiting to be written to one switch above which packet-outs are dropped and
     * operations refused (Netty's high water mark; the low mark is half). Default 1 MiB.
     */
    public int maxOutboundBytesPerSwitch() { return maxOutboundBytesPerSwitch; }

    /** Netty I/O threads serving all switches (default 1). */
    public int ioThreads() { return ioThreads; }

    @Override
    public String toString() {
        return "OpenFlowControllerConfig{" + bindAddress + ":" + port
                + ", handshakeTimeout=" + handshakeTimeout + ", requestTimeout=" + requestTimeout
                + ", echoInterval=" + echoInterval + ", maxSwitches=" + maxSwitches
                + ", maxPendingOpsPerSwitch=" + maxPendingOpsPerSwitch
                + ", maxFlowStatsEntries=" + maxFlowStatsEntries
                + ", maxOutboundBytesPerSwitch=" + maxOutboundBytesPerSwitch
                + ", ioThreads=" + ioThreads + "}";
    }

    /** Builds a config; every setter checks its range. */
    public static final class Builder {
        private String bindAddress = "0.0.0.0";
        private int port = DEFAULT_PORT;
        private Duration handshakeTimeout = Duration.ofSeconds(5);
        private Duration requestTimeout = Duration.ofSeconds(5);
        private Duration echoInterval = Duration.ofSeconds(5);
        private int maxSwitches = 64;
        private int maxPendingOpsPerSwitch = 1024;
        private int maxFlowStatsEntries = 100_000;
        private int maxOutboundBytesPerSwitch = 1 << 20;
        private int ioThreads = 1;

        private Builder() {
        }

        public Builder bindAddress(String address) {
            bindAddress = Objects.requireNonNull(address);
            return this;
        }

        public Builder port(int p) {
            if (p < 0 || p > 0xffff) {
                throw new IllegalArgumentException("port out of range 0..65535: " + p);
            }
            port = p;
            return this;
        }

        public Builder handshakeTimeout(Duration d) { handshakeTimeout = positive("handshake timeout", d); return this; }
        public Builder requestTimeout(Duration d) { requestTimeout = positive("request timeout", d); return this; }
        public Builder echoInterval(Duration d) { echoInterval = positive("echo interval", d); return this; }
        public Builder maxSwitches(int n) { maxSwitches = atLeastOne("max switches", n); return this; }
        public Builder maxPendingOpsPerSwitch(int n) { maxPendingOpsPerSwitch = atLeastOne("max pending ops", n); return this; }
        public Builder maxFlowStatsEntries(int n) { maxFlowStatsEntries = atLeastOne("max flow stats entries", n); return this; }

        public Builder maxOutboundBytesPerSwitch(int n) {
            if (n < 1024) {
                throw new IllegalArgumentException("max outbound bytes per switch below 1024: " + n);
            }
            maxOutboundBytesPerSwitch = n;
            return this;
        }

        public Builder ioThreads(int n) { ioThreads = atLeastOne("io threads", n); return this; }

        public OpenFlowControllerConfig build() {
            return new OpenFlowControllerConfig(this);
        }

        private static Duration positive(String what, Duration d) {
            if (d.isNegative() || d.isZero() || d.toMillis() < 1) {
                throw new IllegalArgumentException(what + " must be at least 1 ms: " + d);
            }
            return d;
        }

        private static int atLeastOne(String what, int n) {
            if (n < 1) {
                throw new IllegalArgumentException(what + " must be at least 1: " + n);
            }
            return n;
        }
    }
}
