package io.baton.onos;

import io.baton.controller.southbound.SouthboundListener;
import io.baton.flowrules.api.FlowRemoved;
import io.baton.flowrules.api.SwitchId;
import org.onosproject.net.flow.DefaultFlowEntry;
import org.onosproject.net.flow.FlowEntry;
import org.onosproject.net.flow.FlowRule;
import org.onosproject.net.flow.FlowRuleEvent;
import org.onosproject.net.flow.FlowRuleListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.LongPredicate;

/**
 * ONOS RULE_REMOVED events of Baton's rules to the engine's flow-removed reports.
 *
 * <p>The reason: a removal Baton asked for is DELETE; otherwise the switch's reason as ONOS
 * stored it for a permanent rule; for a temporary one IDLE_TIMEOUT unless it was a hard timeout,
 * because then ONOS itself expired the rule (it enforces idle timeouts from its statistics and deletes the rule, late by
 * up to one statistics period).
 */
final class FlowRemovedRelay implements FlowRuleListener {
    private static final Logger log = LoggerFactory.getLogger(FlowRemovedRelay.class);

    private final Consumer<Consumer<SouthboundListener>> listeners;
    private final OnosCounters counters;
    private final RequestedRemovals requested;
    private final LongPredicate ownCookie;

    FlowRemovedRelay(Consumer<Consumer<SouthboundListener>> listeners, OnosCounters counters,
                     RequestedRemovals requested, LongPredicate ownCookie) {
        this.listeners = listeners;
        this.counters = counters;
        this.requested = requested;
        this.ownCookie = ownCookie;
    }

    @Override
    public boolean isRelevant(FlowRuleEvent event) {
        return event.type() == FlowRuleEvent.Type.RULE_REMOVED && ownCookie.test(event.subject().id().value());
    }

    @Override
    public void event(FlowRuleEvent event) {
        try {
            if (isRelevant(event)) {
                relay(event.subject());
            }
        } catch (RuntimeException e) {
            counters.callbackErrors.increment();
            log.error("flow rule event {} not handled: {}", event.type(), e.toString(), e);
        }
    }

    private void relay(FlowRule rule) {
        Optional<SwitchId> sw = DeviceIds.switchOf(rule.deviceId());
        if (sw.isEmpty()) {
            counters.notOpenFlowDevice.increment();
            return;
        }
        FlowEntry entry = rule instanceof FlowEntry ? (FlowEntry) rule : new DefaultFlowEntry(rule);
        FlowRemoved.Reason reason = requested.take(rule) ? FlowRemoved.Reason.DELETE : reasonOf(rule);
        Translation<FlowRemoved> removed = OnosFlowTranslator.toRemoved(entry, reason);
        if (!removed.isOk()) {
            counters.untranslatableEntries.increment();
            log.warn("switch {}: removal of flow 0x{} not reported: {}", sw.get(), Long.toHexString(rule.id().value()),
                    removed.refusal());
            return;
        }
        counters.flowsRemoved.increment();
        listeners.accept(l -> l.flowRemoved(sw.get(), removed.value()));
    }

    private static FlowRemoved.Reason reasonOf(FlowRule rule) {
        FlowRemoved.Reason r = OnosFlowTranslator.reasonOf(rule.reason());
        // ONOS deletes an expired temporary rule itself, so the switch's reason (if ONOS kept one)
        // reads DELETE or nothing; only a hard timeout is the switch's own.
        if (r != FlowRemoved.Reason.HARD_TIMEOUT && !rule.isPermanent() && rule.timeout() > 0) {
            return FlowRemoved.Reason.IDLE_TIMEOUT;
        }
        return r;
    }
}
