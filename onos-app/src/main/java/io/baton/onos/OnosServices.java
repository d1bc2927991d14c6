package io.baton.onos;

import org.onosproject.core.ApplicationId;
import org.onosproject.net.device.DeviceService;
import org.onosproject.net.flow.FlowRuleService;
import org.onosproject.net.packet.PacketService;

import java.util.Objects;

/** The ONOS services Baton's southbound uses, and the application id it registers under. */
public final class OnosServices {
    private final ApplicationId appId;
    private final PacketService packets;
    private final FlowRuleService flowRules;
    private final DeviceService devices;

    public OnosServices(ApplicationId appId, PacketService packets, FlowRuleService flowRules, DeviceService devices) {
        this.appId = Objects.requireNonNull(appId);
        this.packets = Objects.requireNonNull(packets);
        this.flowRules = Objects.requireNonNull(flowRules);
        this.devices = Objects.requireNonNull(devices);
    }

    public ApplicationId appId() { return appId; }
    public PacketService packets() { return packets; }
    public FlowRuleService flowRules() { return flowRules; }
    public DeviceService devices() { return devices; }
}
