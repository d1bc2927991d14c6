package io.baton.onos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.baton.controller.config.ConfigStore;
import io.baton.controller.flows.Cookies;
import io.baton.controller.rest.MetricsResource;
import io.baton.controller.rest.ServicesResource;
import io.baton.controller.rest.StatusResource;
import io.baton.handoff.protocol.SecretFile;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.glassfish.jersey.jdkhttp.JdkHttpHandlerContainer;
import org.glassfish.jersey.server.ContainerFactory;
import org.glassfish.jersey.server.ResourceConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.onosproject.TestApplicationId;
import org.onosproject.net.DeviceId;

/**
 * Plan: Baton's running parts inside ONOS, with ONOS's services faked and the web container
 * replaced by a publisher that captures the JAX-RS application. Start wires the southbound,
 * the handoff listener and the REST application (the standalone controller's resources, served
 * here by Jersey to check they answer); close undoes all of it and removes Baton's rules.
 */
class OnosRuntimeTest {
    @TempDir
    Path dir;

    final FakePacketService packets = new FakePacketService();
    final FakeFlowRuleService flows = new FakeFlowRuleService();
    final FakeDeviceService devices = new FakeDeviceService();
    final OnosServices onos = new OnosServices(TestApplicationId.create("io.baton.onos"), packets, flows, devices);
    final List<ResourceConfig> published = new ArrayList<>();
    final List<ResourceConfig> withdrawn = new ArrayList<>();
    final RestPublisher web = app -> {
        published.add(app);
        return () -> withdrawn.add(app);
    };

    private OnosRuntime start(TestFiles f) throws Exception {
        return OnosRuntime.start(ConfigStore.open(f.config), SecretFile.read(f.secret),
                BatonOnosApp.readToken(f.token), onos, web);
    }

    @Test
    void theRestApplicationHasTheStandaloneControllersResourcesAndAnswers() throws Exception {
        TestFiles f = new TestFiles(dir);
        try (OnosRuntime runtime = start(f)) {
            assertEquals(1, published.size());
            Set<Class<?>> resources = published.get(0).getInstances().stream().map(Object::getClass)
                    .collect(Collectors.toSet());
            assertTrue(resources.containsAll(Set.of(StatusResource.class, ServicesResource.class, MetricsResource.class)),
                    resources.toString());

            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 4);
            server.createContext("/onos/baton", ContainerFactory.createContainer(JdkHttpHandlerContainer.class,
                    published.get(0)));
            server.start();
            try {
                String base = "http://127.0.0.1:" + server.getAddress().getPort() + "/onos/baton/api/v1/stats";
                HttpClient http = HttpClient.newHttpClient();
                HttpResponse<String> ok = http.send(HttpRequest.newBuilder(URI.create(base))
                        .header("Authorization", "Bearer " + TestFiles.TOKEN).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(200, ok.statusCode(), ok.body());
                assertTrue(ok.body().contains("\"switches\""), ok.body());
                HttpResponse<String> denied = http.send(HttpRequest.newBuilder(URI.create(base)).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(401, denied.statusCode(), "the bearer token is required as on the standalone controller");
                assertEquals(1, runtime.restCounters().unauthorized.sum(), "counted in the runtime's REST counters");
            } finally {
                server.stop(0);
            }
        }
    }

    @Test
    void startListensForAgentsAndCloseUndoesEverything() throws Exception {
        TestFiles f = new TestFiles(dir);
        DeviceId dev = DeviceId.deviceId("of:0000000000000001");
        OnosRuntime runtime = start(f);
        try (Socket agent = new Socket("127.0.0.1", f.handoffPort)) {
            assertTrue(agent.isConnected(), "the handoff channel listens");
        }
        devices.add(dev);
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (flows.entries.size() < 3 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertEquals(3, flows.entries.size(), "base rules in ONOS: table-miss, SYNs, VIP");
        assertEquals(1, packets.processors.size());

        runtime.close();
        assertEquals(published, withdrawn, "REST withdrawn");
        assertTrue(flows.entries.isEmpty(), "every Baton rule removed from the switch");
        assertTrue(flows.removed().stream().allMatch(r -> Cookies.isBaton(r.id().value())));
        assertTrue(packets.processors.isEmpty());
        assertEquals(packets.requests.size(), packets.cancelled.size());
        assertTrue(flows.listeners.isEmpty() && devices.listeners.isEmpty());
        assertThrows(java.io.IOException.class, () -> new Socket("127.0.0.1", f.handoffPort).close(),
                "the handoff listener is closed");
    }

    @Test
    void aRefusingWebContainerLeavesNothingRunning() throws Exception {
        TestFiles f = new TestFiles(dir);
        RestPublisher refusing = app -> {
            throw new IllegalStateException("alias taken");
        };
        assertThrows(IllegalStateException.class, () -> OnosRuntime.start(ConfigStore.open(f.config),
                SecretFile.read(f.secret), BatonOnosApp.readToken(f.token), onos, refusing));
        assertTrue(packets.processors.isEmpty());
        assertThrows(java.io.IOException.class, () -> new Socket("127.0.0.1", f.handoffPort).close());
    }

    @Test
    void packetRequestsAreArpAndEachServicesVipAndPort() throws Exception {
        TestFiles f = new TestFiles(dir);
        assertEquals(List.of(io.baton.flowrules.api.FlowMatch.builder().ethType(0x0806).build(),
                io.baton.flowrules.api.FlowMatch.builder().tcp()
                        .ipv4Dst(io.baton.flowrules.api.Ipv4Address.parse("10.0.0.100")).tcpDst(80).build()),
                OnosRuntime.intercepts(ConfigStore.open(f.config).current().services()));
    }
}
