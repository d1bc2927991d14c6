package io.baton.onos;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/** What the ONOS adapter saw and refused, for logs, tests and the operator. One instance per southbound. */
public final class OnosCounters {
    /** Packet-ins handed to the engine. */
    public final LongAdder packetsIn = new LongAdder();
    /** Packet-ins another processor had already handled (or blocked): left alone. */
    public final LongAdder packetsAlreadyHandled = new LongAdder();
    /** Link discovery frames (LLDP, BDDP): ONOS's, not Baton's. */
    public final LongAdder packetsLinkDiscovery = new LongAdder();
    /** Packet-ins with no frame or too short for an Ethernet header. */
    public final LongAdder packetsNotEthernet = new LongAdder();
    /** Packet-ins or events from devices that are not OpenFlow switches ({@code of:}). */
    public final LongAdder notOpenFlowDevice = new LongAdder();
    /** Outbound packets given to ONOS (one per output action). */
    public final LongAdder packetsOut = new LongAdder();
    /** Packet-outs for a switch ONOS does not have available: dropped. */
    public final LongAdder packetsOutNoSwitch = new LongAdder();
    /** Rule batches ONOS confirmed. */
    public final LongAdder ruleBatchesOk = new LongAdder();
    /** Rule batches ONOS refused, or did not confirm in time. */
    public final LongAdder ruleBatchesFailed = new LongAdder();
    /** Flow entries whose selector has no Baton form (stats, removals): skipped. */
    public final LongAdder untranslatableEntries = new LongAdder();
    /** Flow-removed reports passed to the engine. */
    public final LongAdder flowsRemoved = new LongAdder();
    /** Exceptions caught in ONOS callbacks (they must not reach ONOS's event threads). */
    public final LongAdder callbackErrors = new LongAdder();

    public Map<String, Long> snapshot() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("packetsIn", packetsIn.sum());
        m.put("packetsAlreadyHandled", packetsAlreadyHandled.sum());
        m.put("packetsLinkDiscovery", packetsLinkDiscovery.sum());
        m.put("packetsNotEthernet", packetsNotEthernet.sum());
        m.put("notOpenFlowDevice", notOpenFlowDevice.sum());
        m.put("packetsOut", packetsOut.sum());
        m.put("packetsOutNoSwitch", packetsOutNoSwitch.sum());
        m.put("ruleBatchesOk", ruleBatchesOk.sum());
        m.put("ruleBatchesFailed", ruleBatchesFailed.sum());
        m.put("untranslatableEntries", untranslatableEntries.sum());
        m.put("flowsRemoved", flowsRemoved.sum());
        m.put("callbackErrors", callbackErrors.sum());
        return m;
    }
}
