package io.baton.controller.config;

import io.baton.dispatcher.rules.ContentRule;
import io.baton.flowrules.api.Ipv4Address;
import io.baton.flowrules.api.MacAddress;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** One virtual service: a VIP and port, its pools, content rules and default pool. */
public final class ServiceConfig {
    private final String name;
    private final Ipv4Address vip;
    private final int port;
    private final ServiceMode mode;
    private final MacAddress virtualMac;
    private final List<PoolConfig> pools;
    private final List<RuleConfig> rules;
    private final String defaultPool;

    public ServiceConfig(String name, Ipv4Address vip, int port, ServiceMode mode, MacAddress virtualMac,
                         List<PoolConfig> pools, List<RuleConfig> rules, String defaultPool) {
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
    public List<RuleConfig> rules() { return rules; }

    /** The rules compiled for the dispatcher, in order. */
    public List<ContentRule> contentRules() {
        List<ContentRule> out = new ArrayList<>(rules.size());
        rules.forEach(r -> out.add(r.toContentRule()));
        return out;
    }
    public String defaultPool() { return defaultPool; }

    public Optional<PoolConfig> pool(String poolName) {
        return pools.stream().filter(p -> p.name().equals(poolName)).findFirst();
    }

    public ServiceConfig withPools(List<PoolConfig> p) {
        return new ServiceConfig(name, vip, port, mode, virtualMac, p, rules, defaultPool);
    }

    public ServiceConfig withRules(List<RuleConfig> r) {
        return new ServiceConfig(name, vip, port, mode, virtualMac, pools, r, defaultPool);
    }

    public ServiceConfig withDefaultPool(String d) {
        return new ServiceConfig(name, vip, port, mode, virtualMac, pools, rules, d);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof ServiceConfig)) {
            return false;
        }
        ServiceConfig s = (ServiceConfig) o;
        return name.equals(s.name) && vip.equals(s.vip) && port == s.port && mode == s.mode
                && virtualMac.equals(s.virtualMac) && pools.equals(s.pools) && rules.equals(s.rules)
                && defaultPool.equals(s.defaultPool);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, vip, port, mode, virtualMac, pools, rules, defaultPool);
    }

    /** A locally administered MAC derived from the VIP: 02:00 followed by the address. */
    public static MacAddress defaultVirtualMac(Ipv4Address vip) {
        return MacAddress.of(0x0200_0000_0000L | (vip.toInt() & 0xffff_ffffL));
    }
}
