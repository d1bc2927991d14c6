package io.baton.controller.connection;

import io.baton.flowrules.api.Ipv4Address;
import io.baton.flowrules.api.MacAddress;

/** The server a connection was handed to, and where it is on the switch. */
public final class ServerBinding {
    private final String serverName;
    private final Ipv4Address address;
    private final MacAddress mac;
    private final int switchPort;
    private final long handoffId;

    public ServerBinding(String serverName, Ipv4Address address, MacAddress mac, int switchPort, long handoffId) {
        this.serverName = serverName;
        this.address = address;
        this.mac = mac;
        this.switchPort = switchPort;
        this.handoffId = handoffId;
    }

    public String serverName() { return serverName; }
    public Ipv4Address address() { return address; }
    public MacAddress mac() { return mac; }
    public int switchPort() { return switchPort; }
    public long handoffId() { return handoffId; }

    @Override
    public String toString() {
        return serverName + "@" + address + "/port" + switchPort;
    }
}
