package io.baton.opendaylight;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/** What the OpenDaylight southbound did and refused, for logs, tests and the admin's eyes. */
public final class OdlCounters {
    public final LongAdder packetsIn = new LongAdder();
    /** Packet-in notifications without payload, ingress or an OpenFlow node: not passed on. */
    public final LongAdder packetsInDropped = new LongAdder();
    public final LongAdder packetsOut = new LongAdder();
    /** Packet-outs not sent: switch unknown, no actions. */
    public final LongAdder packetsOutDropped = new LongAdder();
    /** Transmit-packet RPCs that failed or answered with errors. */
    public final LongAdder packetsOutFailed = new LongAdder();
    public final LongAdder flowRpcs = new LongAdder();
    /** Add/remove-flow RPCs that failed, answered with errors, or not in time. */
    public final LongAdder flowRpcsFailed = new LongAdder();
    public final LongAdder flowsRemovedIn = new LongAdder();
    /** Flow-removed notifications that named no OpenFlow node or an unreadable match. */
    public final LongAdder flowsRemovedDropped = new LongAdder();
    /** Reported matches with fields Baton has no name for (dropped from the match). */
    public final LongAdder unknownMatchFields = new LongAdder();
    public final LongAdder switchesUp = new LongAdder();
    public final LongAdder switchesDown = new LongAdder();
    /** Node notifications for something that is not an OpenFlow node. */
    public final LongAdder nodeEventsIgnored = new LongAdder();

    public Map<String, Long> snapshot() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("packetsIn", packetsIn.sum());
        m.put("packetsInDropped", packetsInDropped.sum());
        m.put("packetsOut", packetsOut.sum());
        m.put("packetsOutDropped", packetsOutDropped.sum());
        m.put("packetsOutFailed", packetsOutFailed.sum());
        m.put("flowRpcs", flowRpcs.sum());
        m.put("flowRpcsFailed", flowRpcsFailed.sum());
        m.put("flowsRemovedIn", flowsRemovedIn.sum());
        m.put("flowsRemovedDropped", flowsRemovedDropped.sum());
        m.put("unknownMatchFields", unknownMatchFields.sum());
        m.put("switchesUp", switchesUp.sum());
        m.put("switchesDown", switchesDown.sum());
        m.put("nodeEventsIgnored", nodeEventsIgnored.sum());
        return m;
    }
}
