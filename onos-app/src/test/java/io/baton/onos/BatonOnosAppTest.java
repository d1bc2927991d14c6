package io.baton.onos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import org.glassfish.jersey.servlet.ServletContainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.onosproject.TestApplicationId;
import org.onosproject.cfg.ComponentConfigAdapter;
import org.onosproject.core.ApplicationId;
import org.onosproject.core.CoreServiceAdapter;
import org.osgi.service.component.ComponentContext;
import org.osgi.service.http.HttpService;

/**
 * Plan: the component's lifecycle as SCR drives it, with ONOS's services faked: it registers its
 * app id and config properties, idles without a config file, starts Baton (REST at /onos/baton)
 * when given one, restarts on a change, stays up but idle on a bad file, and undoes everything on
 * deactivation. And the Declarative Services descriptor bnd wrote is the one SCR will read.
 */
class BatonOnosAppTest {
    @TempDir
    Path dir;

    final List<String> registeredApps = new ArrayList<>();
    final List<String> configEvents = new ArrayList<>();
    final List<String> http = new ArrayList<>();
    final FakePacketService packets = new FakePacketService();
    final FakeFlowRuleService flows = new FakeFlowRuleService();
    final FakeDeviceService devices = new FakeDeviceService();

    private BatonOnosApp app() {
        BatonOnosApp app = new BatonOnosApp();
        app.coreService = new CoreServiceAdapter() {
            @Override
            public ApplicationId registerApplication(String name) {
                registeredApps.add(name);
                return TestApplicationId.create(name);
            }
        };
        app.configService = new ComponentConfigAdapter() {
            @Override
            public void registerProperties(Class<?> c) {
                configEvents.add("register " + c.getName());
            }

            @Override
            public void unregisterProperties(Class<?> c, boolean clear) {
                configEvents.add("unregister " + c.getName());
            }
        };
        app.packetService = packets;
        app.flowRuleService = flows;
        app.deviceService = devices;
        app.httpService = (HttpService) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {HttpService.class},
                (proxy, m, args) -> {
                    if (m.getName().equals("registerServlet")) {
                        assertTrue(args[1] instanceof ServletContainer, "Jersey's servlet");
                        http.add("register " + args[0]);
                    } else if (m.getName().equals("unregister")) {
                        http.add("unregister " + args[0]);
                    }
                    return null;
                });
        return app;
    }

    private static ComponentContext context(String configFile) {
        Dictionary<String, Object> props = new Hashtable<>();
        props.put(BatonOnosApp.CONFIG_FILE, configFile);
        props.put(BatonOnosApp.SECRET_FILE, "");
        props.put(BatonOnosApp.TOKEN_FILE, "");
        return (ComponentContext) Proxy.newProxyInstance(BatonOnosAppTest.class.getClassLoader(),
                new Class<?>[] {ComponentContext.class}, (proxy, m, args) -> {
                    if (m.getName().equals("getProperties")) {
                        return props;
                    }
                    throw new UnsupportedOperationException(m.getName());
                });
    }

    @Test
    void withoutAConfigFileItIsActiveButIdle() {
        BatonOnosApp app = app();
        app.activate(context(""));
        assertEquals(List.of(BatonOnosApp.APP_NAME), registeredApps);
        assertEquals(List.of("register io.baton.onos.BatonOnosApp"), configEvents);
        assertTrue(packets.processors.isEmpty(), "nothing started");
        assertTrue(http.isEmpty());
        app.deactivate();
        assertEquals(List.of("register io.baton.onos.BatonOnosApp", "unregister io.baton.onos.BatonOnosApp"), configEvents);
    }

    @Test
    void aConfigFileStartsBatonAndAChangeRestartsIt() throws Exception {
        TestFiles f = new TestFiles(dir);
        BatonOnosApp app = app();
        app.activate(context(f.config.toString()));
        assertEquals(List.of("register /onos/baton"), http);
        assertEquals(1, packets.processors.size());

        app.modified(context(f.config.toString()));
        assertEquals(List.of("register /onos/baton", "unregister /onos/baton", "register /onos/baton"), http);
        assertEquals(1, packets.processors.size(), "the old southbound is gone");

        app.deactivate();
        assertEquals("unregister /onos/baton", http.get(http.size() - 1));
        assertTrue(packets.processors.isEmpty());
        assertTrue(flows.listeners.isEmpty() && devices.listeners.isEmpty());
    }

    @Test
    void aBadConfigFileIsLoggedAndLeavesBatonIdle() throws Exception {
        BatonOnosApp app = app();
        java.nio.file.Files.writeString(dir.resolve("bad.json"), "{\"services\": [");
        app.activate(context(dir.resolve("bad.json").toString()));
        app.modified(context(dir.resolve("missing.json").toString()));
        assertTrue(packets.processors.isEmpty());
        assertTrue(http.isEmpty());
        app.deactivate();
    }

    @Test
    void relativePathsAreUnderKarafsEtc() {
        String before = System.getProperty("karaf.etc");
        System.setProperty("karaf.etc", "/opt/onos/apache-karaf/etc");
        try {
            assertEquals(Path.of("/opt/onos/apache-karaf/etc/baton/baton.json"), BatonOnosApp.resolve("baton/baton.json"));
            assertEquals(Path.of("/srv/baton.json"), BatonOnosApp.resolve("/srv/baton.json"));
        } finally {
            if (before == null) {
                System.clearProperty("karaf.etc");
            } else {
                System.setProperty("karaf.etc", before);
            }
        }
    }

    @Test
    void theDeclarativeServicesDescriptorNamesEveryServiceAndProperty() throws Exception {
        String xml;
        try (InputStream in = getClass().getResourceAsStream("/OSGI-INF/io.baton.onos.BatonOnosApp.xml")) {
            xml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertTrue(xml.contains("immediate=\"true\""), xml);
        assertTrue(xml.contains("modified=\"modified\""), xml);
        for (String service : List.of("org.onosproject.core.CoreService", "org.onosproject.net.packet.PacketService",
                "org.onosproject.net.flow.FlowRuleService", "org.onosproject.net.device.DeviceService",
                "org.onosproject.cfg.ComponentConfigService", "org.osgi.service.http.HttpService")) {
            assertTrue(xml.contains("interface=\"" + service + "\""), service);
        }
        for (String property : List.of("configFile", "secretFile", "tokenFile")) {
            assertTrue(xml.contains("<property name=\"" + property + "\""), property);
        }
    }

    @Test
    void theConfigDefinitionsAreWhatOnosReads() throws Exception {
        String cfgdef;
        try (InputStream in = BatonOnosApp.class.getResourceAsStream("BatonOnosApp.cfgdef")) {
            cfgdef = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        List<String> names = new ArrayList<>();
        for (String line : cfgdef.split("\n")) {
            if (!line.isEmpty() && !line.startsWith("#")) {
                String[] f = line.split("\\|", 4); // ONOS's ConfigPropertyDefinitions.read: name|TYPE|default|description
                assertEquals(4, f.length, line);
                assertEquals("STRING", f[1], line);
                names.add(f[0]);
            }
        }
        assertEquals(List.of(BatonOnosApp.CONFIG_FILE, BatonOnosApp.SECRET_FILE, BatonOnosApp.TOKEN_FILE), names);
    }
}
