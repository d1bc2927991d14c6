package io.baton.controller.config;

import io.baton.flowrules.api.Ipv4Address;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A named set of servers with the policy that chooses among them. Members are listed here;
 * agents announcing one of {@link #labels()} join too, while they are connected.
 */
public final class PoolConfig {
    private final String name;
    private final String policy;
    private final Map<String, String> policyParams;
    private final List<MemberConfig> members;
    private final List<String> labels;
    private final HealthCheckConfig healthCheck;

    public PoolConfig(String name, String policy, Map<String, String> policyParams, List<MemberConfig> members,
                      List<String> labels, HealthCheckConfig healthCheck) {
        this.name = name;
        this.policy = policy;
        this.policyParams = Map.copyOf(policyParams);
        this.members = List.copyOf(members);
        this.labels = List.copyOf(labels);
        this.healthCheck = healthCheck;
    }

    public String name() { return name; }
    public String policy() { return policy; }
    public Map<String, String> policyParams() { return policyParams; }
    public List<MemberConfig> members() { return members; }
    public List<String> labels() { return labels; }
    /** Null when the pool has no active check (heartbeats only). */
    public HealthCheckConfig healthCheck() { return healthCheck; }

    public List<Ipv4Address> servers() {
        List<Ipv4Address> out = new ArrayList<>(members.size());
        members.forEach(m -> out.add(m.address()));
        return out;
    }

    public Optional<MemberConfig> member(Ipv4Address address) {
        return members.stream().filter(m -> m.address().equals(address)).findFirst();
    }

    public PoolConfig withMembers(List<MemberConfig> m) {
        return new PoolConfig(name, policy, policyParams, m, labels, healthCheck);
    }

    public PoolConfig withHealthCheck(HealthCheckConfig h) {
        return new PoolConfig(name, policy, policyParams, members, labels, h);
    }

    /** Same policy and parameters: the policy's learned state (cursors, sessions) can be kept. */
    public boolean samePolicy(PoolConfig o) {
        return policy.equals(o.policy) && policyParams.equals(o.policyParams);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof PoolConfig)) {
            return false;
        }
        PoolConfig p = (PoolConfig) o;
        return name.equals(p.name) && samePolicy(p) && members.equals(p.members) && labels.equals(p.labels)
                && Objects.equals(healthCheck, p.healthCheck);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, policy, policyParams, members, labels, healthCheck);
    }
}
