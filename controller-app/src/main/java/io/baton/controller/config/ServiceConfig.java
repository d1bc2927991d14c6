package io.baton.controller.config;

import io.baton.dispatcher.rules.ContentRule;
import io.baton.flowrules.api.Ipv4Address;
import io.baton.flowrules.api.MacAddress;

import java.util.List;

/** One virtual service: a VIP and port, its pools, content rules and default pool. */
public final class ServiceConfig {
    private final String name;
    private final Ipv4Address vip;
    private final int port;
    private final ServiceMode mode;
    private final MacAddress virtualMac;
    private final List<PoolConfig> pools;
    private final List<ContentRule> rules;
    private final String defaultPool;

    public ServiceConfig(String name, Ipv4Address vip, int port, ServiceMode mode, MacAddress virtualMac,
                         List<PoolConfig> pools, List<ContentRule> rules, String defaultPool) {
        this.name = name;
        this.vip = vip;
        this.port = port;
        this.mode = mode;
        this.virtualMac = virtualMac;
        this.pools = List.copyOf(pools);
        this.rules = List.copyOf(rules);
        this.defaultPool = defaultPool;
    }

    public String name() { return name; }
    public Ipv4Address vip() { return vip; }
    public int port() { return port; }
    public ServiceMode mode() { return mode; }
    /** The MAC the controller answers ARP with for this VIP. */
    public MacAddress virtualMac() { return virtualMac; }
    public List<PoolConfig> pools() { return pools; }
    public List<ContentRule> rules() { return rules; }
    public String defaultPool() { return defaultPool; }

    /** A locally administered MAC derived from the VIP: 02:00 followed by the address. */
    public static MacAddress defaultVirtualMac(Ipv4Address vip) {
        return MacAddress.of(0x0200_0000_0000L | (vip.toInt() & 0xffff_ffffL));
    }
}
