package io.baton.controller.openflow;

import static io.baton.controller.openflow.RecordingListener.take;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.baton.flowrules.api.FlowAction;
import io.baton.flowrules.api.FlowMatch;
import io.baton.flowrules.api.FlowRemoved;
import io.baton.flowrules.api.FlowRule;
import io.baton.flowrules.api.FlowStatsEntry;
import io.baton.flowrules.api.Ipv4Address;
import io.baton.flowrules.api.MacAddress;
import io.baton.flowrules.api.Meter;
import io.baton.flowrules.api.PacketOut;
import io.baton.flowrules.api.SwitchId;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.projectfloodlight.openflow.types.OFPort;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The embedded controller against a real Open vSwitch (userspace datapath, as there is no OVS
 * kernel module here). Starts ovsdb-server and ovs-vswitchd if they are not running; each test
 * gets its own uniquely named bridge, always deleted afterwards. Fails, with the reason, if OVS
 * cannot be used at all. Run alone with {@code -Dgroups=ovs}; leave out with
 * {@code -DexcludedGroups=ovs}.
 */
@Tag("ovs")
class OvsIntegrationTest {
    private static final long PREFIX = 0xBA70_0000_0000_0000L;
    private static final long PREFIX_MASK = 0xFFFF_0000_0000_0000L;
    private static final long WAIT = 10_000;

    private static final MacAddress SERVER_MAC = MacAddress.parse("02:00:00:00:00:02");
    private static final MacAddress VIP_MAC = MacAddress.parse("02:00:00:00:00:fe");
    private static final Ipv4Address CLIENT = Ipv4Address.parse("10.0.0.1");
    private static final Ipv4Address VIP = Ipv4Address.parse("10.0.0.100");
    private static final Ipv4Address SERVER = Ipv4Address.parse("10.0.0.2");

    private OpenFlowController controller;
    private RecordingListener events;
    private String bridge;
    private SwitchId sw;

    // --------------------------------------------------------------------------- OVS set-up

    private static final class Result {
        final int exit;
        final String out;
        final String err;

        Result(int exit, String out, String err) {
            this.exit = exit;
            this.out = out;
            this.err = err;
        }

        @Override
        public String toString() {
            return "exit " + exit + (out.isBlank() ? "" : ", stdout: " + out.trim())
                    + (err.isBlank() ? "" : ", stderr: " + err.trim());
        }
    }

    private static Result run(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).start();
            p.getOutputStream().close();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            Thread t1 = pump(p.getInputStream(), out);
            Thread t2 = pump(p.getErrorStream(), err);
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Result(-1, "", "timed out: " + String.join(" ", cmd));
            }
            t1.join(1000);
            t2.join(1000);
            return new Result(p.exitValue(), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            return new Result(-1, "", "cannot run " + String.join(" ", cmd) + ": " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(-1, "", "interrupted");
        }
    }

    private static Thread pump(InputStream in, ByteArrayOutputStream sink) {
        Thread t = new Thread(() -> {
            try {
                in.transferTo(sink);
            } catch (IOException ignored) {
                // process ended
            }
        });
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static Result mustRun(String... cmd) {
        Result r = run(cmd);
        if (r.exit != 0) {
            fail(String.join(" ", cmd) + " failed: " + r);
        }
        return r;
    }

    @BeforeAll
    static void ensureOpenVSwitchRuns() {
        Result show = run("ovs-vsctl", "--timeout=5", "show");
        if (show.exit == 0) {
            return; // running already (perhaps started by someone else): use it
        }
        Result start = run("sh", "-c",
                "mkdir -p /var/run/openvswitch /etc/openvswitch"
                        + " && { [ -f /etc/openvswitch/conf.db ] || ovsdb-tool create /etc/openvswitch/conf.db"
                        + " /usr/share/openvswitch/vswitch.ovsschema; }"
                        + " && { ovs-appctl -t ovsdb-server version >/dev/null 2>&1"
                        + " || ovsdb-server --remote=punix:/var/run/openvswitch/db.sock --pidfile --detach; }"
                        + " && ovs-vsctl --no-wait init"
                        + " && { ovs-appctl -t ovs-vswitchd version >/dev/null 2>&1"
                        + " || ovs-vswitchd --pidfile --detach; }");
        Result again = run("ovs-vsctl", "--timeout=5", "show");
        if (again.exit != 0) {
            fail("Open vSwitch is not usable, so the OVS test cannot run. `ovs-vsctl show` said: " + show
                    + "; starting the daemons said: " + start + "; then `ovs-vsctl show` said: " + again
                    + ". Install openvswitch-switch and run as root, or leave this test out with -DexcludedGroups=ovs.");
        }
    }

    @BeforeEach
    void bridgeConnectedToTheController() throws Exception {
        controller = new OpenFlowController(OpenFlowControllerConfig.builder()
                .bindAddress("127.0.0.1").port(0).requestTimeout(Duration.ofSeconds(5)).build());
        events = new RecordingListener();
        controller.addListener(events);
        int port = controller.start().getPort();

        long dpid = 0xBA70_0000_0000L | (ThreadLocalRandom.current().nextInt() & 0xffff_ffffL);
        sw = SwitchId.of(dpid);
        bridge = String.format("bt%08x", dpid & 0xffff_ffffL);
        mustRun("ovs-vsctl", "--timeout=20", "add-br", bridge,
                "--", "set", "bridge", bridge, "datapath_type=netdev", "protocols=OpenFlow13", "fail_mode=secure",
                String.format("other-config:datapath-id=%016x", dpid), "other-config:disable-in-band=true",
                "--", "set-controller", bridge, "tcp:127.0.0.1:" + port);
        SwitchId up = events.ups.poll(WAIT, TimeUnit.MILLISECONDS);
        if (up == null) {
            fail("bridge " + bridge + " did not connect to the controller on port " + port + " within " + WAIT
                    + " ms; ovs-vsctl show: " + run("ovs-vsctl", "show"));
        }
        assertEquals(sw, up);
    }

    @AfterEach
    void deleteBridge() {
        try {
            if (bridge != null) {
                Result r = run("ovs-vsctl", "--timeout=20", "--if-exists", "del-br", bridge);
                if (r.exit != 0) {
                    fail("could not delete bridge " + bridge + ": " + r);
                }
            }
        } finally {
            controller.stop();
        }
    }

    private String dumpFlows() {
        return mustRun("ovs-ofctl", "-O", "OpenFlow13", "dump-flows", bridge).out;
    }

    // -------------------------------------------------------------------------------- rules

    private static FlowRule clientToServer() {
        return FlowRule.builder()
                .match(FlowMatch.builder().tcp().ipv4Src(CLIENT).ipv4Dst(VIP).tcpSrc(40000).tcpDst(80).build())
                .actions(FlowAction.setEthDst(SERVER_MAC), FlowAction.setIpv4Dst(SERVER), FlowAction.output(2))
                .priority(1000).cookie(PREFIX | 1).idleTimeoutSeconds(30)
                .build();
    }

    private static FlowRule serverToClient() {
        return FlowRule.builder()
                .match(FlowMatch.builder().tcp().ipv4Src(SERVER).ipv4Dst(CLIENT).tcpSrc(80).tcpDst(40000).build())
                .actions(FlowAction.setEthSrc(VIP_MAC), FlowAction.setIpv4Src(VIP), FlowAction.output(1))
                .priority(1000).cookie(PREFIX | 2).idleTimeoutSeconds(30)
                .build();
    }

    private static FlowRule tableMiss() {
        return FlowRule.builder().priority(0).cookie(PREFIX | 3).actions(FlowAction.toController()).build();
    }

    @Test
    void metersAreInstalledChangedAndNamedByRules() throws Exception {
        controller.installMeters(sw, List.of(new Meter(1, 2000, 200), new Meter(2, 9000, 900)))
                .get(WAIT, TimeUnit.MILLISECONDS);
        FlowRule syns = FlowRule.builder().priority(101).cookie(PREFIX | 4).meterId(1)
                .match(FlowMatch.builder().tcp().ipv4Dst(VIP).tcpDst(80).tcpFlags(0x002, 0x002).build())
                .actions(FlowAction.toController()).build();
        controller.installRules(sw, List.of(syns)).get(WAIT, TimeUnit.MILLISECONDS);
        String meters = mustRun("ovs-ofctl", "-O", "OpenFlow13", "dump-meters", bridge).out;
        assertTrue(meters.contains("meter=1 pktps burst stats bands=\ntype=drop rate=2000 burst_size=200"), meters);
        assertTrue(meters.contains("meter=2 pktps burst stats bands=\ntype=drop rate=9000 burst_size=900"), meters);
        String dump = dumpFlows();
        assertTrue(dump.contains("priority=101,tcp,nw_dst=10.0.0.100,tp_dst=80,tcp_flags=+syn actions=meter:1,CONTROLLER:65535"),
                dump);
        List<FlowStatsEntry> stats = controller.flowStats(sw, PREFIX | 4, -1L).get(WAIT, TimeUnit.MILLISECONDS);
        assertEquals(1, stats.size(), stats.toString());
        assertEquals(syns.match(), stats.get(0).match(), "the TCP flags read back from the switch");

        // A restarted controller installs them again: the switch has them, so they are changed,
        // and the rule that names meter 1 stays.
        controller.installMeters(sw, List.of(new Meter(1, 3000, 300))).get(WAIT, TimeUnit.MILLISECONDS);
        String changed = mustRun("ovs-ofctl", "-O", "OpenFlow13", "dump-meters", bridge).out;
        assertTrue(changed.contains("meter=1 pktps burst stats bands=\ntype=drop rate=3000 burst_size=300"), changed);
        assertTrue(dumpFlows().contains("actions=meter:1,CONTROLLER:65535"), "the metered rule is still there");

        // Taken away for good (meter 3 never existed): no meter left, nor the rule naming one.
        controller.removeMeters(sw, List.of(1L, 2L, 3L)).get(WAIT, TimeUnit.MILLISECONDS);
        String gone = mustRun("ovs-ofctl", "-O", "OpenFlow13", "dump-meters", bridge).out;
        assertFalse(gone.contains("meter="), gone);
        assertFalse(dumpFlows().contains("meter:1"), "a rule naming a deleted meter goes with it");
    }

    @Test
    void rulesAreInstalledReportedAndRemoved() throws Exception {
        List<FlowRule> rules = List.of(clientToServer(), serverToClient(), tableMiss());
        controller.installRules(sw, rules).get(WAIT, TimeUnit.MILLISECONDS);

        // as the switch reports them through OpenFlow
        List<FlowStatsEntry> stats = controller.flowStats(sw, PREFIX, PREFIX_MASK).get(WAIT, TimeUnit.MILLISECONDS);
        assertEquals(3, stats.size(), "flow stats: " + stats);
        Map<Long, FlowStatsEntry> byCookie = stats.stream()
                .collect(Collectors.toMap(FlowStatsEntry::cookie, Function.identity()));
        for (FlowRule r : rules) {
            FlowStatsEntry e = byCookie.get(r.cookie());
            assertTrue(e != null, "no stats entry for " + r);
            assertEquals(r.match(), e.match(), "match of " + r);
            assertEquals(r.priority(), e.priority());
            assertEquals(r.idleTimeoutSeconds(), e.idleTimeoutSeconds());
            assertEquals(r.hardTimeoutSeconds(), e.hardTimeoutSeconds());
        }

        // as ovs-ofctl shows them
        String dump = dumpFlows();
        assertTrue(dump.contains("cookie=0xba70000000000001,"), dump);
        assertTrue(dump.contains("idle_timeout=30, priority=1000,tcp,nw_src=10.0.0.1,nw_dst=10.0.0.100,tp_src=40000,tp_dst=80"
                + " actions=set_field:02:00:00:00:00:02->eth_dst,set_field:10.0.0.2->ip_dst,output:2"), dump);
        assertTrue(dump.contains("idle_timeout=30, priority=1000,tcp,nw_src=10.0.0.2,nw_dst=10.0.0.1,tp_src=80,tp_dst=40000"
                + " actions=set_field:02:00:00:00:00:fe->eth_src,set_field:10.0.0.100->ip_src,output:1"), dump);
        assertTrue(dump.contains("cookie=0xba70000000000003,"), dump);
        assertTrue(dump.contains("priority=0 actions=CONTROLLER:65535"), dump);

        // strict removal of one
        controller.removeRules(sw, List.of(clientToServer())).get(WAIT, TimeUnit.MILLISECONDS);
        List<FlowStatsEntry> after = controller.flowStats(sw, PREFIX, PREFIX_MASK).get(WAIT, TimeUnit.MILLISECONDS);
        assertEquals(List.of(PREFIX | 2, PREFIX | 3),
                after.stream().map(FlowStatsEntry::cookie).sorted().collect(Collectors.toList()));
        assertFalse(dumpFlows().contains("cookie=0xba70000000000001,"));

        // removal of the rest by cookie
        controller.removeRulesByCookie(sw, PREFIX, PREFIX_MASK).get(WAIT, TimeUnit.MILLISECONDS);
        assertTrue(controller.flowStats(sw, PREFIX, PREFIX_MASK).get(WAIT, TimeUnit.MILLISECONDS).isEmpty());
        String emptied = dumpFlows();
        assertFalse(emptied.contains("cookie=0xba70"), emptied);
        assertEquals(5, controller.counters().flowMods()); // 3 adds, 1 strict delete, 1 delete by cookie
    }

    @Test
    void anIdleRuleIsReportedRemovedWithReasonIdleTimeout() throws Exception {
        FlowRule idle = FlowRule.builder()
                .match(FlowMatch.builder().tcp().ipv4Dst(VIP).tcpDst(8080).build())
                .actions(FlowAction.output(2))
                .priority(500).cookie(PREFIX | 0x1d1e).idleTimeoutSeconds(1).notifyOnRemoval(true)
                .build();
        long installed = System.nanoTime();
        controller.installRules(sw, List.of(idle)).get(WAIT, TimeUnit.MILLISECONDS);

        RecordingListener.Removed r = take(events.removals, WAIT, "flowRemoved");
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - installed);
        assertEquals(sw, r.sw);
        FlowRemoved fr = r.removed;
        assertEquals(FlowRemoved.Reason.IDLE_TIMEOUT, fr.reason());
        assertEquals(PREFIX | 0x1d1e, fr.cookie());
        assertEquals(500, fr.priority());
        assertEquals(idle.match(), fr.match());
        assertEquals(0, fr.packetCount());
        assertTrue(millis >= 900, "removed after " + millis + " ms");
        assertEquals(1, controller.counters().flowRemoved());
    }

    @Test
    void aPacketOutToTheControllerComesBackAsAPacketIn() throws Exception {
        byte[] frame = new byte[64];
        VIP_MAC.writeTo(frame, 0);
        SERVER_MAC.writeTo(frame, 6);
        frame[12] = (byte) 0x88; // a local experimental ethertype: nothing else on the bridge uses it
        frame[13] = (byte) 0xb5;
        for (int i = 14; i < frame.length; i++) {
            frame[i] = (byte) i;
        }
        controller.sendPacket(sw, PacketOut.of(PacketOut.FROM_CONTROLLER, frame, List.of(FlowAction.toController())));

        RecordingListener.PacketIn pi = take(events.packetIns, WAIT, "packetIn");
        assertEquals(sw, pi.sw);
        assertEquals(OFPort.CONTROLLER.getPortNumber(), pi.inPort);
        assertArrayEquals(frame, pi.frame, "whole frame back (miss_send_len and max_len 0xffff)");
        // The packet-out is counted when its write completes, on the switch's I/O thread, which
        // is not ordered with the listener's delivery: wait for the counters rather than race them.
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT);
        while (controller.counters().packetOuts() < 1 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertEquals(1, controller.counters().packetOuts());
        assertEquals(1, controller.counters().packetIns());
    }

    @Test
    void aRuleOpenVSwitchRejectsFailsTheInstallWithItsError() throws Exception {
        // setting ipv4_dst on a rule that does not match IPv4 breaks OpenFlow's prerequisites
        FlowRule bad = FlowRule.builder().priority(10).cookie(PREFIX | 0xbad)
                .actions(FlowAction.setIpv4Dst(SERVER), FlowAction.output(2)).build();
        FlowRule good = FlowRule.builder().priority(11).cookie(PREFIX | 0x600d)
                .match(FlowMatch.builder().inPort(1).build()).actions(FlowAction.output(2)).build();
        try {
            controller.installRules(sw, List.of(good, bad)).get(WAIT, TimeUnit.MILLISECONDS);
            fail("OVS accepted " + bad);
        } catch (ExecutionException e) {
            OpenFlowErrorException err = assertInstanceOf(OpenFlowErrorException.class, e.getCause());
            assertTrue(err.getMessage().contains("cookie=0xba70000000000bad"), err.getMessage());
            assertEquals(1, controller.counters().errors());
        }
        // no transaction in OpenFlow: the good rule of the batch is there, the bad one is not
        List<Long> cookies = new ArrayList<>();
        for (FlowStatsEntry e : controller.flowStats(sw, PREFIX, PREFIX_MASK).get(WAIT, TimeUnit.MILLISECONDS)) {
            cookies.add(e.cookie());
        }
        cookies.sort(Comparator.naturalOrder());
        assertEquals(List.of(PREFIX | 0x600d), cookies);
    }
}
