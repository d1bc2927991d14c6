package io.baton.onos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.felix.framework.FrameworkFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.wiring.BundleWire;
import org.osgi.framework.wiring.BundleWiring;
import org.osgi.framework.wiring.FrameworkWiring;

/**
 * Whether the app bundle's manifest holds in ONOS 2.7.0, checked by an OSGi framework rather than
 * by eye: Apache Felix with ONOS's own bundles at ONOS's versions (onos-api, onlab-*, Guava 22,
 * slf4j 1.7, Netty 4.1.35, Jersey 2.27, HK2, Jackson, Kryo, SCR ...; the list is in the pom),
 * the bundles the app's feature adds (gson), and the app bundle. Every bundle must resolve, the
 * app's imports must be wired to ONOS's bundles, and its classes must load and link there.
 *
 * <p>The framework is Felix, not ONOS's Karaf; the bundles are the very ones ONOS 2.7.0 and its
 * Karaf 4.2.9 install (pax-logging-api for slf4j, pax-web-api for the HttpService), except
 * com.sun.activation, standing in for the activation jar Karaf 4.2 puts on the Java 9+ boot class
 * path. No exporter had to be faked.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS) // one framework for all the checks, held by the instance
class FelixResolutionTest {
    private Framework felix;
    private Bundle app;
    private final List<Bundle> bundles = new ArrayList<>();

    @BeforeAll
    void startFelix() throws Exception {
        Path dir = Path.of(System.getProperty("baton.felix.bundles"));
        Map<String, String> config = new HashMap<>();
        config.put(Constants.FRAMEWORK_STORAGE, System.getProperty("baton.felix.storage"));
        config.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        felix = new FrameworkFactory().newFramework(config);
        felix.start();
        for (Path jar : jars(dir.resolve("onos"))) {
            bundles.add(felix.getBundleContext().installBundle(jar.toUri().toString()));
        }
        for (Path jar : jars(dir.resolve("baton"))) {
            bundles.add(felix.getBundleContext().installBundle(jar.toUri().toString()));
        }
        app = felix.getBundleContext().installBundle("reference:" + Path.of(System.getProperty("baton.app.bundle")).toUri());
        bundles.add(app);
        felix.adapt(FrameworkWiring.class).resolveBundles(null);
    }

    private static List<Path> jars(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(".jar")).sorted(Comparator.naturalOrder()).collect(Collectors.toList());
        }
    }

    @AfterAll
    void stopFelix() throws Exception {
        if (felix != null) {
            felix.stop();
            felix.waitForStop(10_000);
        }
    }

    /** Why a bundle did not resolve: Felix says which requirement failed when asked to start it. */
    private static String whyUnresolved(Bundle b) {
        try {
            b.start();
            return "started?";
        } catch (BundleException e) {
            return e.getMessage();
        }
    }

    @Test
    void everyBundleResolves() {
        assertTrue(bundles.size() > 40, "the ONOS bundles were copied: " + bundles.size());
        List<String> unresolved = new ArrayList<>();
        for (Bundle b : bundles) {
            if (b.getState() == Bundle.INSTALLED) {
                unresolved.add(b.getSymbolicName() + ": " + whyUnresolved(b));
            }
        }
        if (!unresolved.isEmpty()) {
            fail("unresolved bundles:\n  " + String.join("\n  ", unresolved));
        }
    }

    /** Package name to the wire that satisfies the bundle's import of it. */
    private static Map<String, BundleWire> importWiring(Bundle b) {
        Map<String, BundleWire> m = new HashMap<>();
        for (BundleWire w : b.adapt(BundleWiring.class).getRequiredWires("osgi.wiring.package")) {
            m.put((String) w.getCapability().getAttributes().get("osgi.wiring.package"), w);
        }
        return m;
    }

    private static String exporter(BundleWire w) {
        return w.getProvider().getBundle().getSymbolicName();
    }

    private static String packageVersion(BundleWire w) {
        return String.valueOf(w.getCapability().getAttributes().get("version"));
    }

    @Test
    void theAppUsesOnosOwnApiGuavaLoggingNettyAndJersey() {
        assertEquals(Bundle.RESOLVED, app.getState(), whyUnresolved(app));
        Map<String, BundleWire> wires = importWiring(app);
        assertEquals("org.onosproject.onos-api", exporter(wires.get("org.onosproject.net.flow")));
        assertEquals("org.onosproject.onlab-misc", exporter(wires.get("org.onlab.packet")));
        assertEquals("22.0.0", packageVersion(wires.get("com.google.common.io")), "ONOS's Guava");
        assertEquals("org.ops4j.pax.logging.pax-logging-api", exporter(wires.get("org.slf4j")));
        assertTrue(packageVersion(wires.get("org.slf4j")).startsWith("1.7."), "the slf4j 1.7 API of Pax Logging");
        assertEquals("4.1.35", packageVersion(wires.get("io.netty.channel")));
        assertEquals("2.27.0", packageVersion(wires.get("org.glassfish.jersey.server")));
        assertEquals("org.ops4j.pax.web.pax-web-api", exporter(wires.get("org.osgi.service.http")));
        assertEquals("com.google.gson", exporter(wires.get("com.google.gson")));
        assertTrue(!wires.containsKey("org.glassfish.jersey.jdkhttp"),
                "Jersey's JDK HTTP container is the standalone controller's: optional, and not in ONOS");
    }

    @Test
    void theAppExportsNothingAndDeclaresItsComponent() {
        assertEquals(null, app.getHeaders().get(Constants.EXPORT_PACKAGE));
        assertEquals("OSGI-INF/io.baton.onos.BatonOnosApp.xml", app.getHeaders().get("Service-Component"));
        assertEquals("io.baton.onos", app.getSymbolicName());
        assertTrue(app.getEntry("io/baton/onos/BatonOnosApp.cfgdef") != null, "ONOS component config definitions");
    }

    @Test
    void theAppsClassesLoadAndLinkInOnos() throws Exception {
        for (String name : List.of("io.baton.onos.BatonOnosApp", "io.baton.onos.OnosRuntime", "io.baton.onos.OnosSouthbound",
                "io.baton.onos.HttpServiceRestPublisher", "io.baton.controller.engine.BatonEngine",
                "io.baton.controller.rest.RestServer", "io.baton.controller.rest.ServicesResource",
                "io.baton.controller.handoff.HandoffServer")) {
            Class<?> c = app.loadClass(name);
            // Initialising links and verifies the class against the bundles it is wired to.
            Class.forName(name, true, c.getClassLoader());
            assertEquals(app, org.osgi.framework.FrameworkUtil.getBundle(c), name + " comes from the app bundle");
        }
    }
}
