package io.baton.onos;

import io.baton.controller.southbound.SouthboundListener;
import io.baton.flowrules.api.FlowRemoved;
import io.baton.flowrules.api.SwitchId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** What the southbound told the engine, in lists. */
final class RecordingListener implements SouthboundListener {
    final List<String> switchEvents = Collections.synchronizedList(new ArrayList<>());
    final List<byte[]> frames = Collections.synchronizedList(new ArrayList<>());
    final List<Integer> inPorts = Collections.synchronizedList(new ArrayList<>());
    final List<FlowRemoved> removed = Collections.synchronizedList(new ArrayList<>());

    @Override
    public void switchUp(SwitchId sw) {
        switchEvents.add("up " + sw);
    }

    @Override
    public void switchDown(SwitchId sw) {
        switchEvents.add("down " + sw);
    }

    @Override
    public void packetIn(SwitchId sw, int inPort, byte[] frame) {
        frames.add(frame);
        inPorts.add(inPort);
    }

    @Override
    public void flowRemoved(SwitchId sw, FlowRemoved r) {
        removed.add(r);
    }
}
