package io.baton.controller.openflow;

import java.util.concurrent.atomic.LongAdder;

/** The live counters, written from I/O and caller threads. */
final class Counters {
    final LongAdder packetIns = new LongAdder();
    final LongAdder packetOuts = new LongAdder();
    final LongAdder packetOutsDropped = new LongAdder();
    final LongAdder flowMods = new LongAdder();
    final LongAdder flowRemoved = new LongAdder();
    final LongAdder errors = new LongAdder();
    final LongAdder malformedMessages = new LongAdder();
    final LongAdder handshakeFailures = new LongAdder();
    final LongAdder echoTimeouts = new LongAdder();
    final LongAdder operationsTimedOut = new LongAdder();

    OpenFlowCounters snapshot(int switchesConnected) {
        return new OpenFlowCounters(packetIns.sum(), packetOuts.sum(), packetOutsDropped.sum(), flowMods.sum(),
                flowRemoved.sum(), errors.sum(), malformedMessages.sum(), handshakeFailures.sum(),
                echoTimeouts.sum(), operationsTimedOut.sum(), switchesConnected);
    }
}
