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
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Keeps the rest of the network working: answers ARP for the VIPs with their virtual MACs, and
 * forwards everything else as a learning switch (a rule per known destination MAC, flooding for
 * unknown ones). Engine thread only.
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
    /** L2 rules believed installed: switch → destination MAC → port. */
    private final Map<SwitchId, Map<MacAddress, Integer>> installed = new HashMap<>();

    public L2Forwarder(Southbound southbound, HostTable hosts, FlowRuleFactory flows, EngineCounters counters,
                       Map<Ipv4Address, MacAddress> vipMacs) {
        this.southbound = southbound;
        this.hosts = hosts;
        this.flows = flows;
        this.counters = counters;
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

    /** Forwards a frame that is none of Baton's business. */
    public void forward(SwitchId sw, int inPort, Frame f) {
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
        Map<MacAddress, Integer> rules = installed.computeIfAbsent(sw, k -> new HashMap<>());
        Integer known = rules.get(dst);
        if (known == null || known != port) {
            rules.put(dst, port);
            southbound.installRules(sw, List.of(flows.l2Forward(dst, port))).exceptionally(e -> {
                log.debug("L2 rule for {} on {} failed: {}", dst, sw, e.getMessage());
                return null;
            });
        }
        southbound.sendPacket(sw, PacketOut.of(inPort, f.bytes(), List.of(FlowAction.output(port))));
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
        for (Map<MacAddress, Integer> rules : installed.values()) {
            rules.remove(mac);
        }
    }

    public void forgetSwitch(SwitchId sw) {
        installed.remove(sw);
    }
}
