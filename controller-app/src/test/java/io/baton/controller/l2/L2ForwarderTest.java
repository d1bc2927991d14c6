package io.baton.controller.l2;

import io.baton.controller.engine.EngineCounters;
import io.baton.controller.engine.RecordingSouthbound;
import io.baton.controller.flows.Cookies;
import io.baton.controller.flows.FlowRuleFactory;
import io.baton.controller.packet.Frame;
import io.baton.controller.packet.FrameBuilder;
import io.baton.flowrules.api.FlowAction;
import io.baton.flowrules.api.FlowRule;
import io.baton.flowrules.api.Ipv4Address;
import io.baton.flowrules.api.MacAddress;
import io.baton.flowrules.api.SwitchId;
import io.baton.topology.HostTable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The rules toward hosts: when one is sent, sent again, and trusted to be in the switch. */
class L2ForwarderTest {
    private static final SwitchId SW = SwitchId.of(1);
    private static final MacAddress CLIENT = MacAddress.parse("00:00:00:00:00:01");
    private static final MacAddress OTHER = MacAddress.parse("00:00:00:00:00:02");

    private final RecordingSouthbound sb = new RecordingSouthbound(SW);
    private final HostTable hosts = new HostTable(1024);
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private L2Forwarder l2;

    @BeforeEach
    void setUp() {
        // Runs the switch's confirmations inline: the test thread is the engine thread.
        l2 = new L2Forwarder(sb, hosts, new FlowRuleFactory(10), new EngineCounters(), Map.of(), Runnable::run,
                now::get);
    }

    private List<FlowRule> rulesToward(MacAddress mac) {
        return sb.installed.stream().filter(r -> Cookies.kind(r.cookie()) == Cookies.Kind.L2
                && r.match().ethDst().equals(java.util.Optional.of(mac))).collect(java.util.stream.Collectors.toList());
    }

    private void advanceSeconds(long s) {
        now.addAndGet(TimeUnit.SECONDS.toNanos(s));
    }

    @Test
    void aRouteIsTrustedOnlyOnceConfirmedAndUntilItCouldHaveIdledOut() {
        sb.holdRules = true;
        l2.routeToClient(SW, CLIENT, 4);
        assertEquals(List.of(FlowAction.output(4)), rulesToward(CLIENT).get(0).actions());
        assertFalse(l2.routeConfirmed(SW, CLIENT, 4), "sent, not confirmed");
        sb.heldInstalls.poll().getValue().complete(null);
        assertTrue(l2.routeConfirmed(SW, CLIENT, 4));
        assertFalse(l2.routeConfirmed(SW, CLIENT, 5), "another port");
        assertFalse(l2.routeConfirmed(SW, OTHER, 4), "another host");
        assertFalse(l2.routeConfirmed(SwitchId.of(2), CLIENT, 4), "another switch");

        advanceSeconds(FlowRuleFactory.L2_IDLE_SECONDS - 61);
        assertTrue(l2.routeConfirmed(SW, CLIENT, 4));
        advanceSeconds(2);
        assertFalse(l2.routeConfirmed(SW, CLIENT, 4), "it may have idled out by now");
    }

    @Test
    void aRefusedRouteIsNeverTrusted() {
        sb.refuseRules = true;
        l2.routeToClient(SW, CLIENT, 4);
        assertFalse(l2.routeConfirmed(SW, CLIENT, 4));
    }

    @Test
    void aClientsSynsSendTheRouteAgainOnlyAfterTheRefreshTimeAndTrustOutlivesTheUnconfirmedRefresh() {
        l2.routeToClient(SW, CLIENT, 4);
        l2.routeToClient(SW, CLIENT, 4);
        assertEquals(1, rulesToward(CLIENT).size(), "sent once");
        advanceSeconds(61);
        sb.holdRules = true;
        l2.routeToClient(SW, CLIENT, 4);
        assertEquals(2, rulesToward(CLIENT).size(), "sent again, which restarts its idle time");
        assertTrue(l2.routeConfirmed(SW, CLIENT, 4), "the first copy is still in");
        advanceSeconds(200); // 261 s after the first copy was sent, 200 after the refresh
        assertFalse(l2.routeConfirmed(SW, CLIENT, 4), "the first copy may have idled out; the refresh is unconfirmed");
        sb.heldInstalls.poll().getValue().complete(null);
        assertTrue(l2.routeConfirmed(SW, CLIENT, 4), "trusted from the refresh's sending");
    }

    @Test
    void aHostThatMovedOrASwitchThatLeftHasNoTrustedRoute() {
        l2.routeToClient(SW, CLIENT, 4);
        l2.hostMoved(CLIENT);
        assertFalse(l2.routeConfirmed(SW, CLIENT, 4));
        l2.routeToClient(SW, CLIENT, 5);
        assertEquals(2, rulesToward(CLIENT).size(), "a new port is sent at once");
        assertTrue(l2.routeConfirmed(SW, CLIENT, 5));
        l2.forgetSwitch(SW);
        assertFalse(l2.routeConfirmed(SW, CLIENT, 5));
    }

    /**
     * A packet the switch sends up for a host whose rule was sent means that rule is not in (yet,
     * or any more: it idled out): sent again, unless just sent.
     */
    @Test
    void aPacketThatComesUpForAHostWithARuleSendsTheRuleAgainUnlessJustSent() {
        hosts.learn(OTHER, SW, 7);
        byte[] frame = FrameBuilder.tcp(CLIENT, OTHER, Ipv4Address.parse("10.0.0.1"), Ipv4Address.parse("10.0.0.2"),
                1000, 2000, 1, 0, Frame.TCP_ACK, 100, io.baton.controller.packet.TcpOptions.NONE, null);
        Frame f = Frame.parse(frame);
        l2.forward(SW, 3, f);
        l2.forward(SW, 3, f);
        assertEquals(1, rulesToward(OTHER).size(), "one rule for two packets a moment apart");
        assertEquals(2, sb.packets.size(), "both packets sent on");
        advanceSeconds(400); // the rule idled out
        l2.forward(SW, 3, f);
        assertEquals(2, rulesToward(OTHER).size(), "put back");
    }

    @Test
    void theRoutesKnownPerSwitchAreBoundedOldestForgottenFirst() {
        l2.routeToClient(SW, CLIENT, 4);
        for (int i = 0; i < L2Forwarder.MAX_ROUTES_PER_SWITCH; i++) {
            l2.routeToClient(SW, MacAddress.of(0x020000000000L + i), 1);
        }
        assertFalse(l2.routeConfirmed(SW, CLIENT, 4), "the oldest forgotten");
        assertTrue(l2.routeConfirmed(SW, MacAddress.of(0x020000000000L), 1));
    }

    @Test
    void noRouteTowardABroadcastOrUnknownMac() {
        l2.routeToClient(SW, MacAddress.parse("ff:ff:ff:ff:ff:ff"), 4);
        l2.routeToClient(SW, MacAddress.ZERO, 4);
        assertTrue(sb.installed.isEmpty());
    }
}
