package io.baton.controller.config;

import io.baton.flowrules.api.Ipv4Address;

import java.util.Map;
import java.util.Objects;

/** A server's place in one pool: its weight, its operator state, its cap and its tags. */
public final class MemberConfig {
    public static final int MAX_WEIGHT = 1000;

    private final Ipv4Address address;
    private final int weight;
    private final MemberState state;
    private final int maxConnections;
    private final Map<String, String> tags;

    public MemberConfig(Ipv4Address address, int weight, MemberState state, int maxConnections, Map<String, String> tags) {
        this.address = Objects.requireNonNull(address, "address");
        this.weight = weight;
        this.state = Objects.requireNonNull(state, "state");
        this.maxConnections = maxConnections;
        this.tags = Map.copyOf(tags);
    }

    /** An active member of weight 1 with no cap and no tags. */
    public static MemberConfig of(Ipv4Address address) {
        return new MemberConfig(address, 1, MemberState.ACTIVE, 0, Map.of());
    }

    public Ipv4Address address() { return address; }
    public int weight() { return weight; }
    public MemberState state() { return state; }
    /** 0 means no cap. */
    public int maxConnections() { return maxConnections; }
    /** Free-form labels a policy may read, e.g. jvmRoute for session affinity. */
    public Map<String, String> tags() { return tags; }

    public MemberConfig withState(MemberState s) {
        return new MemberConfig(address, weight, s, maxConnections, tags);
    }

    public MemberConfig withWeight(int w) {
        return new MemberConfig(address, w, state, maxConnections, tags);
    }

    /** True if only a default weight, state, cap and no tags: written as a bare address. */
    boolean isPlain() {
        return weight == 1 && state == MemberState.ACTIVE && maxConnections == 0 && tags.isEmpty();
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof MemberConfig)) {
            return false;
        }
        MemberConfig m = (MemberConfig) o;
        return address.equals(m.address) && weight == m.weight && state == m.state
                && maxConnections == m.maxConnections && tags.equals(m.tags);
    }

    @Override
    public int hashCode() {
        return Objects.hash(address, weight, state, maxConnections, tags);
    }
}
