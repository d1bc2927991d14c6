package io.baton.opendaylight;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import aQute.bnd.osgi.Analyzer;
import aQute.bnd.osgi.Jar;
import org.apache.felix.framework.FrameworkFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.wiring.BundleRevision;
import org.osgi.framework.wiring.BundleWire;
import org.osgi.framework.wiring.BundleWiring;
import org.osgi.framework.wiring.FrameworkWiring;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Does the adapter's bundle resolve against what OpenDaylight 0.21 exports? A real OSGi framework
 * (Apache Felix) with the real OpenDaylight API bundles from Maven Central (openflowplugin 0.21.2
 * models, MD-SAL 15 binding API, YANG Tools 14, aaa 0.22.3's web API and Jersey 2 servlet support
 * with Servlet 3.1 and Jersey 2.47 as odl-aaa-web installs them, their dependencies), Felix SCR for the
 * Declarative Services extender, the Baton bundles from this build and their dependencies
 * (Jersey 2, netty, gson, guava), with Guava 33.5 and netty 4.2 as OpenDaylight 0.21 ships them.
 * The runtime services Karaf gives (SCR; org.slf4j, which pax-logging exports there) come from
 * Felix SCR and slf4j-simple with Aries SPI Fly. Nothing is faked: openflowj, which has no OSGi manifest, is
 * wrapped here with bnd using the same instructions baton-standalone's feature gives Karaf's wrap:.
 * Non-bundle jars on the class path that no bundle needs (annotation-only jars) are listed and
 * skipped. The test passes when every installed bundle resolves (it names each one that did not,
 * with Felix's reason), the adapter's imports wire to OpenDaylight's bundles, controller-app and
 * OpenDaylight's servlet support share one Jersey, and, started, every bundle starts and SCR
 * registers OpenDaylight's ServletSupport.
 */
class OdlBundleResolutionIT {
    private Framework framework;

    @AfterEach
    void stop() throws Exception {
        if (framework != null) {
            framework.stop();
            framework.waitForStop(10_000);
        }
    }

    @Test
    void theAdapterAndEveryDependencyResolve() throws Exception {
        Path bundle = Path.of(System.getProperty("baton.it.bundle"));
        Path dir = Path.of(System.getProperty("baton.it.bundles"));
        Path work = Path.of(System.getProperty("baton.it.work"));
        Files.createDirectories(work);
        assertTrue(Files.isRegularFile(bundle), "the adapter's bundle is built first: " + bundle);

        Map<String, String> props = new HashMap<>();
        props.put(Constants.FRAMEWORK_STORAGE, work.resolve("cache").toString());
        props.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        framework = new FrameworkFactory().newFramework(props);
        framework.start();
        BundleContext ctx = framework.getBundleContext();

        List<Bundle> installed = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        List<Path> jars;
        try (Stream<Path> s = Files.list(dir)) {
            jars = s.filter(p -> p.toString().endsWith(".jar")).sorted().collect(Collectors.toList());
        }
        jars.add(bundle);
        for (Path jar : jars) {
            Path toInstall = jar;
            if (jar.getFileName().toString().startsWith("openflowj-")) {
                toInstall = wrapOpenflowj(jar, work);
            } else if (!isBundle(jar)) {
                skipped.add(jar.getFileName().toString());
                continue;
            }
            installed.add(install(ctx, toInstall));
        }
        boolean all = framework.adapt(FrameworkWiring.class).resolveBundles(null);

        List<String> unresolved = new ArrayList<>();
        for (Bundle b : installed) {
            if (b.getState() == Bundle.INSTALLED) {
                unresolved.add(b.getSymbolicName() + ": " + reason(b));
            }
        }
        System.out.println("*** installed " + installed.size() + " bundles; not bundles, skipped: " + skipped);
        unresolved.forEach(u -> System.out.println("*** unresolved: " + u));
        assertEquals(List.of(), unresolved, "bundles that did not resolve");
        assertTrue(all);

        Bundle adapter = installed.stream().filter(b -> "io.baton.opendaylight-app".equals(b.getSymbolicName()))
                .findFirst().orElseThrow();
        Map<String, String> wiredFrom = wiring(adapter);
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
        Bundle controllerApp = bundle(installed, "io.baton.controller-app");
        Bundle servletSupport = bundle(installed, "org.opendaylight.aaa.web.servlet-jersey2");
        Bundle jerseyServer = bundle(installed, "org.glassfish.jersey.core.jersey-server");
        assertEquals("2.47.0", jerseyServer.getVersion().toString());
        assertEquals(jerseyServer.getBundleId(), provider(controllerApp, "org.glassfish.jersey.server").getBundleId());
        assertEquals(jerseyServer.getBundleId(), provider(servletSupport, "org.glassfish.jersey.server").getBundleId());
        assertEquals(1, installed.stream().filter(b -> b.getSymbolicName().equals(jerseyServer.getSymbolicName())).count());

        // Started, SCR registers OpenDaylight's ServletSupport (what BatonOdlApp takes), and the adapter starts.
        List<String> notStarted = new ArrayList<>();
        for (Bundle b : installed) {
            if (b.getHeaders().get(Constants.FRAGMENT_HOST) != null) {
                continue;
            }
            try {
                b.start();
            } catch (BundleException e) {
                notStarted.add(b.getSymbolicName() + ": " + e.getMessage());
            }
        }
        assertEquals(List.of(), notStarted, "bundles that did not start");
        assertTrue(awaitService(ctx, "org.opendaylight.aaa.web.servlet.ServletSupport"),
                "servlet-jersey2's component registers ServletSupport");
        assertEquals(Bundle.ACTIVE, adapter.getState());
    }

    private static Bundle bundle(List<Bundle> installed, String symbolicName) {
        return installed.stream().filter(b -> symbolicName.equals(b.getSymbolicName())).findFirst()
                .orElseThrow(() -> new AssertionError("no bundle " + symbolicName));
    }

    private static Bundle provider(Bundle b, String pkg) {
        for (BundleWire w : b.adapt(BundleWiring.class).getRequiredWires(BundleRevision.PACKAGE_NAMESPACE)) {
            if (pkg.equals(w.getCapability().getAttributes().get(BundleRevision.PACKAGE_NAMESPACE))) {
                return w.getProvider().getBundle();
            }
        }
        throw new AssertionError(b.getSymbolicName() + " does not import " + pkg);
    }

    private static boolean awaitService(BundleContext ctx, String objectClass)
            throws InterruptedException, InvalidSyntaxException {
        long end = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < end) {
            // All references: the system bundle does not import the service's package itself.
            if (ctx.getAllServiceReferences(objectClass, null) != null) {
                return true;
            }
            Thread.sleep(20);
        }
        return false;
    }

    private static Bundle install(BundleContext ctx, Path jar) throws BundleException {
        return ctx.installBundle(jar.toUri().toString());
    }

    private static boolean isBundle(Path jar) throws IOException {
        try (JarFile j = new JarFile(jar.toFile())) {
            return j.getManifest() != null
                    && j.getManifest().getMainAttributes().getValue(Constants.BUNDLE_SYMBOLICNAME) != null;
        }
    }

    /** Karaf's wrap: for openflowj, with baton-standalone's instructions (karaf-features feature.xml). */
    private static Path wrapOpenflowj(Path jar, Path work) throws Exception {
        String version = jar.getFileName().toString().replaceAll("^openflowj-(.*)\\.jar$", "$1");
        Path out = work.resolve("openflowj-wrapped.jar");
        try (Jar j = new Jar(jar.toFile()); Analyzer a = new Analyzer(j)) {
            a.setProperty(Constants.BUNDLE_SYMBOLICNAME, "org.projectfloodlight.openflowj");
            a.setProperty(Constants.BUNDLE_VERSION, version);
            a.setProperty(Constants.EXPORT_PACKAGE, "org.projectfloodlight.openflow.*;version=" + version);
            a.setProperty(Constants.IMPORT_PACKAGE, "javax.annotation;resolution:=optional,*");
            j.setManifest(a.calcManifest());
            j.write(out.toFile());
        }
        return out;
    }

    /** Package name to the symbolic name of the bundle that exports it to {@code b}. */
    private static Map<String, String> wiring(Bundle b) {
        Map<String, String> out = new HashMap<>();
        for (BundleWire w : b.adapt(BundleWiring.class).getRequiredWires(BundleRevision.PACKAGE_NAMESPACE)) {
            out.put((String) w.getCapability().getAttributes().get(BundleRevision.PACKAGE_NAMESPACE),
                    w.getProvider().getSymbolicName());
        }
        return out;
    }

    /** Felix says why when asked to start an unresolved bundle. */
    private static String reason(Bundle b) {
        try {
            b.start(Bundle.START_TRANSIENT);
            return "resolved when started";
        } catch (BundleException e) {
            return e.getMessage();
        }
    }
}
