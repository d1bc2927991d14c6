package io.baton.karaf;

import io.baton.controller.flows.Cookies;
import io.baton.controller.flows.FlowRuleFactory;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.projectfloodlight.openflow.protocol.OFFactories;
import org.projectfloodlight.openflow.protocol.OFFlowMod;
import org.projectfloodlight.openflow.protocol.OFFlowModCommand;
import org.projectfloodlight.openflow.protocol.OFMessage;
import org.projectfloodlight.openflow.protocol.OFType;
import org.projectfloodlight.openflow.protocol.OFVersion;
import org.projectfloodlight.openflow.types.TableId;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * baton-standalone in a real Apache Karaf (apache-karaf-minimal, unpacked by the build).
 *
 * <p>Test plan:
 * <ol>
 *   <li>Karaf, copied afresh, listens on loopback only (SSH on a free port) and resolves
 *       {@code mvn:} URLs from the system folder and the repository the build filled with the
 *       feature's bundles (the reactor's jars as just built): no network.</li>
 *   <li>{@code etc/io.baton.controller.cfg} names a JSON config (free loopback ports) before Karaf
 *       starts, as a user would set it up.</li>
 *   <li>{@code feature:repo-add} the built features file, {@code feature:install baton-standalone}:
 *       every bundle in Karaf is Active (fragments excepted), the five Baton bundles and the wrapped
 *       openflowj among them.</li>
 *   <li>The OpenFlow port speaks OpenFlow 1.3 (HELLO, then FEATURES_REQUEST, decoded with
 *       openflowj); {@code GET /api/v1/stats} answers 200 with the token and 401 without; every
 *       socket Karaf listens on is a loopback one.</li>
 *   <li>An emulated switch ({@link EmulatedSwitch}) connects and stays; it receives Baton's base
 *       rules (table-miss and VIP intercept, ADD flow-mods with Baton's cookie).</li>
 *   <li>{@code feature:uninstall}: before the controller closes the switch's connection, the switch
 *       gets a DELETE flow-mod for Baton's cookie under Baton's app mask in every table, then a
 *       barrier it answers, and Karaf's log says the controller saw that answer. Then: ports
 *       closed, no Baton thread left, no Baton bundle left.</li>
 *   <li>Installed again (a second activation in the same JVM works: nothing static or leaked is
 *       in the way), an emulated switch gets the base rules again, then Karaf is stopped
 *       ({@code bin/stop}): the switch is let go without any DELETE (a framework shutdown is a
 *       restart: handed-off connections keep their rules), its JVM exits and the OpenFlow port is
 *       closed.</li>
 *   <li>Karaf started again: the installed feature comes back by itself and the OpenFlow port
 *       answers; stopped again.</li>
 * </ol>
 * Whatever happens, Karaf's JVM is killed at the end (by pid, through its Process).
 */
@Tag("karaf")
class KarafStandaloneIT {
    private static final Duration BOOT = Duration.ofSeconds(60);
    private static final Duration SETTLE = Duration.ofSeconds(20);
    private static final List<String> BATON_BUNDLES = List.of("io.baton.flow-rules", "io.baton.dispatcher",
            "io.baton.topology", "io.baton.handoff-protocol", "io.baton.controller-app");
    private static final String OPENFLOWJ_BUNDLE = "org.projectfloodlight.openflowj";
    private static final long DPID = 0xBA7051L;
    /**
     * Thread names the controller's parts give (engine, OpenFlow, REST workers) or get from Netty
     * (handoff) and from the JDK's HTTP server (REST).
     */
    private static final List<String> BATON_THREAD_PREFIXES = List.of("baton-", "nioEventLoopGroup-",
            "HTTP-Dispatcher");

    private final int openflowPort;
    private final int handoffPort;
    private final int restPort;
    private final String token = "it-token-" + Long.toHexString(System.nanoTime());

    KarafStandaloneIT() throws IOException {
        Set<Integer> ports = new TreeSet<>();
        while (ports.size() < 3) {
            ports.add(KarafInstance.freePort());
        }
        List<Integer> p = new ArrayList<>(ports);
        openflowPort = p.get(0);
        handoffPort = p.get(1);
        restPort = p.get(2);
    }

    @Test
    void featureInstallsRunsTheControllerAndUninstallsCleanly() throws Exception {
        Path features = property("baton.it.features");
        KarafInstance karaf = KarafInstance.prepare(property("baton.it.karafDistribution"),
                property("baton.it.work"), property("baton.it.repository"));
        writeBatonConfig(karaf);
        boolean passed = false;
        try {
            karaf.start();
            karaf.awaitShell(BOOT);

            expectOk(karaf.client("feature:repo-add " + features.toUri()));
            expectOk(karaf.client("feature:install baton-standalone"));
            assertBundlesActive(karaf);
            KarafInstance.awaitPort(openflowPort, true, SETTLE);

            assertOpenFlowHandshake();
            assertRestAnswers();
            assertOnlyLoopbackListeners(karaf);
            assertBatonThreads(karaf, true);

            try (EmulatedSwitch sw = EmulatedSwitch.connect(KarafInstance.LOOPBACK, openflowPort, DPID)) {
                awaitBaseRules(sw);
                expectOk(karaf.client("feature:uninstall baton-standalone"));
                assertBatonRulesDeletedBeforeClose(sw, karaf);
            }
            for (int port : List.of(openflowPort, handoffPort, restPort)) {
                KarafInstance.awaitPort(port, false, SETTLE);
            }
            assertBatonThreads(karaf, false);
            String left = karaf.client("bundle:list -s -t 0 --no-format").output;
            assertTrue(BATON_BUNDLES.stream().noneMatch(left::contains), "Baton bundles left:\n" + left);

            expectOk(karaf.client("feature:install baton-standalone"));
            KarafInstance.awaitPort(openflowPort, true, SETTLE);
            assertOpenFlowHandshake();

            try (EmulatedSwitch sw = EmulatedSwitch.connect(KarafInstance.LOOPBACK, openflowPort, DPID)) {
                awaitBaseRules(sw);
                karaf.stop(SETTLE);
                assertBatonRulesKept(sw);
            }
            assertTrue(!KarafInstance.accepts(openflowPort), "OpenFlow port open after Karaf stopped");

            // Installed features survive a restart; the controller bundle starts after Jersey's.
            karaf.start();
            KarafInstance.awaitPort(openflowPort, true, BOOT);
            assertOpenFlowHandshake();
            karaf.stop(SETTLE);
            assertTrue(!KarafInstance.accepts(openflowPort), "OpenFlow port open after Karaf stopped");
            passed = true;
        } finally {
            if (!passed) {
                System.err.println("KarafStandaloneIT failed; karaf.log ends with:\n" + karaf.logTail(60));
            }
            karaf.close();
        }
    }

    private void writeBatonConfig(KarafInstance karaf) throws IOException {
        String loopback = KarafInstance.LOOPBACK.getHostAddress();
        karaf.writeEtc("baton.json", "{\"openflow\": {\"address\": \"" + loopback + "\", \"port\": " + openflowPort + "},\n"
                + " \"handoff\": {\"address\": \"" + loopback + "\", \"port\": " + handoffPort
                + ", \"secretFile\": \"baton.secret\"},\n"
                + " \"rest\": {\"address\": \"" + loopback + "\", \"port\": " + restPort + ", \"tokenFile\": \"baton.token\"},\n"
                + " \"services\": [{\"name\": \"web\", \"vip\": \"10.0.0.100\", \"port\": 80, \"mode\": \"nat\",\n"
                + "   \"pools\": [{\"name\": \"static\", \"policy\": \"round-robin\", \"servers\": [\"10.0.0.11\"]}],\n"
                + "   \"defaultPool\": \"static\"}]}\n");
        writeSecret(karaf.etc().resolve("baton.secret"), "it-secret-" + System.nanoTime());
        writeSecret(karaf.etc().resolve("baton.token"), token);
        // Relative to Karaf's etc folder; Configuration Admin gets it through Felix fileinstall.
        karaf.writeEtc("io.baton.controller.cfg", "configFile = baton.json\n");
    }

    private static void writeSecret(Path file, String value) throws IOException {
        Files.writeString(file, value + "\n", StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    }

    /**
     * Every bundle in Karaf is Active once the feature is in, Baton's and openflowj among them: the
     * feature's Netty, Jersey, HK2, Gson, Guava and scr as well as Karaf's own. A fragment cannot
     * start and stays Resolved (Karaf's features extension is one): it is told apart by its
     * Fragment-Host header.
     */
    private static void assertBundlesActive(KarafInstance karaf) throws Exception {
        List<String> wanted = new ArrayList<>(BATON_BUNDLES);
        wanted.add(OPENFLOWJ_BUNDLE);
        long deadline = System.nanoTime() + SETTLE.toNanos();
        String listing;
        List<String> notActive;
        do {
            // --no-format: one bundle a line, columns separated by tabs (ID, State, Lvl, Version, Name).
            listing = karaf.client("bundle:list -s -t 0 --no-format").output;
            List<String[]> bundles = listing.lines().map(l -> l.split("\t")).filter(cols -> cols.length >= 5
                    && cols[0].trim().matches("\\d+")).collect(Collectors.toList());
            notActive = new ArrayList<>();
            for (String bsn : wanted) {
                if (bundles.stream().noneMatch(cols -> cols[4].trim().equals(bsn) && cols[1].trim().equals("Active"))) {
                    notActive.add(bsn);
                }
            }
            for (String[] cols : bundles) {
                if (!cols[1].trim().equals("Active") && !isFragment(karaf, cols[0].trim())) {
                    notActive.add(cols[4].trim() + " (" + cols[1].trim() + ")");
                }
            }
            if (notActive.isEmpty()) {
                assertTrue(bundles.size() > 40, "the whole list was read:\n" + listing);
                return;
            }
            Thread.sleep(500);
        } while (System.nanoTime() < deadline);
        fail("bundles not Active: " + notActive + "\n" + listing);
    }

    private static boolean isFragment(KarafInstance karaf, String bundleId) throws Exception {
        return karaf.client("bundle:headers " + bundleId).output.contains("Fragment-Host");
    }

    /** Sends HELLO for 1.3 and expects the controller's HELLO, then its FEATURES_REQUEST. */
    private void assertOpenFlowHandshake() throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(KarafInstance.LOOPBACK, openflowPort), 2000);
            s.setSoTimeout(5000);
            ByteBuf hello = Unpooled.buffer();
            OFFactories.getFactory(OFVersion.OF_13).buildHello().setXid(1).build().writeTo(hello);
            byte[] out = new byte[hello.readableBytes()];
            hello.readBytes(out);
            s.getOutputStream().write(out);
            s.getOutputStream().flush();

            DataInputStream in = new DataInputStream(s.getInputStream());
            OFMessage first = readMessage(in);
            assertEquals(OFType.HELLO, first.getType(), "first message from the controller");
            OFMessage second = readMessage(in);
            assertEquals(OFType.FEATURES_REQUEST, second.getType(), "after HELLO");
            assertEquals(OFVersion.OF_13, second.getVersion());
        }
    }

    private static OFMessage readMessage(InputStream stream) throws IOException {
        OFMessage m = EmulatedSwitch.readMessage(stream);
        if (m == null) {
            throw new EOFException("controller closed the connection");
        }
        return m;
    }

    private static boolean isBaton(OFFlowMod f) {
        return (f.getCookie().getValue() & Cookies.APP_MASK) == Cookies.APP;
    }

    /** The rules every switch gets on connecting: table-miss to the controller and the VIP's intercept. */
    private static void awaitBaseRules(EmulatedSwitch sw) throws InterruptedException {
        sw.awaitFlowMod(f -> f.getCommand() == OFFlowModCommand.ADD && isBaton(f)
                && f.getPriority() == FlowRuleFactory.PRIORITY_TABLE_MISS, SETTLE, "table-miss rule");
        sw.awaitFlowMod(f -> f.getCommand() == OFFlowModCommand.ADD && isBaton(f)
                && f.getPriority() == FlowRuleFactory.PRIORITY_VIP_INTERCEPT, SETTLE, "VIP intercept rule");
    }

    /**
     * Taking Baton away deletes its rules while the switch is still connected: a DELETE of every
     * rule under Baton's cookie and app mask in every table, confirmed by a barrier the switch
     * answered and the controller received, and only then the connection closed.
     */
    private static void assertBatonRulesDeletedBeforeClose(EmulatedSwitch sw, KarafInstance karaf) throws Exception {
        assertTrue(sw.awaitClosedByController(SETTLE), "the controller let the switch go: " + sw.readError());
        List<OFMessage> got = sw.received();
        int delete = -1;
        for (int i = 0; i < got.size() && delete < 0; i++) {
            if (got.get(i).getType() == OFType.FLOW_MOD) {
                OFFlowMod f = (OFFlowMod) got.get(i);
                if (f.getCommand() == OFFlowModCommand.DELETE && f.getCookie().getValue() == Cookies.APP
                        && f.getCookieMask().getValue() == Cookies.APP_MASK && f.getTableId().equals(TableId.ALL)) {
                    delete = i;
                }
            }
        }
        assertTrue(delete >= 0, "no DELETE of Baton's rules before the connection closed: "
                + EmulatedSwitch.describe(got));
        OFMessage barrier = got.subList(delete, got.size()).stream()
                .filter(m -> m.getType() == OFType.BARRIER_REQUEST).findFirst()
                .orElseThrow(() -> new AssertionError("no barrier after the DELETE: " + EmulatedSwitch.describe(got)));
        assertTrue(sw.answeredBarrier(barrier.getXid()), "the switch answered barrier " + barrier.getXid());
        assertTrue(karaf.awaitLog("Baton's rules removed from 1 of 1 switch", SETTLE),
                "the controller saw the barrier reply before closing; karaf.log ends with:\n" + karaf.logTail(200));
    }

    /** A framework shutdown is a restart: the switch is let go with every Baton rule in place. */
    private static void assertBatonRulesKept(EmulatedSwitch sw) throws InterruptedException {
        assertTrue(sw.awaitClosedByController(SETTLE), "the switch was let go when Karaf stopped: " + sw.readError());
        List<OFMessage> got = sw.received();
        boolean deleted = got.stream().filter(m -> m.getType() == OFType.FLOW_MOD).map(m -> (OFFlowMod) m)
                .anyMatch(f -> (f.getCommand() == OFFlowModCommand.DELETE || f.getCommand() == OFFlowModCommand.DELETE_STRICT)
                        && (f.getCookieMask().getValue() & Cookies.APP_MASK) != 0
                        && (f.getCookie().getValue() & Cookies.APP_MASK) == Cookies.APP);
        assertTrue(!deleted, "Karaf's shutdown deleted Baton's rules: " + EmulatedSwitch.describe(got));
    }

    private void assertRestAnswers() throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        URI stats = URI.create("http://" + KarafInstance.LOOPBACK.getHostAddress() + ":" + restPort + "/api/v1/stats");
        HttpResponse<String> ok = http.send(HttpRequest.newBuilder(stats).timeout(Duration.ofSeconds(5))
                .header("Authorization", "Bearer " + token).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, ok.statusCode(), ok.body());
        assertTrue(ok.body().trim().startsWith("{"), "stats is a JSON object: " + ok.body());
        HttpResponse<String> anonymous = http.send(HttpRequest.newBuilder(stats).timeout(Duration.ofSeconds(5))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(401, anonymous.statusCode(), anonymous.body());
    }

    private void assertOnlyLoopbackListeners(KarafInstance karaf) throws IOException {
        if (!ProcessSockets.supported()) {
            System.err.println("KarafStandaloneIT: no /proc/net/tcp here; listening addresses not checked");
            return;
        }
        List<InetSocketAddress> listening = ProcessSockets.listening(karaf.pid());
        List<Integer> ports = listening.stream().map(InetSocketAddress::getPort).collect(Collectors.toList());
        assertTrue(ports.containsAll(List.of(openflowPort, handoffPort, restPort)),
                "Baton's listeners among Karaf's: " + listening);
        List<InetSocketAddress> outside = listening.stream().filter(a -> !a.getAddress().isLoopbackAddress())
                .collect(Collectors.toList());
        assertTrue(outside.isEmpty(), "Karaf listens beyond loopback: " + outside);
    }

    /**
     * Baton's threads by name, from a thread dump of Karaf's JVM ({@code jcmd Thread.print}); present
     * while the controller runs, all gone within {@link #SETTLE} after it stops.
     */
    private static void assertBatonThreads(KarafInstance karaf, boolean present) throws Exception {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        if (!Files.isExecutable(jcmd)) {
            System.err.println("KarafStandaloneIT: no jcmd in " + jcmd.getParent() + "; threads not checked");
            return;
        }
        long deadline = System.nanoTime() + SETTLE.toNanos();
        List<String> baton;
        do {
            baton = batonThreads(jcmd, karaf.pid());
            if (present == !baton.isEmpty() && (!present || baton.stream().anyMatch(n -> n.equals("baton-engine")))) {
                return;
            }
            Thread.sleep(500);
        } while (System.nanoTime() < deadline);
        fail(present ? "no Baton engine thread in Karaf: " + baton : "Baton threads left after uninstall: " + baton);
    }

    private static List<String> batonThreads(Path jcmd, long pid) throws Exception {
        Process p = new ProcessBuilder(jcmd.toString(), Long.toString(pid), "Thread.print")
                .redirectErrorStream(true).start();
        String dump = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        assertEquals(0, p.exitValue(), "jcmd Thread.print:\n" + dump);
        return dump.lines().filter(l -> l.startsWith("\""))
                .map(l -> l.substring(1, l.indexOf('"', 1)))
                .filter(name -> BATON_THREAD_PREFIXES.stream().anyMatch(name::startsWith))
                .collect(Collectors.toList());
    }

    private static void expectOk(KarafInstance.ClientResult result) {
        assertTrue(result.ok(), result.toString());
    }

    private static Path property(String name) {
        String value = System.getProperty(name);
        if (value == null) {
            throw new IllegalStateException(name + " is not set: run this test through Maven (README, Apache Karaf)");
        }
        return Path.of(value);
    }
}
