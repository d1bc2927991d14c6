package io.baton.controller.config;

import io.baton.flowrules.api.Ipv4Address;

import java.util.List;
import java.util.Map;

/** A named set of servers with the policy that chooses among them. */
public final class PoolConfig {
    private final String name;
    private final String policy;
    private final Map<String, String> policyParams;
    private final List<Ipv4Address> servers;

    public PoolConfig(String name, String policy, Map<String, String> policyParams, List<Ipv4Address> servers) {
        this.name = name;
        this.policy = policy;
        this.policyParams = Map.copyOf(policyParams);
        this.servers = List.copyOf(servers);
    }

    public String name() { return name; }
    public String policy() { return policy; }
    public Map<String, String> policyParams() { return policyParams; }
    public List<Ipv4Address> servers() { return servers; }
}
