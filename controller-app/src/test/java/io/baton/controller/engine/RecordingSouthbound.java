package io.baton.controller.engine;

import io.baton.controller.southbound.Southbound;
import io.baton.controller.southbound.SouthboundListener;
import io.baton.flowrules.api.FlowRule;
import io.baton.flowrules.api.FlowStatsEntry;
import io.baton.flowrules.api.Meter;
import io.baton.flowrules.api.PacketOut;
import io.baton.flowrules.api.SwitchId;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A fake of the southbound service that records what the engine asks of the network, in lists
 * that tests assert on. Rule installs complete at once (as a barrier reply would), unless the
 * test asks to refuse them.
 */
public final class RecordingSouthbound implements Southbound {
    public final List<SouthboundListener> listeners = new CopyOnWriteArrayList<>();
    // Copy-on-write: tests stream over these while the engine thread adds to them.
    public final List<PacketOut> packets = new CopyOnWriteArrayList<>();
    public final List<FlowRule> installed = new CopyOnWriteArrayList<>();
    public final List<long[]> removedByCookie = new CopyOnWriteArrayList<>();
    /** Packet-outs and rule installs together, in the order they went to the switch connection. */
    public final List<Object> sent = new CopyOnWriteArrayList<>();
    public volatile boolean refuseRules;
    /** When set, installs are recorded and answered only as the test completes each of these, in order. */
    public volatile boolean holdRules;
    public final java.util.concurrent.BlockingQueue<java.util.Map.Entry<List<FlowRule>, CompletableFuture<Void>>>
            heldInstalls = new java.util.concurrent.LinkedBlockingQueue<>();
    /** When set, removals by cookie are recorded and answered only as the test completes each of these. */
    public volatile boolean holdRemovals;
    public final java.util.concurrent.BlockingQueue<java.util.Map.Entry<Long, CompletableFuture<Void>>>
            heldRemovals = new java.util.concurrent.LinkedBlockingQueue<>();
    /** Whether the fake switch has meters; without them installMeters fails, as on a switch that has none. */
    public volatile boolean supportsMeters;
    public final List<Meter> meters = Collections.synchronizedList(new ArrayList<>());
    /** What the next flow-stats request gets; null: an empty table at once. */
    public volatile CompletableFuture<List<FlowStatsEntry>> nextStats;
    /** When set, answers every stats request that {@link #nextStats} does not (a flow table the test describes). */
    public volatile java.util.function.Supplier<List<FlowStatsEntry>> statsTable;
    public final java.util.concurrent.atomic.AtomicInteger statsRequests = new java.util.concurrent.atomic.AtomicInteger();
    private final Set<SwitchId> switches;

    public RecordingSouthbound(SwitchId... switches) {
        this.switches = Set.of(switches);
    }

    @Override
    public void addListener(SouthboundListener l) {
        listeners.add(l);
    }

    @Override
    public void removeListener(SouthboundListener l) {
        listeners.remove(l);
    }

    @Override
    public Set<SwitchId> switches() {
        return switches;
    }

    @Override
    public void sendPacket(SwitchId sw, PacketOut packet) {
        packets.add(packet);
        sent.add(packet);
    }

    @Override
    public CompletableFuture<Void> installRules(SwitchId sw, List<FlowRule> rules) {
        if (refuseRules) {
            return CompletableFuture.failedFuture(new io.baton.controller.southbound.SouthboundException("refused by test"));
        }
        installed.addAll(rules);
        sent.addAll(rules);
        if (holdRules) {
            CompletableFuture<Void> f = new CompletableFuture<>();
            heldInstalls.add(java.util.Map.entry(List.copyOf(rules), f));
            return f;
        }
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Void> installMeters(SwitchId sw, List<Meter> list) {
        if (!supportsMeters) {
            return CompletableFuture.failedFuture(new io.baton.controller.southbound.SouthboundException("no meters (test)"));
        }
        meters.addAll(list);
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Void> removeRules(SwitchId sw, List<FlowRule> rules) {
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Void> removeRulesByCookie(SwitchId sw, long cookie, long mask) {
        removedByCookie.add(new long[] {cookie, mask});
        if (holdRemovals) {
            CompletableFuture<Void> f = new CompletableFuture<>();
            heldRemovals.add(java.util.Map.entry(cookie, f));
            return f;
        }
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<List<FlowStatsEntry>> flowStats(SwitchId sw, long cookie, long mask) {
        statsRequests.incrementAndGet();
        CompletableFuture<List<FlowStatsEntry>> f = nextStats;
        nextStats = null;
        if (f == null && statsTable != null) {
            return CompletableFuture.completedFuture(statsTable.get());
        }
        return f != null ? f : CompletableFuture.completedFuture(List.of());
    }
}
