package io.baton.controller.flows;

import io.baton.controller.config.PacketInLimits;
import io.baton.controller.config.ServiceConfig;
import io.baton.controller.config.ServiceMode;
import io.baton.controller.connection.Connection;
import io.baton.controller.connection.ServerBinding;
import io.baton.flowrules.api.FlowAction;
import io.baton.flowrules.api.FlowMatch;
import io.baton.flowrules.api.FlowRule;
import io.baton.flowrules.api.Ipv4Address;
import io.baton.flowrules.api.MacAddress;
import io.baton.flowrules.api.Meter;

import java.util.ArrayList;
import java.util.List;

/**
 * Every flow rule Baton installs is built here, so priorities, cookies and timeouts are decided
 * in one place. Priorities: SYNs to a VIP above per-connection rules above the VIP intercept
 * above L2 forwarding above the table-miss rule, so a handed-off connection never falls back to
 * the controller and a NAT reply is never forwarded unrewritten by an L2 rule, yet a client that
 * reuses the port of a connection whose rules still linger after its close (one that lets the
 * server close first may, at once) has its new SYN answered by the controller, not by the old
 * server's TIME_WAIT socket.
 */
public final class FlowRuleFactory {
    public static final int PRIORITY_TABLE_MISS = 0;
    public static final int PRIORITY_L2 = 10;
    public static final int PRIORITY_VIP_INTERCEPT = 100;
    public static final int PRIORITY_CONNECTION = 200;
    public static final int PRIORITY_VIP_SYN = 300;
    public static final int L2_IDLE_SECONDS = 300;
    /** Meter ids: one per kind of packet-in (see {@link PacketInLimits}). */
    public static final long METER_SYN = 1;
    public static final long METER_VIP = 2;
    public static final long METER_OTHER = 3;
    /** Every meter id Baton may use, for removal. */
    public static final List<Long> METER_IDS = List.of(METER_SYN, METER_VIP, METER_OTHER);
    private static final int MIN_BURST = 64;
    private static final int TCP_SYN = 0x002;

    private final int connectionIdleSeconds;
    private final PacketInLimits limits;

    public FlowRuleFactory(int connectionIdleSeconds) {
        this(connectionIdleSeconds, PacketInLimits.defaults());
    }

    public FlowRuleFactory(int connectionIdleSeconds, PacketInLimits limits) {
        this.connectionIdleSeconds = connectionIdleSeconds;
        this.limits = limits;
    }

    /** Whatever no other rule matches goes to the controller, whole. */
    public FlowRule tableMiss() {
        return tableMiss(false);
    }

    /**
     * The table-miss rule, through the "other" meter when {@code metered} (the switch took the
     * meters of {@link #packetInMeters()}) and that limit is set.
     */
    public FlowRule tableMiss(boolean metered) {
        return FlowRule.builder().priority(PRIORITY_TABLE_MISS).cookie(Cookies.of(Cookies.Kind.BASE, 0))
                .match(FlowMatch.any()).actions(FlowAction.toController())
                .meterId(meterIf(metered, METER_OTHER, limits.otherPerSecond())).build();
    }

    /** New connections to a service come to the controller for the handshake. */
    public FlowRule vipIntercept(ServiceConfig service) {
        return vipIntercept(service, false);
    }

    /** The VIP intercept, through the "vip" meter when {@code metered} and that limit is set. */
    public FlowRule vipIntercept(ServiceConfig service, boolean metered) {
        return FlowRule.builder().priority(PRIORITY_VIP_INTERCEPT).cookie(Cookies.of(Cookies.Kind.BASE, 0))
                .match(FlowMatch.builder().tcp().ipv4Dst(service.vip()).tcpDst(service.port()).build())
                .actions(FlowAction.toController())
                .meterId(meterIf(metered, METER_VIP, limits.vipPerSecond())).build();
    }

    /**
     * The rules that bring a service's packets to the controller: the VIP intercept, and one for
     * SYNs alone above the connection rules; when metered with a SYN limit, a SYN flood spends
     * that rule's own budget and not that of clients finishing their handshake.
     */
    public List<FlowRule> intercepts(ServiceConfig service, boolean metered) {
        FlowRule.Builder syns = FlowRule.builder().priority(PRIORITY_VIP_SYN).cookie(Cookies.of(Cookies.Kind.BASE, 0))
                .match(FlowMatch.builder().tcp().ipv4Dst(service.vip()).tcpDst(service.port())
                        .tcpFlags(TCP_SYN, TCP_SYN).build())
                .actions(FlowAction.toController());
        if (metered && limits.synPerSecond() != 0) {
            syns.meterId(METER_SYN);
        }
        return List.of(syns.build(), vipIntercept(service, metered));
    }

    /** The table-miss rule and every service's intercepts. */
    public List<FlowRule> baseRules(List<ServiceConfig> services, boolean metered) {
        List<FlowRule> base = new ArrayList<>();
        base.add(tableMiss(metered));
        for (ServiceConfig s : services) {
            base.addAll(intercepts(s, metered));
        }
        return base;
    }

    /** The meters the limits call for (none when every limit is 0), 10 % of a second's worth of burst. */
    public List<Meter> packetInMeters() {
        List<Meter> meters = new ArrayList<>(3);
        addMeter(meters, METER_SYN, limits.synPerSecond());
        addMeter(meters, METER_VIP, limits.vipPerSecond());
        addMeter(meters, METER_OTHER, limits.otherPerSecond());
        return meters;
    }

    private static void addMeter(List<Meter> meters, long id, int perSecond) {
        if (perSecond > 0) {
            meters.add(new Meter(id, perSecond, Math.max(MIN_BURST, perSecond / 10)));
        }
    }

    private static long meterIf(boolean metered, long id, int perSecond) {
        return metered && perSecond > 0 ? id : 0;
    }

    /** Plain forwarding toward a learned host. */
    public FlowRule l2Forward(MacAddress dst, int port) {
        return FlowRule.builder().priority(PRIORITY_L2).cookie(Cookies.of(Cookies.Kind.L2, 0))
                .match(FlowMatch.builder().ethDst(dst).build()).actions(FlowAction.output(port))
                .idleTimeoutSeconds(L2_IDLE_SECONDS).build();
    }

    /** The rewrites that take a client's packet to its server; also used to release held frames. */
    public List<FlowAction> clientToServerActions(ServiceMode mode, ServerBinding server) {
        List<FlowAction> actions = new ArrayList<>(3);
        actions.add(FlowAction.setEthDst(server.mac()));
        if (mode == ServiceMode.NAT) {
            actions.add(FlowAction.setIpv4Dst(server.address()));
        }
        actions.add(FlowAction.output(server.switchPort()));
        return actions;
    }

    /**
     * The two rules of a handed-off connection. Client to server: rewrite toward the server.
     * Server to client: in NAT mode the source becomes the VIP again; in DSR mode the server
     * already answers from the VIP and the rule only pins the output port, so no reply packet
     * ever reaches the controller.
     */
    public List<FlowRule> connectionRules(ServiceConfig service, Connection c) {
        return List.of(forwardRule(service, c), reverseRule(service, c));
    }

    /** Client to server: the VIP's packets of this connection rewritten toward its server. */
    public FlowRule forwardRule(ServiceConfig service, Connection c) {
        Ipv4Address client = Ipv4Address.of(c.key().clientIp());
        return FlowRule.builder().priority(PRIORITY_CONNECTION)
                .cookie(Cookies.of(Cookies.Kind.CLIENT_TO_SERVER, c.id()))
                .match(FlowMatch.builder().tcp().ipv4Src(client).tcpSrc(c.key().clientPort())
                        .ipv4Dst(service.vip()).tcpDst(service.port()).build())
                .actions(clientToServerActions(service.mode(), c.server))
                .idleTimeoutSeconds(connectionIdleSeconds).notifyOnRemoval(true).build();
    }

    /**
     * Server to client. It matches nothing until the server's socket exists, so it may go in while
     * the agent still prepares that socket.
     */
    public FlowRule reverseRule(ServiceConfig service, Connection c) {
        ServerBinding server = c.server;
        Ipv4Address client = Ipv4Address.of(c.key().clientIp());
        FlowMatch.Builder back = FlowMatch.builder().tcp().ipv4Dst(client).tcpDst(c.key().clientPort())
                .tcpSrc(service.port())
                .ipv4Src(service.mode() == ServiceMode.NAT ? server.address() : service.vip());
        return FlowRule.builder().priority(PRIORITY_CONNECTION)
                .cookie(Cookies.of(Cookies.Kind.SERVER_TO_CLIENT, c.id()))
                .match(back.build()).actions(serverToClientActions(service, c))
                .idleTimeoutSeconds(connectionIdleSeconds).build();
    }

    /**
     * Drops what a nat server still sends into a connection given up while it held it (its agent
     * paused, its links down): the reply rule's match, no action. The switch then drops those
     * segments itself, whatever else it would have done with them (a plain rule toward the client
     * learnt meanwhile would carry them to it unrewritten). Its own cookie kind, with the connection's
     * id; a new connection of the same client port to the same server replaces it (same match and
     * priority).
     */
    public FlowRule quarantineRule(ServiceConfig service, Connection c) {
        FlowRule reply = reverseRule(service, c);
        return FlowRule.builder().priority(reply.priority()).cookie(Cookies.of(Cookies.Kind.QUARANTINE, c.id()))
                .match(reply.match())
                .idleTimeoutSeconds(QUARANTINE_IDLE_SECONDS).build();
    }

    /** A given-up connection's server stops retransmitting within this long of silence. */
    static final int QUARANTINE_IDLE_SECONDS = 60;

    /** The rewrites that take a server's packet to its client; also used for one sent up by the switch. */
    public List<FlowAction> serverToClientActions(ServiceConfig service, Connection c) {
        List<FlowAction> actions = new ArrayList<>(3);
        if (service.mode() == ServiceMode.NAT) {
            actions.add(FlowAction.setEthSrc(service.virtualMac()));
            actions.add(FlowAction.setIpv4Src(service.vip()));
        }
        actions.add(FlowAction.output(c.clientSwitchPort()));
        return actions;
    }
}
