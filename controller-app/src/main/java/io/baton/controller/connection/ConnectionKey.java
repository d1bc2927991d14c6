package io.baton.controller.connection;

import io.baton.flowrules.api.Ipv4Address;

/** A client's TCP connection to a VIP: client address and port, VIP and service port. */
public final class ConnectionKey {
    private final int clientIp;
    private final int clientPort;
    private final int vip;
    private final int vipPort;

    public ConnectionKey(int clientIp, int clientPort, int vip, int vipPort) {
        this.clientIp = clientIp;
        this.clientPort = clientPort;
        this.vip = vip;
        this.vipPort = vipPort;
    }

    public int clientIp() { return clientIp; }
    public int clientPort() { return clientPort; }
    public int vip() { return vip; }
    public int vipPort() { return vipPort; }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof ConnectionKey)) {
            return false;
        }
        ConnectionKey k = (ConnectionKey) o;
        return clientIp == k.clientIp && clientPort == k.clientPort && vip == k.vip && vipPort == k.vipPort;
    }

    @Override
    public int hashCode() {
        int h = clientIp * 31 + clientPort;
        h = h * 31 + vip;
        return h * 31 + vipPort;
    }

    @Override
    public String toString() {
        return Ipv4Address.of(clientIp) + ":" + clientPort + "->" + Ipv4Address.of(vip) + ":" + vipPort;
    }
}
