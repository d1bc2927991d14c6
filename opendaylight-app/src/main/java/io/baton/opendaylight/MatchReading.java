package io.baton.opendaylight;

import io.baton.flowrules.api.FlowMatch;

import java.util.List;

/**
 * What a switch-reported match says in Baton's terms, and what it said that Baton has no field
 * for (VLAN, IPv6, UDP, masks, extensions...): those are dropped, so {@link #match()} is then wider
 * than the switch's rule, and the caller logs and counts them.
 */
public record MatchReading(FlowMatch match, List<String> ignored) {
    public MatchReading {
        ignored = List.copyOf(ignored);
    }

    public boolean complete() {
        return ignored.isEmpty();
    }
}
