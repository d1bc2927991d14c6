package io.baton.opendaylight;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Does the adapter's bundle resolve against what OpenDaylight 0.21 exports? A real OSGi framework
 * (Apache Felix) with the real OpenDaylight API bundles from Maven Central (openflowplugin 0.21.2
 * models, MD-SAL 15 binding API, YANG Tools 14, aaa 0.22.3's web API and Jersey 2 servlet support
 * with Servlet 3.1 and Jersey 2.47 as odl-aaa-web installs them, their dependencies), Felix SCR for the
 * Declarative Services extender, the Baton bundles from this build and their dependencies
 * (Jersey 2, netty, gson, guava), with Guava 33.5 and netty 4.2 as OpenDaylight 0.21 ships them.
 * The runtime services Karaf gives (SCR; org.slf4j, which pax-logging exports there) come from
 * Felix SCR and slf4j-simple with Aries SPI Fly. Nothing is faked: openflowj, which has no OSGi manifest, is
 * wrapped here with bnd using the same instructions baton-core's feature gives Karaf's wrap:.
 * Non-bundle jars on the class path that no bundle needs (annotation-only jars) are listed and
 * skipped. The test passes when every installed bundle resolves (it names each one that did not,
 * with Felix's reason), the adapter's imports wire to OpenDaylight's bundles, controller-app and
 * OpenDaylight's servlet support share one Jersey, and, started, every bundle starts and SCR
 * registers OpenDaylight's ServletSupport.
 */
class OdlBundleResolutionIT {
    private FelixBundles felix;

    @AfterEach
    void stop() throws Exception {
        if (felix != null) {
            felix.close();
        }
    }

    @Test
    void theAdapterAndEveryDependencyResolve() throws Exception {
        Path bundle = Path.of(System.getProperty("baton.it.bundle"));
        assertTrue(Files.isRegularFile(bundle), "the adapter's bundle is built first: " + bundle);
        felix = FelixBundles.install(Path.of(System.getProperty("baton.it.work")).resolve("resolution"),
                List.of(Path.of(System.getProperty("baton.it.bundles"))), bundle);

        List<String> unresolved = felix.resolve();
        System.out.println("*** installed " + felix.installed.size() + " bundles; not bundles, skipped: " + felix.skipped);
        unresolved.forEach(u -> System.out.println("*** unresolved: " + u));
        assertEquals(List.of(), unresolved, "bundles that did not resolve");

        Bundle adapter = felix.bundle("io.baton.opendaylight-app");
        Map<String, String> wiredFrom = FelixBundles.wiring(adapter);
        // The packages that matter come from OpenDaylight's bundles and from controller-app's API export.
        assertEquals("org.opendaylight.mdsal.mdsal-binding-api", wiredFrom.get("org.opendaylight.mdsal.binding.api"));
        assertEquals("org.opendaylight.openflowplugin.model.flow-service",
                wiredFrom.get("org.opendaylight.yang.gen.v1.urn.opendaylight.flow.service.rev130819"));
        assertEquals("org.opendaylight.openflowplugin.model.inventory",
                wiredFrom.get("org.opendaylight.yang.gen.v1.urn.opendaylight.inventory.rev130819"));
        assertEquals("io.baton.controller-app", wiredFrom.get("io.baton.controller.southbound"));
        assertNotNull(adapter.getHeaders().get("Service-Component"), "the DS component is described");

        // The REST API in OpenDaylight's web server: aaa's web API and servlet support, Servlet 3.1 (javax).
        assertEquals("org.opendaylight.aaa.web.api", wiredFrom.get("org.opendaylight.aaa.web"));
        assertEquals("org.opendaylight.aaa.web.servlet-api", wiredFrom.get("org.opendaylight.aaa.web.servlet"));
        assertEquals("javax.servlet-api", wiredFrom.get("javax.servlet"));
        assertEquals("jakarta.ws.rs-api", wiredFrom.get("javax.ws.rs.core"));
        // One Jersey: controller-app's resources and OpenDaylight's servlet support (which turns them into
        // a servlet) wire to the same jersey-server, OpenDaylight's 2.47.
        Bundle jerseyServer = felix.bundle("org.glassfish.jersey.core.jersey-server");
        assertEquals("2.47.0", jerseyServer.getVersion().toString());
        assertEquals(1, felix.count(jerseyServer.getSymbolicName()));
        assertEquals(jerseyServer, FelixBundles.provider(felix.bundle("io.baton.controller-app"), "org.glassfish.jersey.server"));
        assertEquals(jerseyServer,
                FelixBundles.provider(felix.bundle("org.opendaylight.aaa.web.servlet-jersey2"), "org.glassfish.jersey.server"));

        // Started, SCR registers OpenDaylight's ServletSupport (what BatonOdlApp takes), and the adapter starts.
        assertEquals(List.of(), felix.startAll(), "bundles that did not start");
        assertNotNull(felix.awaitService("org.opendaylight.aaa.web.servlet.ServletSupport", Duration.ofSeconds(10)),
                "servlet-jersey2's component registers ServletSupport");
        assertEquals(Bundle.ACTIVE, adapter.getState());
    }
}
