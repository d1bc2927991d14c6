package io.baton.controller.southbound;

import io.baton.flowrules.api.FlowRemoved;
import io.baton.flowrules.api.SwitchId;

/** Network events for the engine. Called on southbound threads; implementations hand off. */
public interface SouthboundListener {
    default void switchUp(SwitchId sw) {
    }

    default void switchDown(SwitchId sw) {
    }

    /**
     * A packet the switch sent up.
     *
     * @param frame the whole Ethernet frame; the listener owns it
     */
    default void packetIn(SwitchId sw, int inPort, byte[] frame) {
    }

    default void flowRemoved(SwitchId sw, FlowRemoved removed) {
    }
}
