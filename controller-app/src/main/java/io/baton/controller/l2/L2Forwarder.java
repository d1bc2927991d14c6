package io.baton.controller.l2;

import io.baton.controller.engine.EngineCounters;
import io.baton.controller.flows.FlowRuleFactory;
import io.baton.controller.packet.Frame;
import io.baton.controller.packet.FrameBuilder;
import io.baton.controller.southbound.Southbound;
import io.baton.flowrules.api.FlowAction;
import io.baton.flowrules.api.Ipv4Address;
import io.baton.flowrules.api.MacAddress;
import io.baton.flowrules.api.PacketOut;
import io.baton.flowrules.api.SwitchId;
import io.baton.topology.HostLocation;
import io.baton.topology.HostTable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Keeps the rest of the network working: answers ARP for the VIPs with their virtual MACs, and
 * forwards everything else as a learning switch (a rule per known destination MAC, flooding for
 * unknown ones). It also puts in, at a dsr client's SYN, the rule toward that client, and says
 * when the switch has confirmed it: a dsr server answers from the VIP with no rewrite, so once
 * that rule is in its replies need no connection rule of their own to reach the client. Engine
 * thread only.
 */
public final class L2Forwarder {
    private static final Logger log = LoggerFactory.getLogger(L2Forwarder.class);
    /** The source of the controller's own ARP probes (locally administered). */
    public static final MacAddress PROBE_MAC = MacAddress.parse("02:ba:70:00:00:00");

    private final Southbound southbound;
    private final HostTable hosts;
    private final FlowRuleFactory flows;
    private final EngineCounters counters;
    private Map<Ipv4Address, MacAddress> vipMacs;
    private Set<MacAddress> ownMacs;
    /** Rules known per switch at most; beyond, the oldest are forgotten (only sent again if needed). */
    static final int MAX_ROUTES_PER_SWITCH = 16_384;
    /** A rule sent longer ago than this is sent again at the next need, which restarts its idle time. */
    static final long REFRESH_NANOS = TimeUnit.SECONDS.toNanos(60);
    /**
     * A confirmed rule is trusted this long after it was sent: it cannot have idled out sooner,
     * since the switch put it in no earlier than it was sent (a margin for clocks and queues).
     */
    static final long TRUST_NANOS = TimeUnit.SECONDS.toNanos(FlowRuleFactory.L2_IDLE_SECONDS) - REFRESH_NANOS;

    /** What the controller knows of its rule toward one MAC on one switch. */
    private static final class Route {
        final int port;
        long lastSentNanos;
        /** When the newest confirmed copy of the rule was sent, or -1 if none is confirmed. */
        long confirmedSentNanos = -1;

        Route(int port, long nowNanos) {
            this.port = port;
            this.lastSentNanos = nowNanos;
        }
    }

    private final Executor engine;
    private final LongSupplier nanoClock;
    /** L2 rules sent: switch → destination MAC → route, oldest sent first. */
    private final Map<SwitchId, LinkedHashMap<MacAddress, Route>> routes = new HashMap<>();

    public L2Forwarder(Southbound southbound, HostTable hosts, FlowRuleFactory flows, EngineCounters counters,
                       Map<Ipv4Address, MacAddress> vipMacs, Executor engine, LongSupplier nanoClock) {
        this.southbound = southbound;
        this.hosts = hosts;
        this.flows = flows;
        this.counters = counters;
        this.engine = engine;
        this.nanoClock = nanoClock;
        vips(vipMacs);
    }

    /** The VIPs to answer ARP for, and their virtual MACs (services were added or removed). */
    public void vips(Map<Ipv4Address, MacAddress> vipMacs) {
        this.vipMacs = Map.copyOf(vipMacs);
        Set<MacAddress> own = new HashSet<>(vipMacs.values());
        own.add(PROBE_MAC);
        this.ownMacs = Set.copyOf(own);
    }

    public void onArp(SwitchId sw, int inPort, Frame f) {
        if (f.isArpRequest()) {
            MacAddress vmac = vipMacs.get(f.arpTargetIp());
            if (vmac != null) {
                counters.arpRepliesForVip.increment();
                byte[] reply = FrameBuilder.arpReply(vmac, f.arpTargetIp(), f.arpSenderMac(), f.arpSenderIp());
                southbound.sendPacket(sw, PacketOut.of(PacketOut.FROM_CONTROLLER, reply, List.of(FlowAction.output(inPort))));
                return;
            }
        }
        forward(sw, inPort, f);
    }

    /** Forwards a frame that is none of Baton's business, and puts in a rule toward its destination. */
    public void forward(SwitchId sw, int inPort, Frame f) {
        forward(sw, inPort, f, true);
    }

    /** Forwards a frame toward its destination's known port (or floods it) without putting in a rule. */
    public void forwardWithoutRule(SwitchId sw, int inPort, Frame f) {
        forward(sw, inPort, f, false);
    }

    private void forward(SwitchId sw, int inPort, Frame f, boolean withRule) {
        MacAddress dst = f.ethDst();
        if (ownMacs.contains(dst)) {
            return; // an answer to the controller's own probe: learning it was all it was for
        }
        Optional<HostLocation> loc = dst.isMulticast() ? Optional.empty() : hosts.locate(dst);
        if (loc.isEmpty() || !loc.get().sw().equals(sw)) {
            southbound.sendPacket(sw, PacketOut.of(inPort, f.bytes(), List.of(FlowAction.flood())));
            return;
        }
        int port = loc.get().port();
        if (port == inPort) {
            return; // it is already where it is going
        }
        if (withRule) {
            // A packet came up although a rule was sent: not in yet, or gone (idled out). Send it
            // again unless it was sent just now.
            route(sw, dst, port, RESEND_UNCONFIRMED_NANOS);
        }
        southbound.sendPacket(sw, PacketOut.of(inPort, f.bytes(), List.of(FlowAction.output(port))));
    }

    /** A rule sent this recently and not confirmed yet is not sent again for a packet that comes up. */
    private static final long RESEND_UNCONFIRMED_NANOS = TimeUnit.SECONDS.toNanos(1);

    /**
     * A dsr client sent a SYN from {@code port} of {@code sw}: the rule toward it goes in now
     * (before the SYN-ACK, on the same switch connection), so that it is confirmed by the time
     * its request is handed off. Sent again only when older than {@link #REFRESH_NANOS}.
     */
    public void routeToClient(SwitchId sw, MacAddress client, int port) {
        if (client.isMulticast() || MacAddress.ZERO.equals(client)) {
            return;
        }
        route(sw, client, port, REFRESH_NANOS);
    }

    /**
     * Whether the switch confirmed a rule toward {@code mac} out of {@code port} that cannot have
     * idled out since: a packet to that MAC reaches it without the controller.
     */
    public boolean routeConfirmed(SwitchId sw, MacAddress mac, int port) {
        LinkedHashMap<MacAddress, Route> rules = routes.get(sw);
        Route r = rules == null ? null : rules.get(mac);
        return r != null && r.port == port && r.confirmedSentNanos >= 0
                && nanoClock.getAsLong() - r.confirmedSentNanos < TRUST_NANOS;
    }

    /** Sends the rule toward {@code dst} unless the same was sent less than {@code resendAfterNanos} ago. */
    private void route(SwitchId sw, MacAddress dst, int port, long resendAfterNanos) {
        LinkedHashMap<MacAddress, Route> rules = routes.computeIfAbsent(sw, k -> new LinkedHashMap<>());
        long now = nanoClock.getAsLong();
        Route r = rules.get(dst);
        if (r != null && r.port == port && now - r.lastSentNanos < resendAfterNanos) {
            return;
        }
        if (r == null || r.port != port) {
            r = new Route(port, now);
        } else {
            r.lastSentNanos = now;
            rules.remove(dst); // to the young end
        }
        rules.put(dst, r);
        if (rules.size() > MAX_ROUTES_PER_SWITCH) {
            MacAddress eldest = rules.keySet().iterator().next();
            rules.remove(eldest);
        }
        Route sent = r;
        long sentAt = now;
        southbound.installRules(sw, List.of(flows.l2Forward(dst, port))).whenComplete((ok, err) -> {
            if (err != null) {
                log.debug("L2 rule for {} on {} failed: {}", dst, sw, err.getMessage());
                return;
            }
            engine.execute(() -> {
                LinkedHashMap<MacAddress, Route> current = routes.get(sw);
                if (current != null && current.get(dst) == sent) {
                    sent.confirmedSentNanos = Math.max(sent.confirmedSentNanos, sentAt);
                }
            });
        });
    }

    /** Asks every switch where {@code ip} is: an RFC 5227 probe, answered to {@link #PROBE_MAC}. */
    public void probe(Ipv4Address ip) {
        byte[] request = FrameBuilder.arpRequest(PROBE_MAC, Ipv4Address.of(0), ip);
        for (SwitchId sw : southbound.switches()) {
            southbound.sendPacket(sw, PacketOut.of(PacketOut.FROM_CONTROLLER, request, List.of(FlowAction.flood())));
        }
    }

    /** A rule toward a host that moved must be replaced: forget what we installed for it. */
    public void hostMoved(MacAddress mac) {
        for (Map<MacAddress, Route> rules : routes.values()) {
            rules.remove(mac);
        }
    }

    public void forgetSwitch(SwitchId sw) {
        routes.remove(sw);
    }
}
