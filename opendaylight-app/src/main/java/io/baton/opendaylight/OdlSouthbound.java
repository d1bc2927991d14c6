package io.baton.opendaylight;

import com.google.common.util.concurrent.MoreExecutors;
import io.baton.controller.southbound.Southbound;
import io.baton.controller.southbound.SouthboundException;
import io.baton.controller.southbound.SouthboundListener;
import io.baton.flowrules.api.FlowRule;
import io.baton.flowrules.api.FlowStatsEntry;
import io.baton.flowrules.api.PacketOut;
import io.baton.flowrules.api.SwitchId;
import org.opendaylight.mdsal.binding.api.NotificationService;
import org.opendaylight.mdsal.binding.api.RpcService;
import org.opendaylight.yang.gen.v1.urn.opendaylight.flow.inventory.rev130819.tables.table.Flow;
import org.opendaylight.yang.gen.v1.urn.opendaylight.flow.service.rev130819.AddFlow;
import org.opendaylight.yang.gen.v1.urn.opendaylight.flow.service.rev130819.FlowRemoved;
import org.opendaylight.yang.gen.v1.urn.opendaylight.flow.service.rev130819.RemoveFlow;
import org.opendaylight.yang.gen.v1.urn.opendaylight.flow.service.rev130819.SwitchFlowRemoved;
import org.opendaylight.yang.gen.v1.urn.opendaylight.inventory.rev130819.NodeRef;
import org.opendaylight.yang.gen.v1.urn.opendaylight.inventory.rev130819.NodeRemoved;
import org.opendaylight.yang.gen.v1.urn.opendaylight.inventory.rev130819.NodeUpdated;
import org.opendaylight.yang.gen.v1.urn.opendaylight.packet.service.rev130709.PacketReceived;
import org.opendaylight.yang.gen.v1.urn.opendaylight.packet.service.rev130709.TransmitPacket;
import org.opendaylight.yang.gen.v1.urn.opendaylight.packet.service.rev130709.TransmitPacketInput;
import org.opendaylight.yangtools.concepts.Registration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Baton's southbound on OpenDaylight's openflowplugin (0.21), through the MD-SAL binding API only:
 * <ul>
 * <li>packets in: {@code packet-received} notifications; out: the {@code transmit-packet} RPC;
 * <li>rules: the {@code add-flow} and {@code remove-flow} RPCs, one per rule, confirmed when every
 *     RPC answered successfully (openflowplugin answers a flow RPC after a barrier reply followed
 *     it), failed with the RPC errors otherwise;
 * <li>rule expiry: the {@code flow-removed} notification (what 0.21 publishes) and the older
 *     {@code switch-flow-removed} (what other providers may publish);
 * <li>switches: {@code node-updated} / {@code node-removed} notifications (published by 0.21's
 *     DeviceManagerImpl), plus one read of the operational inventory at start for switches already
 *     connected; a packet from a switch not seen yet counts as that switch coming up, because
 *     openflowplugin offers notifications and drops them when its queue is full;
 * <li>flow stats: the operational inventory (see {@link OdlFlowReader#fromInventoryFlow}).
 * </ul>
 *
 * <p>Limits: Baton's rules go straight to the switch, not through the config data store, so
 * OpenDaylight's forwarding-rules manager does not know them (and must not be told to reconcile
 * the switch against the config store, which would delete them). Counters in flow stats are 0.
 *
 * <p>Listeners are called on the notification threads; the engine hands off at once.
 */
public final class OdlSouthbound implements Southbound, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(OdlSouthbound.class);
    /** A rule RPC unanswered for this long fails; the engine's handoff timeout is of this order. */
    public static final long DEFAULT_RPC_TIMEOUT_MILLIS = 5_000;

    private final AddFlow addFlow;
    private final RemoveFlow removeFlow;
    private final TransmitPacket transmitPacket;
    private final NotificationService notifications;
    private final OperationalInventory inventory;
    private final long rpcTimeoutMillis;
    private final OdlCounters counters = new OdlCounters();
    private final List<SouthboundListener> listeners = new CopyOnWriteArrayList<>();
    private final Set<SwitchId> connected = ConcurrentHashMap.newKeySet();
    private final List<Registration> registrations = new CopyOnWriteArrayList<>();

    public OdlSouthbound(RpcService rpcs, NotificationService notifications, OperationalInventory inventory,
                         long rpcTimeoutMillis) {
        // getRpc gives a routing proxy: it finds the switch's implementation at each call.
        this.addFlow = rpcs.getRpc(AddFlow.class);
        this.removeFlow = rpcs.getRpc(RemoveFlow.class);
        this.transmitPacket = rpcs.getRpc(TransmitPacket.class);
        this.notifications = notifications;
        this.inventory = inventory;
        this.rpcTimeoutMillis = rpcTimeoutMillis;
    }

    /** Starts listening, then learns the switches connected already. */
    public void start() {
        // Direct executor: each listener only decodes a notification and hands it to the engine.
        registrations.add(notifications.registerListener(PacketReceived.class, this::onPacketReceived,
                MoreExecutors.directExecutor()));
        registrations.add(notifications.registerListener(FlowRemoved.class, this::onFlowRemoved,
                MoreExecutors.directExecutor()));
        registrations.add(notifications.registerListener(SwitchFlowRemoved.class, this::onSwitchFlowRemoved,
                MoreExecutors.directExecutor()));
        registrations.add(notifications.registerListener(NodeUpdated.class, this::onNodeUpdated,
                MoreExecutors.directExecutor()));
        registrations.add(notifications.registerListener(NodeRemoved.class, this::onNodeRemoved,
                MoreExecutors.directExecutor()));
        inventory.connectedSwitches().whenComplete((switches, err) -> {
            if (err != null) {
                log.warn("operational inventory not read ({}); switches become known by their notifications", err.toString());
                return;
            }
            switches.forEach(this::up);
        });
    }

    @Override
    public void close() {
        registrations.forEach(Registration::close);
        registrations.clear();
        connected.clear();
    }

    public OdlCounters counters() {
        return counters;
    }

    @Override
    public void addListener(SouthboundListener listener) {
        listeners.add(listener);
    }

    @Override
    public void removeListener(SouthboundListener listener) {
        listeners.remove(listener);
    }

    @Override
    public Set<SwitchId> switches() {
        return Set.copyOf(connected);
    }

    @Override
    public void sendPacket(SwitchId sw, PacketOut packet) {
        if (!connected.contains(sw)) {
            counters.packetsOutDropped.increment();
            log.debug("packet-out to {} dropped: switch not connected", sw);
            return;
        }
        TransmitPacketInput input;
        try {
            input = OdlFlowTranslator.toTransmitPacket(sw, packet);
        } catch (IllegalArgumentException e) {
            counters.packetsOutDropped.increment();
            log.debug("packet-out to {} dropped: {}", sw, e.getMessage());
            return;
        }
        counters.packetsOut.increment();
        Rpcs.confirmed("transmit-packet to " + sw, () -> transmitPacket.invoke(input), rpcTimeoutMillis)
                .whenComplete((ok, err) -> {
                    if (err != null) {
                        counters.packetsOutFailed.increment();
                        log.debug("{}", Rpcs.message(err));
                    }
                });
    }

    @Override
    public CompletableFuture<Void> installRules(SwitchId sw, List<FlowRule> rules) {
        return each(sw, "add-flow", rules, r -> addFlow.invoke(OdlFlowTranslator.toAddFlow(sw, r)));
    }

    @Override
    public CompletableFuture<Void> removeRules(SwitchId sw, List<FlowRule> rules) {
        return each(sw, "remove-flow", rules, r -> removeFlow.invoke(OdlFlowTranslator.toRemoveFlow(sw, r)));
    }

    @Override
    public CompletableFuture<Void> removeRulesByCookie(SwitchId sw, long cookie, long cookieMask) {
        if (!connected.contains(sw)) {
            return notConnected(sw, "remove-flow by cookie");
        }
        counters.flowRpcs.increment();
        String what = String.format("remove-flow cookie 0x%x/0x%x on %s", cookie, cookieMask, sw);
        return counted(Rpcs.confirmed(what,
                () -> removeFlow.invoke(OdlFlowTranslator.toRemoveByCookie(sw, cookie, cookieMask)), rpcTimeoutMillis));
    }

    /** From the operational inventory; counters are 0 (see {@link OdlFlowReader#fromInventoryFlow}). */
    @Override
    public CompletableFuture<List<FlowStatsEntry>> flowStats(SwitchId sw, long cookie, long cookieMask) {
        if (!connected.contains(sw)) {
            return notConnected(sw, "flow stats");
        }
        return inventory.flows(sw).thenApply(flows -> {
            List<FlowStatsEntry> out = new ArrayList<>();
            for (Flow f : flows) {
                long c = OdlFlowReader.cookie(f.getCookie());
                if ((c & cookieMask) == (cookie & cookieMask)) {
                    read(f.getMatch(), "flow " + f.getId() + " on " + sw)
                            .ifPresent(m -> out.add(OdlFlowReader.fromInventoryFlow(f, m)));
                }
            }
            return out;
        });
    }

    // ------------------------------------------------------------------ RPCs, one per rule

    private CompletableFuture<Void> each(SwitchId sw, String rpc, List<FlowRule> rules,
                                         Function<FlowRule, com.google.common.util.concurrent.ListenableFuture<
                                                 ? extends org.opendaylight.yangtools.yang.common.RpcResult<?>>> call) {
        if (!connected.contains(sw)) {
            return notConnected(sw, rpc);
        }
        List<CompletableFuture<Void>> answers = new ArrayList<>(rules.size());
        for (FlowRule r : rules) {
            counters.flowRpcs.increment();
            answers.add(counted(Rpcs.confirmed(rpc + " " + r + " on " + sw, () -> call.apply(r), rpcTimeoutMillis)));
        }
        // Wait for every answer (not just the first failure), so the error names all refusals.
        return CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).handle((ok, err) -> {
            if (err == null) {
                return null;
            }
            String why = answers.stream().filter(CompletableFuture::isCompletedExceptionally)
                    .map(f -> f.handle((v, e) -> Rpcs.message(e)).join())
                    .collect(Collectors.joining("; "));
            throw new SouthboundException(why);
        });
    }

    private CompletableFuture<Void> counted(CompletableFuture<Void> answer) {
        return answer.whenComplete((ok, err) -> {
            if (err != null) {
                counters.flowRpcsFailed.increment();
                log.warn("{}", Rpcs.message(err));
            }
        });
    }

    private static <T> CompletableFuture<T> notConnected(SwitchId sw, String what) {
        return CompletableFuture.failedFuture(new SouthboundException(what + ": switch " + sw + " is not connected"));
    }

    // ------------------------------------------------------------------ notifications

    void onPacketReceived(PacketReceived p) {
        counters.packetsIn.increment();
        Optional<String> connector = NodeIds.connectorId(p.getIngress());
        Optional<SwitchId> sw = connector.flatMap(c -> NodeIds.switchId(c.substring(0, Math.max(0, c.lastIndexOf(':')))));
        OptionalInt port = connector.map(NodeIds::portNumber).orElse(OptionalInt.empty());
        byte[] frame = p.getPayload();
        if (sw.isEmpty() || port.isEmpty() || frame == null || frame.length == 0) {
            counters.packetsInDropped.increment();
            log.debug("packet-in dropped: {}", sw.isEmpty() || port.isEmpty()
                    ? "ingress names no OpenFlow switch port: " + p.getIngress() : "no payload");
            return;
        }
        up(sw.get());
        for (SouthboundListener l : listeners) {
            l.packetIn(sw.get(), port.getAsInt(), frame);
        }
    }

    void onFlowRemoved(FlowRemoved n) {
        removed(n.getNode(), n.getMatch(), m -> OdlFlowReader.fromFlowRemoved(n, m));
    }

    void onSwitchFlowRemoved(SwitchFlowRemoved n) {
        removed(n.getNode(), n.getMatch(), m -> OdlFlowReader.fromSwitchFlowRemoved(n, m));
    }

    private void removed(NodeRef node, org.opendaylight.yang.gen.v1.urn.opendaylight.model.match.types.rev131026.Match match,
                         Function<MatchReading, io.baton.flowrules.api.FlowRemoved> convert) {
        counters.flowsRemovedIn.increment();
        Optional<SwitchId> sw = NodeIds.switchId(node);
        if (sw.isEmpty()) {
            counters.flowsRemovedDropped.increment();
            log.debug("flow-removed dropped: node {} is not an OpenFlow switch", node);
            return;
        }
        Optional<MatchReading> m = read(match, "flow-removed on " + sw.get());
        if (m.isEmpty()) {
            counters.flowsRemovedDropped.increment();
            return;
        }
        io.baton.flowrules.api.FlowRemoved removed = convert.apply(m.get());
        for (SouthboundListener l : listeners) {
            l.flowRemoved(sw.get(), removed);
        }
    }

    void onNodeUpdated(NodeUpdated n) {
        Optional<SwitchId> sw = NodeIds.switchId(n.getId() == null ? null : n.getId().getValue())
                .or(() -> NodeIds.switchId(n.getNodeRef()));
        if (sw.isEmpty()) {
            counters.nodeEventsIgnored.increment();
            log.debug("node-updated ignored: {} is not an OpenFlow node", n.getId());
            return;
        }
        up(sw.get());
    }

    void onNodeRemoved(NodeRemoved n) {
        Optional<SwitchId> sw = NodeIds.switchId(n.getNodeRef());
        if (sw.isEmpty()) {
            counters.nodeEventsIgnored.increment();
            log.debug("node-removed ignored: {} names no OpenFlow node", n.getNodeRef());
            return;
        }
        if (connected.remove(sw.get())) {
            counters.switchesDown.increment();
            log.info("switch {} gone (OpenDaylight node {})", sw.get(), NodeIds.nodeId(sw.get()).getValue());
            listeners.forEach(l -> l.switchDown(sw.get()));
        }
    }

    private void up(SwitchId sw) {
        if (connected.add(sw)) {
            counters.switchesUp.increment();
            log.info("switch {} up (OpenDaylight node {})", sw, NodeIds.nodeId(sw).getValue());
            listeners.forEach(l -> l.switchUp(sw));
        }
    }

    /** A reported match, or empty (logged, counted) if a known field is unreadable. */
    private Optional<MatchReading> read(
            org.opendaylight.yang.gen.v1.urn.opendaylight.model.match.types.rev131026.Match match, String where) {
        try {
            MatchReading m = OdlFlowReader.fromMatch(match);
            if (!m.complete()) {
                counters.unknownMatchFields.increment();
                log.debug("{}: match fields Baton does not know, left out: {}", where, m.ignored());
            }
            return Optional.of(m);
        } catch (RuntimeException e) {
            log.warn("{}: unreadable match ({}), ignored", where, e.getMessage());
            return Optional.empty();
        }
    }
}
