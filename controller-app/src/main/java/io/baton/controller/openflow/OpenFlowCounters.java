package io.baton.controller.openflow;

/** A snapshot of the embedded controller's counters, immutable; totals since start. */
public final class OpenFlowCounters {
    private final long packetIns;
    private final long packetOuts;
    private final long packetOutsDropped;
    private final long flowMods;
    private final long flowRemoved;
    private final long errors;
    private final long malformedMessages;
    private final long handshakeFailures;
    private final long echoTimeouts;
    private final long operationsTimedOut;
    private final int switchesConnected;

    OpenFlowCounters(long packetIns, long packetOuts, long packetOutsDropped, long flowMods, long flowRemoved,
                     long errors, long malformedMessages, long handshakeFailures, long echoTimeouts,
                     long operationsTimedOut, int switchesConnected) {
        this.packetIns = packetIns;
        this.packetOuts = packetOuts;
        this.packetOutsDropped = packetOutsDropped;
        this.flowMods = flowMods;
        this.flowRemoved = flowRemoved;
        this.errors = errors;
        this.malformedMessages = malformedMessages;
        this.handshakeFailures = handshakeFailures;
        this.echoTimeouts = echoTimeouts;
        this.operationsTimedOut = operationsTimedOut;
        this.switchesConnected = switchesConnected;
    }

    /** PACKET_IN messages received from switches that were up. */
    public long packetIns() { return packetIns; }
    /** PACKET_OUT messages handed to the network. */
    public long packetOuts() { return packetOuts; }
    /** Packet-outs dropped: switch not connected, output backlog full, frame too big, write failed. */
    public long packetOutsDropped() { return packetOutsDropped; }
    /** FLOW_MOD messages (adds and deletes) written. */
    public long flowMods() { return flowMods; }
    /** FLOW_REMOVED messages received. */
    public long flowRemoved() { return flowRemoved; }
    /** ERROR messages received from switches. */
    public long errors() { return errors; }
    /** Messages that could not be framed or parsed (each closed its switch's connection). */
    public long malformedMessages() { return malformedMessages; }
    /** Connections closed before the switch came up (version refused, timeout, protocol error). */
    public long handshakeFailures() { return handshakeFailures; }
    /** Switches dropped because they did not answer an echo request. */
    public long echoTimeouts() { return echoTimeouts; }
    /** Confirmed operations or stats requests the switch did not answer in time. */
    public long operationsTimedOut() { return operationsTimedOut; }
    /** Switches up now. */
    public int switchesConnected() { return switchesConnected; }

    @Override
    public String toString() {
        return "OpenFlowCounters{switches=" + switchesConnected + ", packetIns=" + packetIns
                + ", packetOuts=" + packetOuts + ", packetOutsDropped=" + packetOutsDropped
                + ", flowMods=" + flowMods + ", flowRemoved=" + flowRemoved + ", errors=" + errors
                + ", malformed=" + malformedMessages + ", handshakeFailures=" + handshakeFailures
                + ", echoTimeouts=" + echoTimeouts + ", timeouts=" + operationsTimedOut + "}";
    }
}
