package io.baton.onos;

import io.baton.controller.southbound.SouthboundListener;
import io.baton.flowrules.api.SwitchId;
import org.onosproject.net.ConnectPoint;
import org.onosproject.net.packet.InboundPacket;
import org.onosproject.net.packet.PacketContext;
import org.onosproject.net.packet.PacketProcessor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * ONOS packet-ins to the engine: the raw frame, the switch and the in-port. Packets another
 * processor already handled are left alone, and so are link discovery frames; whatever is
 * passed on is blocked for the processors after Baton's (Baton forwards it itself).
 */
final class PacketInRelay implements PacketProcessor {
    private static final Logger log = LoggerFactory.getLogger(PacketInRelay.class);
    private static final int ETH_HEADER = 14;
    private static final int ETH_TYPE_LLDP = 0x88cc;
    private static final int ETH_TYPE_BDDP = 0x8942;

    private final Consumer<Consumer<SouthboundListener>> listeners;
    private final OnosCounters counters;

    PacketInRelay(Consumer<Consumer<SouthboundListener>> listeners, OnosCounters counters) {
        this.listeners = listeners;
        this.counters = counters;
    }

    @Override
    public void process(PacketContext context) {
        try {
            relay(context);
        } catch (RuntimeException e) {
            counters.callbackErrors.increment();
            log.error("packet-in not handled: {}", e.toString(), e);
        }
    }

    private void relay(PacketContext context) {
        if (context.isHandled()) {
            counters.packetsAlreadyHandled.increment();
            return;
        }
        InboundPacket in = context.inPacket();
        ConnectPoint from = in.receivedFrom();
        Optional<SwitchId> sw = DeviceIds.switchOf(from.deviceId());
        if (sw.isEmpty()) {
            counters.notOpenFlowDevice.increment();
            log.debug("packet-in from {} ignored: not an OpenFlow switch", from.deviceId());
            return;
        }
        byte[] frame = bytes(in.unparsed());
        if (frame == null || frame.length < ETH_HEADER) {
            counters.packetsNotEthernet.increment();
            log.debug("packet-in from {} ignored: {} bytes, not an Ethernet frame", from,
                    frame == null ? 0 : frame.length);
            return;
        }
        int ethType = ((frame[12] & 0xff) << 8) | (frame[13] & 0xff);
        if (ethType == ETH_TYPE_LLDP || ethType == ETH_TYPE_BDDP) {
            counters.packetsLinkDiscovery.increment();
            return;
        }
        counters.packetsIn.increment();
        int port = (int) from.port().toLong();
        listeners.accept(l -> l.packetIn(sw.get(), port, frame.clone()));
        context.block();
    }

    /** The buffer's remaining bytes, without moving its position (ONOS shares it between processors). */
    private static byte[] bytes(ByteBuffer buffer) {
        if (buffer == null) {
            return null;
        }
        ByteBuffer b = buffer.duplicate();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }
}
