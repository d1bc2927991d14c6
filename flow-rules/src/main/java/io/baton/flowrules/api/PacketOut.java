package io.baton.flowrules.api;

import java.util.List;
import java.util.Objects;

/** A whole Ethernet frame the controller sends out of a switch, with actions applied first. */
public final class PacketOut {
    /** In-port value meaning "from the controller". */
    public static final int FROM_CONTROLLER = 0;

    private final int inPort;
    private final byte[] frame;
    private final List<FlowAction> actions;

    private PacketOut(int inPort, byte[] frame, List<FlowAction> actions) {
        this.inPort = inPort;
        this.frame = frame;
        this.actions = List.copyOf(actions);
    }

    /**
     * @param inPort the port the packet is said to have entered on (matters to FLOOD), or
     *     {@link #FROM_CONTROLLER}
     * @param frame the frame; the caller hands it over and must not change it afterwards
     */
    public static PacketOut of(int inPort, byte[] frame, List<FlowAction> actions) {
        return new PacketOut(inPort, Objects.requireNonNull(frame), actions);
    }

    public int inPort() { return inPort; }
    /** The frame itself (not copied: hot path). */
    public byte[] frame() { return frame; }
    public List<FlowAction> actions() { return actions; }

    @Override
    public String toString() {
        return "packet_out{in_port=" + inPort + ",len=" + frame.length + ",actions=" + actions + "}";
    }
}
