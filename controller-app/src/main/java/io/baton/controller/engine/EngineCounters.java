package io.baton.controller.engine;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * The engine's counters: written on the engine thread, read by REST and metrics from others.
 * Every kind of bad input has its own counter, so an operator can tell what is being dropped.
 */
public final class EngineCounters {
    public final LongAdder packetIn = new LongAdder();
    public final LongAdder packetInArp = new LongAdder();
    public final LongAdder packetInVipTcp = new LongAdder();
    public final LongAdder packetInOther = new LongAdder();
    public final LongAdder malformedFrames = new LongAdder();
    public final LongAdder badTcpChecksum = new LongAdder();
    public final LongAdder fragmentsToVip = new LongAdder();
    public final LongAdder arpRepliesForVip = new LongAdder();
    public final LongAdder synReceived = new LongAdder();
    public final LongAdder synRetransmitted = new LongAdder();
    public final LongAdder synCookiesSent = new LongAdder();
    public final LongAdder synCookiesAccepted = new LongAdder();
    /** Valid cookies whose connection could not be rebuilt (window scale without timestamps, after a restart). */
    public final LongAdder cookiesWithoutState = new LongAdder();
    public final LongAdder synDroppedTableFull = new LongAdder();
    /** Half-open entries dropped to make room for clients that came back with a valid SYN cookie. */
    public final LongAdder halfOpenEvicted = new LongAdder();
    public final LongAdder outOfOrderSegments = new LongAdder();
    /**
     * Segments whose bytes overlap bytes already received but say something else: the first
     * bytes are kept, since they were parsed and are what the server will be handed.
     */
    public final LongAdder overlapConflicts = new LongAdder();
    /**
     * RFC 5961 challenge ACKs: answers to a reset in the window but not exact (§3.2) and to a
     * SYN on a connection already open (§4.2). A blind attacker must guess the exact sequence number.
     */
    public final LongAdder challengeAcksSent = new LongAdder();
    /** Resets dropped without an answer: neither exact nor in the window, or not exact once handed off. */
    public final LongAdder resetsIgnored = new LongAdder();
    /** Segments before the handoff that advertise a zero window (the server's socket inherits it). */
    public final LongAdder zeroWindowSegments = new LongAdder();
    public final LongAdder invalidSegments = new LongAdder();
    public final LongAdder resetsSent = new LongAdder();
    /** Pure ACKs for connections nobody has (their server died), answered with a reset. */
    public final LongAdder strayAcksReset = new LongAdder();
    /** ACKs sent to clients of a dead server, which they must answer so that the answer gets the reset (up to 3 per client, a second apart, until it answers). */
    public final LongAdder deadServerClientsProbed = new LongAdder();
    public final LongAdder clientResets = new LongAdder();
    /**
     * SYNs on the 4-tuple of a closed connection whose rules still lingered: answered once the
     * switch removed those rules, so the new connection's packets do not reach the old server.
     */
    public final LongAdder portsReused = new LongAdder();
    /**
     * Of {@link #portsReused}: answered at once, because the old connection's forward rule had
     * gone when its server's side finished, long enough before for the switch's cached flows.
     */
    public final LongAdder portsReusedAtOnce = new LongAdder();
    /**
     * SYNs of a new connection on the port of a handed-off one, held until its agent reported
     * the close (the client saw the server's side finish before the controller heard of it).
     */
    public final LongAdder synsBeforeTheClose = new LongAdder();
    public final LongAdder clientClosedEarly = new LongAdder();
    public final LongAdder headTimeouts = new LongAdder();
    public final LongAdder headRejected = new LongAdder();
    public final LongAdder notHttp = new LongAdder();
    public final LongAdder dispatchRejected = new LongAdder();
    public final LongAdder heldFramesDropped = new LongAdder();
    public final LongAdder handoffsStarted = new LongAdder();
    public final LongAdder handoffsOk = new LongAdder();
    public final LongAdder handoffsFailed = new LongAdder();
    /** Handoffs a server gave back before committing, sent to another server. */
    public final LongAdder handoffsRedispatched = new LongAdder();
    /**
     * Handoffs (dsr) whose commit went with the request, since the switch had confirmed the rule
     * toward the client put in at its SYN: the server did not wait for its reply rule.
     */
    public final LongAdder commitsWithRequest = new LongAdder();
    public final LongAdder connectionsClosed = new LongAdder();
    public final LongAdder rulesReinstated = new LongAdder();
    /** Switches that would not take the packet-in meters (their packet-ins are not rate-limited). */
    public final LongAdder metersRefused = new LongAdder();
    /** Payload of server-to-client TCP packets that reached the controller: 0 means true direct return. */
    public final LongAdder serverToClientPayloadBytes = new LongAdder();
    public final LongAdder agentAuthFailures = new LongAdder();
    public final LongAdder agentProtocolErrors = new LongAdder();
    public final LongAdder configChanges = new LongAdder();
    public final LongAdder healthReports = new LongAdder();
    public final LongAdder healthCheckDowns = new LongAdder();
    public final LongAdder agentsSilent = new LongAdder();
    /** Recovery (see ConnectionRecovery): rules put back on a switch that lost them. */
    public final LongAdder rulesRestored = new LongAdder();
    /** Rule sets of connections no server relays, removed. */
    public final LongAdder staleRulesRemoved = new LongAdder();
    /** Connections handed off before a restart, taken back into the table. */
    public final LongAdder connectionsAdopted = new LongAdder();
    /** Requests of committed connections kept for a rescue (safe to repeat, nat mode). */
    public final LongAdder requestsKept = new LongAdder();
    /** Committed connections whose server died before sending their client anything, handed to another server. */
    public final LongAdder handoffsRescued = new LongAdder();
    /** Connections a returning agent still held though the controller had given them up: aborted there. */
    public final LongAdder zombiesAborted = new LongAdder();
    /**
     * Segments of a live connection from its server that the switch sent up though the reply's
     * rule was in (a cached datapath flow older than the rule): sent on with the rule's rewrites.
     */
    public final LongAdder serverSegmentsSentOn = new LongAdder();
    /** Nat connections given up while their server may hold them: a rule drops what it sends into them. */
    public final LongAdder connectionsQuarantined = new LongAdder();
    /** Segments a server sent into a connection given up while it held it: dropped. */
    public final LongAdder strayServerSegmentsDropped = new LongAdder();
    /** Handed-off connections that ended with their server's agent (dead, or restarted without them). */
    public final LongAdder connectionsLostWithServer = new LongAdder();
    public final LongAdder liveListsReceived = new LongAdder();
    public final LongAdder reconcileFailures = new LongAdder();
    public final LongAdder packetsHeldWhileReconciling = new LongAdder();
    public final LongAdder packetsDroppedWhileReconciling = new LongAdder();
    /** A connection could not be taken back: its id or address was in use, or a list was too long. */
    public final LongAdder recoveryConflicts = new LongAdder();

    /** Every counter by name, for /stats and /metrics. */
    public Map<String, Long> snapshot() {
        Map<String, Long> m = new LinkedHashMap<>();
        for (java.lang.reflect.Field f : EngineCounters.class.getFields()) {
            try {
                m.put(f.getName(), ((LongAdder) f.get(this)).sum());
            } catch (IllegalAccessException e) {
                throw new IllegalStateException(e);
            }
        }
        return m;
    }
}
