package io.baton.onos;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.onosproject.core.ApplicationId;
import org.onosproject.net.ConnectPoint;
import org.onosproject.net.DeviceId;
import org.onosproject.net.PortNumber;
import org.onosproject.net.flow.DefaultTrafficTreatment;
import org.onosproject.net.flow.TrafficSelector;
import org.onosproject.net.packet.DefaultInboundPacket;
import org.onosproject.net.packet.DefaultOutboundPacket;
import org.onosproject.net.packet.DefaultPacketContext;
import org.onosproject.net.packet.OutboundPacket;
import org.onosproject.net.packet.PacketContext;
import org.onosproject.net.packet.PacketPriority;
import org.onosproject.net.packet.PacketProcessor;
import org.onosproject.net.packet.PacketServiceAdapter;

/**
 * ONOS's PacketService as a test sees it: processors and requests recorded, outbound packets
 * captured in a list, and packet-ins delivered to the processors in priority order as ONOS's
 * PacketManager does (every processor sees the packet; {@code block()} marks it handled).
 */
final class FakePacketService extends PacketServiceAdapter {
    /** A packet request or its cancellation. */
    static final class Request {
        final TrafficSelector selector;
        final PacketPriority priority;
        final ApplicationId appId;

        Request(TrafficSelector selector, PacketPriority priority, ApplicationId appId) {
            this.selector = selector;
            this.priority = priority;
            this.appId = appId;
        }
    }

    final List<PacketProcessor> processors = new ArrayList<>();
    final List<Integer> processorPriorities = new ArrayList<>();
    final List<Request> requests = new ArrayList<>();
    final List<Request> cancelled = new ArrayList<>();
    final List<OutboundPacket> emitted = new java.util.concurrent.CopyOnWriteArrayList<>(); // read while the engine adds

    @Override
    public void addProcessor(PacketProcessor processor, int priority) {
        processors.add(processor);
        processorPriorities.add(priority);
    }

    @Override
    public void removeProcessor(PacketProcessor processor) {
        int i = processors.indexOf(processor);
        if (i >= 0) {
            processors.remove(i);
            processorPriorities.remove(i);
        }
    }

    @Override
    public void requestPackets(TrafficSelector selector, PacketPriority priority, ApplicationId appId) {
        requests.add(new Request(selector, priority, appId));
    }

    @Override
    public void cancelPackets(TrafficSelector selector, PacketPriority priority, ApplicationId appId) {
        cancelled.add(new Request(selector, priority, appId));
    }

    @Override
    public void emit(OutboundPacket packet) {
        emitted.add(packet);
    }

    /** Delivers a frame as a packet-in from {@code device}/{@code port}; returns the context. */
    PacketContext receive(DeviceId device, long port, byte[] frame) {
        return deliver(context(device, port, frame, false));
    }

    PacketContext deliver(PacketContext context) {
        for (PacketProcessor p : List.copyOf(processors)) {
            p.process(context);
        }
        return context;
    }

    static PacketContext context(DeviceId device, long port, byte[] frame, boolean alreadyHandled) {
        ConnectPoint from = new ConnectPoint(device, PortNumber.portNumber(port));
        DefaultInboundPacket in = new DefaultInboundPacket(from, null, frame == null ? null : ByteBuffer.wrap(frame));
        OutboundPacket out = new DefaultOutboundPacket(device, DefaultTrafficTreatment.emptyTreatment(),
                ByteBuffer.wrap(frame == null ? new byte[0] : frame));
        return new DefaultPacketContext(System.currentTimeMillis(), in, out, alreadyHandled) {
            @Override
            public void send() {
            }
        };
    }
}
