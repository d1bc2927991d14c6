package io.baton.karaf;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.projectfloodlight.openflow.exceptions.OFParseError;
import org.projectfloodlight.openflow.protocol.OFFactories;
import org.projectfloodlight.openflow.protocol.OFMessage;
import org.projectfloodlight.openflow.protocol.OFType;
import org.projectfloodlight.openflow.protocol.OFVersion;

import java.io.DataInputStream;
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
 *       the five Baton bundles and the wrapped openflowj are Active.</li>
 *   <li>The OpenFlow port speaks OpenFlow 1.3 (HELLO, then FEATURES_REQUEST, decoded with
 *       openflowj); {@code GET /api/v1/stats} answers 200 with the token and 401 without; every
 *       socket Karaf listens on is a loopback one.</li>
 *   <li>{@code feature:uninstall}: ports closed, no Baton thread left, no Baton bundle left.</li>
 *   <li>Installed again (a second activation in the same JVM works: nothing static or leaked is
 *       in the way), then Karaf is stopped ({@code bin/stop}): its JVM exits and the OpenFlow port
 *       is closed.</li>
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

            expectOk(karaf.client("feature:uninstall baton-standalone"));
            for (int port : List.of(openflowPort, handoffPort, restPort)) {
                KarafInstance.awaitPort(port, false, SETTLE);
            }
            assertBatonThreads(karaf, false);
            String left = karaf.client("bundle:list -s -t 0 --no-format").output;
            assertTrue(BATON_BUNDLES.stream().noneMatch(left::contains), "Baton bundles left:\n" + left);

            expectOk(karaf.client("feature:install baton-standalone"));
            KarafInstance.awaitPort(openflowPort, true, SETTLE);
            assertOpenFlowHandshake();

            karaf.stop(SETTLE);
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

    private static void assertBundlesActive(KarafInstance karaf) throws Exception {
        List<String> wanted = new ArrayList<>(BATON_BUNDLES);
        wanted.add(OPENFLOWJ_BUNDLE);
        long deadline = System.nanoTime() + SETTLE.toNanos();
        String listing;
        List<String> notActive;
        do {
            // --no-format: one bundle a line, columns separated by tabs (ID, State, Lvl, Version, Name).
            listing = karaf.client("bundle:list -s -t 0 --no-format").output;
            List<String> lines = listing.lines().collect(Collectors.toList());
            notActive = new ArrayList<>();
            for (String bsn : wanted) {
                boolean active = lines.stream().map(l -> l.split("\t"))
                        .anyMatch(cols -> cols.length >= 5 && cols[4].trim().equals(bsn) && cols[1].trim().equals("Active"));
                if (!active) {
                    notActive.add(bsn);
                }
            }
            if (notActive.isEmpty()) {
                return;
            }
            Thread.sleep(500);
        } while (System.nanoTime() < deadline);
        fail("bundles not Active: " + notActive + "\n" + listing);
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
        DataInputStream in = new DataInputStream(stream);
        byte[] header = new byte[8];
        in.readFully(header);
        int length = ((header[2] & 0xff) << 8) | (header[3] & 0xff);
        byte[] message = new byte[length];
        System.arraycopy(header, 0, message, 0, 8);
        in.readFully(message, 8, length - 8);
        try {
            return OFFactories.getGenericReader().readFrom(Unpooled.wrappedBuffer(message));
        } catch (OFParseError e) {
            throw new AssertionError("controller sent an unparseable OpenFlow message", e);
        }
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
