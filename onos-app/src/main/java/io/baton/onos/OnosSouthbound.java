package io.baton.onos;

import io.baton.controller.southbound.Southbound;
import io.baton.controller.southbound.SouthboundException;
import io.baton.controller.southbound.SouthboundListener;
import io.baton.flowrules.api.FlowAction;
import io.baton.flowrules.api.FlowMatch;
import io.baton.flowrules.api.FlowRule;
import io.baton.flowrules.api.FlowStatsEntry;
import io.baton.flowrules.api.PacketOut;
import io.baton.flowrules.api.SwitchId;
import org.onosproject.net.Device;
import org.onosproject.net.DeviceId;
import org.onosproject.net.PortNumber;
import org.onosproject.net.flow.DefaultTrafficTreatment;
import org.onosproject.net.flow.FlowEntry;
import org.onosproject.net.flow.FlowRuleOperations;
import org.onosproject.net.flow.FlowRuleOperationsContext;
import org.onosproject.net.flow.TrafficSelector;
import org.onosproject.net.packet.DefaultOutboundPacket;
import org.onosproject.net.packet.OutboundPacket;
import org.onosproject.net.packet.PacketPriority;
import org.onosproject.net.packet.PacketProcessor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Baton's {@link Southbound} on ONOS: packets through ONOS's PacketService, rules through its
 * FlowRuleService, switches from its DeviceService. The engine sees none of ONOS's types.
 *
 * <p>Limitations, on purpose or from ONOS:
 * <ul>
 *   <li>Only OpenFlow devices ({@code of:}) are switches; others are ignored and counted.</li>
 *   <li>ONOS enforces idle timeouts itself, from its periodic flow statistics, and then deletes
 *       the rule; so a flow-removed report can come up to one statistics period (5 s by default)
 *       after the idle timeout ran out. The engine does not depend on its promptness.</li>
 *   <li>Baton's per-rule notifyOnRemoval cannot be honoured: ONOS asks for flow-removed messages
 *       for every rule. Reports for rules outside Baton's cookie space are not passed on.</li>
 *   <li>One ONOS instance: the engine's connection state is not shared across a cluster.</li>
 *   <li>Baton takes the packets it is given ({@code context.block()}): it does its own L2
 *       forwarding, so ONOS's reactive forwarding app must not run alongside.</li>
 * </ul>
 */
public final class OnosSouthbound implements Southbound, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(OnosSouthbound.class);
    /** In ONOS's DIRECTOR range, after link discovery (an ADVISOR), like forwarding apps. */
    static final int PROCESSOR_PRIORITY = PacketProcessor.director(2);

    private final OnosServices onos;
    private final List<TrafficSelector> intercepts;
    private final Duration confirmTimeout;
    private final OnosCounters counters = new OnosCounters();
    private final List<SouthboundListener> listeners = new CopyOnWriteArrayList<>();
    private final RequestedRemovals requestedRemovals = new RequestedRemovals(System::nanoTime);
    private final PacketInRelay packetIn = new PacketInRelay(this::eachListener, counters);
    private final DeviceRelay deviceRelay;
    private final FlowRemovedRelay flowRemoved;

    /**
     * @param intercepts what the engine needs sent to it (ARP, TCP to the VIPs): requested from
     *     ONOS's PacketService, which keeps such requests installed on every switch
     * @param ownCookie with {@code ownCookieMask}, the cookies of Baton's rules: only their
     *     removals are reported to the engine
     * @param confirmTimeout how long ONOS may take to confirm a rule batch
     */
    public OnosSouthbound(OnosServices onos, List<FlowMatch> intercepts, long ownCookie, long ownCookieMask,
                          Duration confirmTimeout) {
        this.onos = onos;
        List<TrafficSelector> s = new ArrayList<>();
        intercepts.forEach(m -> s.add(OnosFlowTranslator.toSelector(m)));
        this.intercepts = List.copyOf(s);
        this.confirmTimeout = confirmTimeout;
        this.deviceRelay = new DeviceRelay(this::eachListener, counters, onos.devices()::isAvailable);
        this.flowRemoved = new FlowRemovedRelay(this::eachListener, counters, requestedRemovals,
                id -> (id & ownCookieMask) == (ownCookie & ownCookieMask));
    }

    /** Registers with ONOS: packet processor and requests, device and flow listeners. */
    public void start() {
        onos.packets().addProcessor(packetIn, PROCESSOR_PRIORITY);
        intercepts.forEach(s -> onos.packets().requestPackets(s, PacketPriority.REACTIVE, onos.appId()));
        onos.devices().addListener(deviceRelay);
        onos.flowRules().addListener(flowRemoved);
    }

    /** Undoes {@link #start()} in reverse; Baton's rules are the caller's to remove first. */
    @Override
    public void close() {
        onos.flowRules().removeListener(flowRemoved);
        onos.devices().removeListener(deviceRelay);
        intercepts.forEach(s -> onos.packets().cancelPackets(s, PacketPriority.REACTIVE, onos.appId()));
        onos.packets().removeProcessor(packetIn);
    }

    public OnosCounters counters() {
        return counters;
    }

    private void eachListener(Consumer<SouthboundListener> call) {
        for (SouthboundListener l : listeners) {
            call.accept(l);
        }
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
        Set<SwitchId> out = new LinkedHashSet<>();
        for (Device d : onos.devices().getAvailableDevices()) {
            DeviceIds.switchOf(d.id()).ifPresent(out::add);
        }
        return out;
    }

    /**
     * One ONOS outbound packet per output action, each carrying the frame as rewritten by the
     * set-field actions before it (OpenFlow action-list order), since ONOS would not apply them.
     */
    @Override
    public void sendPacket(SwitchId sw, PacketOut packet) {
        DeviceId device = DeviceIds.of(sw);
        if (!onos.devices().isAvailable(device)) {
            counters.packetsOutNoSwitch.increment();
            log.debug("packet-out to {} dropped: not available in ONOS", sw);
            return;
        }
        byte[] frame = packet.frame();
        for (FlowAction a : packet.actions()) {
            switch (a.kind()) {
                case OUTPUT:
                case FLOOD:
                case CONTROLLER:
                    onos.packets().emit(outbound(device, packet.inPort(), frame, OnosFlowTranslator.outputPort(a)));
                    counters.packetsOut.increment();
                    break;
                default:
                    frame = FrameRewriter.apply(frame, a);
                    break;
            }
        }
    }

    private static OutboundPacket outbound(DeviceId device, int inPort, byte[] frame, PortNumber out) {
        ByteBuffer data = ByteBuffer.wrap(frame); // ONOS reads data().array(): the whole array, so no offset
        if (inPort == PacketOut.FROM_CONTROLLER) {
            return new DefaultOutboundPacket(device, DefaultTrafficTreatment.builder().setOutput(out).build(), data);
        }
        return new DefaultOutboundPacket(device, DefaultTrafficTreatment.builder().setOutput(out).build(), data,
                PortNumber.portNumber(Integer.toUnsignedLong(inPort)));
    }

    @Override
    public CompletableFuture<Void> installRules(SwitchId sw, List<FlowRule> rules) {
        DeviceId device = DeviceIds.of(sw);
        FlowRuleOperations.Builder ops = FlowRuleOperations.builder();
        rules.forEach(r -> ops.add(OnosFlowTranslator.toOnos(device, r)));
        return apply(sw, ops, "install " + rules.size() + " rules");
    }

    @Override
    public CompletableFuture<Void> removeRules(SwitchId sw, List<FlowRule> rules) {
        DeviceId device = DeviceIds.of(sw);
        FlowRuleOperations.Builder ops = FlowRuleOperations.builder();
        for (FlowRule r : rules) {
            org.onosproject.net.flow.FlowRule onosRule = OnosFlowTranslator.toOnos(device, r);
            requestedRemovals.add(onosRule);
            ops.remove(onosRule);
        }
        return apply(sw, ops, "remove " + rules.size() + " rules");
    }

    @Override
    public CompletableFuture<Void> removeRulesByCookie(SwitchId sw, long cookie, long cookieMask) {
        FlowRuleOperations.Builder ops = FlowRuleOperations.builder();
        int n = 0;
        for (FlowEntry e : entries(sw, cookie, cookieMask)) {
            requestedRemovals.add(e);
            ops.remove(e);
            n++;
        }
        if (n == 0) {
            return CompletableFuture.completedFuture(null);
        }
        return apply(sw, ops, String.format("remove %d rules with cookie 0x%x/0x%x", n, cookie, cookieMask));
    }

    /** From ONOS's flow store, which its statistics polling keeps up to date with the switch. */
    @Override
    public CompletableFuture<List<FlowStatsEntry>> flowStats(SwitchId sw, long cookie, long cookieMask) {
        List<FlowStatsEntry> out = new ArrayList<>();
        for (FlowEntry e : entries(sw, cookie, cookieMask)) {
            Translation<FlowStatsEntry> t = OnosFlowTranslator.toStats(e);
            if (t.isOk()) {
                out.add(t.value());
            } else {
                counters.untranslatableEntries.increment();
                log.warn("switch {}: flow entry 0x{} left out of stats: {}", sw, Long.toHexString(e.id().value()),
                        t.refusal());
            }
        }
        return CompletableFuture.completedFuture(out);
    }

    private List<FlowEntry> entries(SwitchId sw, long cookie, long cookieMask) {
        List<FlowEntry> out = new ArrayList<>();
        for (FlowEntry e : onos.flowRules().getFlowEntries(DeviceIds.of(sw))) {
            if ((e.id().value() & cookieMask) == (cookie & cookieMask)) {
                out.add(e);
            }
        }
        return out;
    }

    /**
     * Applies a batch and completes once ONOS reports it done (after the switch's barrier) or
     * failed; fails by itself if ONOS says nothing within the confirm timeout.
     */
    private CompletableFuture<Void> apply(SwitchId sw, FlowRuleOperations.Builder ops, String what) {
        BatchOutcome outcome = new BatchOutcome(counters);
        if (!onos.devices().isAvailable(DeviceIds.of(sw))) {
            outcome.failed(new SouthboundException("switch " + sw + " is not available in ONOS"));
            return outcome.future();
        }
        FlowRuleOperations batch = ops.build(new FlowRuleOperationsContext() {
            @Override
            public void onSuccess(FlowRuleOperations o) {
                outcome.confirmed();
            }

            @Override
            public void onError(FlowRuleOperations o) {
                outcome.failed(new SouthboundException("ONOS refused to " + what + " on " + sw));
            }
        });
        CompletableFuture.delayedExecutor(confirmTimeout.toMillis(), TimeUnit.MILLISECONDS).execute(() ->
                outcome.failed(new SouthboundException("ONOS did not confirm (" + what + " on " + sw + ") within "
                        + confirmTimeout.toMillis() + " ms")));
        try {
            onos.flowRules().apply(batch);
        } catch (RuntimeException e) {
            outcome.failed(new SouthboundException("ONOS refused to " + what + " on " + sw + ": " + e, e));
        }
        return outcome.future();
    }

}
