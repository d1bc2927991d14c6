package io.baton.bench;

import io.baton.flowrules.api.Ipv4Address;
import io.baton.flowrules.api.MacAddress;

import java.util.ArrayList;
import java.util.List;

/**
 * The emulated network: switch {@code s} (datapath id {@code s + 1}) has its own servers, each
 * with an agent, and its own clients, because the controller hands a connection only to a
 * server on the client's switch. One service, {@value #VIP_TEXT}:80 in NAT mode, whose one
 * round-robin pool holds every server.
 *
 * <pre>
 *   server j of switch s   10.1.s.(11 + j)   02:01:00:00:ss:jj   switch port 1 + j
 *   client c of switch s   10.2.s.(1 + c)    02:02:00:00:ss:cc   switch port 1000 + c
 * </pre>
 */
final class BenchTopology {
    static final String VIP_TEXT = "10.0.0.100";
    static final Ipv4Address VIP = Ipv4Address.parse(VIP_TEXT);
    static final int VIP_PORT = 80;
    /** The controller's default virtual MAC for the VIP: 02:00 and the VIP's bytes. */
    static final MacAddress VMAC = MacAddress.parse("02:00:0a:00:00:64");
    static final int MAX_SWITCHES = 250;
    static final int MAX_SERVERS_PER_SWITCH = 100;
    static final int MAX_CLIENTS_PER_SWITCH = 250;
    /** Client ports used: 1024..65535. */
    static final int FIRST_CLIENT_PORT = 1024;
    static final int PORTS_PER_CLIENT = 65536 - FIRST_CLIENT_PORT;

    final int switches;
    final int serversPerSwitch;
    final int clientsPerSwitch;

    BenchTopology(int switches, int serversPerSwitch, int clientsPerSwitch) {
        if (switches < 1 || switches > MAX_SWITCHES) {
            throw new IllegalArgumentException("switches must be 1.." + MAX_SWITCHES);
        }
        if (serversPerSwitch < 1 || serversPerSwitch > MAX_SERVERS_PER_SWITCH) {
            throw new IllegalArgumentException("servers per switch must be 1.." + MAX_SERVERS_PER_SWITCH);
        }
        if (clientsPerSwitch < 1 || clientsPerSwitch > MAX_CLIENTS_PER_SWITCH) {
            throw new IllegalArgumentException("clients per switch must be 1.." + MAX_CLIENTS_PER_SWITCH);
        }
        this.switches = switches;
        this.serversPerSwitch = serversPerSwitch;
        this.clientsPerSwitch = clientsPerSwitch;
    }

    static long dpid(int sw) {
        return sw + 1L;
    }

    static Ipv4Address serverIp(int sw, int j) {
        return Ipv4Address.of((10 << 24) | (1 << 16) | (sw << 8) | (11 + j));
    }

    static MacAddress serverMac(int sw, int j) {
        return MacAddress.of(0x0201_0000_0000L | ((long) sw << 8) | j);
    }

    static int serverPort(int j) {
        return 1 + j;
    }

    static Ipv4Address clientIp(int sw, int c) {
        return Ipv4Address.of((10 << 24) | (2 << 16) | (sw << 8) | (1 + c));
    }

    static MacAddress clientMac(int sw, int c) {
        return MacAddress.of(0x0202_0000_0000L | ((long) sw << 8) | c);
    }

    static int clientSwitchPort(int c) {
        return 1000 + c;
    }

    /** The switch a client address belongs to, or -1 if it is no client's. */
    static int switchOfClient(int ip) {
        return (ip >>> 16) == ((10 << 8) | 2) ? (ip >>> 8) & 0xff : -1;
    }

    /** The client index of a client address. */
    static int clientOf(int ip) {
        return (ip & 0xff) - 1;
    }

    /** The index of a server of switch {@code sw} by address, or -1 if it is not one. */
    int serverIndex(int sw, int ip) {
        if ((ip >>> 8) != ((10 << 16) | (1 << 8) | sw)) {
            return -1;
        }
        int j = (ip & 0xff) - 11;
        return j >= 0 && j < serversPerSwitch ? j : -1;
    }

    List<Ipv4Address> allServers() {
        List<Ipv4Address> out = new ArrayList<>();
        for (int s = 0; s < switches; s++) {
            for (int j = 0; j < serversPerSwitch; j++) {
                out.add(serverIp(s, j));
            }
        }
        return out;
    }

    /**
     * The controller's config: listeners on loopback, room for every connection a run may
     * track (the half-open bound above the bench's window, so no SYN cookies), one service.
     */
    String controllerConfig(int openflowPort, int handoffPort, int restPort, String secretFile, String tokenFile,
                            int maxHalfOpen, int maxConnections) {
        StringBuilder servers = new StringBuilder();
        for (Ipv4Address a : allServers()) {
            servers.append(servers.length() == 0 ? "" : ", ").append('"').append(a).append('"');
        }
        return "{\"openflow\": {\"address\": \"127.0.0.1\", \"port\": " + openflowPort + "},\n"
                + " \"handoff\": {\"address\": \"127.0.0.1\", \"port\": " + handoffPort + ", \"secretFile\": \""
                + secretFile + "\", \"heartbeatTimeoutMillis\": 5000, \"handoffTimeoutMillis\": 2000},\n"
                + " \"rest\": {\"address\": \"127.0.0.1\", \"port\": " + restPort + ", \"tokenFile\": \"" + tokenFile
                + "\"},\n"
                + " \"frontend\": {\"maxHalfOpen\": " + maxHalfOpen + ", \"maxConnections\": " + maxConnections + "},\n"
                + " \"services\": [{\"name\": \"web\", \"vip\": \"" + VIP_TEXT + "\", \"port\": " + VIP_PORT
                + ", \"mode\": \"nat\",\n"
                + "   \"pools\": [{\"name\": \"web\", \"policy\": \"round-robin\", \"servers\": [" + servers + "]}],\n"
                + "   \"defaultPool\": \"web\"}]}\n";
    }
}
