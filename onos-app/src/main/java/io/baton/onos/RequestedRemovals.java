package io.baton.onos;

import org.onosproject.net.flow.FlowRule;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The rules Baton asked ONOS to remove, so that their RULE_REMOVED event is reported as a
 * deletion. ONOS's event carries its stored entry, whose reason does not tell a removal Baton
 * asked for from ONOS expiring an idle rule (ONOS enforces idle timeouts itself and then deletes
 * the rule like any other). Keyed by ONOS rule equality (device, table, priority, selector).
 * Entries whose event never came are forgotten after {@link #KEEP_NANOS}.
 */
final class RequestedRemovals {
    static final long KEEP_NANOS = 60_000_000_000L;

    private final Map<FlowRule, Long> requested = new ConcurrentHashMap<>();
    private final LongSupplier clock;

    RequestedRemovals(LongSupplier clock) {
        this.clock = clock;
    }

    void add(FlowRule rule) {
        long now = clock.getAsLong();
        requested.values().removeIf(at -> now - at > KEEP_NANOS);
        requested.put(rule, now);
    }

    /** Whether Baton asked for this rule's removal; forgets it. */
    boolean take(FlowRule rule) {
        return requested.remove(rule) != null;
    }

    int size() {
        return requested.size();
    }
}
