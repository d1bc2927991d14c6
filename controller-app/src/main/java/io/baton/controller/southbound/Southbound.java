package io.baton.controller.southbound;

import io.baton.flowrules.api.FlowRule;
import io.baton.flowrules.api.FlowStatsEntry;
import io.baton.flowrules.api.Meter;
import io.baton.flowrules.api.PacketOut;
import io.baton.flowrules.api.SwitchId;

import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * What the engine needs from the network, and all it may know of it: packets in and out, rules
 * installed with confirmation, rule removals and switch events. The embedded OpenFlow controller,
 * ONOS and OpenDaylight each implement it; the engine never sees their types.
 */
public interface Southbound {
    /** Listeners are called on the southbound's own threads: hand off quickly. */
    void addListener(SouthboundListener listener);

    void removeListener(SouthboundListener listener);

    /** The switches connected now. */
    Set<SwitchId> switches();

    /** Fire and forget; dropped (and counted) if the switch is not connected. */
    void sendPacket(SwitchId sw, PacketOut packet);

    /**
     * Adds the rules and completes once the switch confirmed them (barrier reply). Completes
     * exceptionally with {@link SouthboundException} if the switch rejected any of them, is not
     * connected, disconnects, or does not answer in time.
     */
    CompletableFuture<Void> installRules(SwitchId sw, List<FlowRule> rules);

    /** Deletes exactly these rules (strict match and priority), confirmed by barrier. */
    CompletableFuture<Void> removeRules(SwitchId sw, List<FlowRule> rules);

    /** Deletes every rule whose cookie matches under the mask, confirmed by barrier. */
    CompletableFuture<Void> removeRulesByCookie(SwitchId sw, long cookie, long cookieMask);

    /**
     * {@link #removeRulesByCookie} for each cookie, under one mask; completes when all are
     * confirmed, or fails with the first failure. A platform may send them as one batch.
     */
    default CompletableFuture<Void> removeRulesByCookies(SwitchId sw, List<Long> cookies, long cookieMask) {
        CompletableFuture<?>[] each = new CompletableFuture<?>[cookies.size()];
        for (int i = 0; i < each.length; i++) {
            each[i] = removeRulesByCookie(sw, cookies.get(i), cookieMask);
        }
        return CompletableFuture.allOf(each);
    }

    /**
     * Creates or replaces these meters, confirmed by barrier; a rule may name one once this
     * completed. Completes exceptionally if the switch (or the platform) has no meters: the
     * engine then installs its rules unmetered. Deleting a meter would delete the rules that
     * name it, so meters are only ever added or changed.
     */
    default CompletableFuture<Void> installMeters(SwitchId sw, List<Meter> meters) {
        return CompletableFuture.failedFuture(new SouthboundException("meters are not supported here"));
    }

    /**
     * Deletes these meters (and, as OpenFlow says, any rule still naming one), confirmed by
     * barrier. Where meters are not supported there is nothing to delete: completes at once.
     */
    default CompletableFuture<Void> removeMeters(SwitchId sw, List<Long> meterIds) {
        return CompletableFuture.completedFuture(null);
    }

    /** The rules whose cookie matches under the mask, as the switch reports them. */
    CompletableFuture<List<FlowStatsEntry>> flowStats(SwitchId sw, long cookie, long cookieMask);
}
