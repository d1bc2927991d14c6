package io.baton.controller.flows;

import io.baton.controller.config.ServiceConfig;
import io.baton.controller.config.ServiceMode;
import io.baton.controller.connection.Connection;
import io.baton.controller.connection.ServerBinding;
import io.baton.flowrules.api.FlowAction;
import io.baton.flowrules.api.FlowMatch;
import io.baton.flowrules.api.FlowRule;
import io.baton.flowrules.api.Ipv4Address;
import io.baton.flowrules.api.MacAddress;

import java.util.ArrayList;
import java.util.List;

/**
 * Every flow rule Baton installs is built here, so priorities, cookies and timeouts are decided
 * in one place. Priorities: per-connection rules above the VIP intercept above L2 forwarding
 * above the table-miss rule, so a handed-off connection never falls back to the controller and
 * a NAT reply is never forwarded unrewritten by an L2 rule.
 */
public final class FlowRuleFactory {
    public static final int PRIORITY_TABLE_MISS = 0;
    public static final int PRIORITY_L2 = 10;
    public static final int PRIORITY_VIP_INTERCEPT = 100;
    public static final int PRIORITY_CONNECTION = 200;
    private static final int L2_IDLE_SECONDS = 300;

    private final int connectionIdleSeconds;

    public FlowRuleFactory(int connectionIdleSeconds) {
        this.connectionIdleSeconds = connectionIdleSeconds;
    }

    /** Whatever no other rule matches goes to the controller, whole. */
    public FlowRule tableMiss() {
        return FlowRule.builder().priority(PRIORITY_TABLE_MISS).cookie(Cookies.of(Cookies.Kind.BASE, 0))
                .match(FlowMatch.any()).actions(FlowAction.toController()).build();
    }

    /** New connections to a service come to the controller for the handshake. */
    public FlowRule vipIntercept(ServiceConfig service) {
        return FlowRule.builder().priority(PRIORITY_VIP_INTERCEPT).cookie(Cookies.of(Cookies.Kind.BASE, 0))
                .match(FlowMatch.builder().tcp().ipv4Dst(service.vip()).tcpDst(service.port()).build())
                .actions(FlowAction.toController()).build();
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
        ServerBinding server = c.server;
        Ipv4Address client = Ipv4Address.of(c.key().clientIp());
        FlowRule forward = FlowRule.builder().priority(PRIORITY_CONNECTION)
                .cookie(Cookies.of(Cookies.Kind.CLIENT_TO_SERVER, c.id()))
                .match(FlowMatch.builder().tcp().ipv4Src(client).tcpSrc(c.key().clientPort())
                        .ipv4Dst(service.vip()).tcpDst(service.port()).build())
                .actions(clientToServerActions(service.mode(), server))
                .idleTimeoutSeconds(connectionIdleSeconds).notifyOnRemoval(true).build();

        FlowMatch.Builder back = FlowMatch.builder().tcp().ipv4Dst(client).tcpDst(c.key().clientPort())
                .tcpSrc(service.port());
        List<FlowAction> backActions = new ArrayList<>(3);
        if (service.mode() == ServiceMode.NAT) {
            back.ipv4Src(server.address());
            backActions.add(FlowAction.setEthSrc(service.virtualMac()));
            backActions.add(FlowAction.setIpv4Src(service.vip()));
        } else {
            back.ipv4Src(service.vip());
        }
        backActions.add(FlowAction.output(c.clientSwitchPort()));
        FlowRule reverse = FlowRule.builder().priority(PRIORITY_CONNECTION)
                .cookie(Cookies.of(Cookies.Kind.SERVER_TO_CLIENT, c.id()))
                .match(back.build()).actions(backActions)
                .idleTimeoutSeconds(connectionIdleSeconds).build();
        return List.of(forward, reverse);
    }
}
