package io.baton.opendaylight;

import aQute.bnd.osgi.Analyzer;
import aQute.bnd.osgi.Jar;
import org.apache.felix.framework.FrameworkFactory;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.wiring.BundleRevision;
import org.osgi.framework.wiring.BundleWire;
import org.osgi.framework.wiring.BundleWiring;
import org.osgi.framework.wiring.FrameworkWiring;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * An Apache Felix framework with the jars of some folders installed as bundles, as the OSGi tests
 * use it: openflowj wrapped with bnd using baton-standalone's instructions (as Karaf's wrap: does),
 * jars without a manifest that no bundle needs (annotation-only jars) skipped and listed.
 */
final class FelixBundles implements AutoCloseable {
    final Framework framework;
    final List<Bundle> installed = new ArrayList<>();
    final List<String> skipped = new ArrayList<>();

    private FelixBundles(Framework framework) {
        this.framework = framework;
    }

    /** A started framework (storage under {@code work}) with every jar of {@code dirs} and {@code extra} installed. */
    static FelixBundles install(Path work, List<Path> dirs, Path... extra) throws Exception {
        Files.createDirectories(work);
        Map<String, String> props = new HashMap<>();
        props.put(Constants.FRAMEWORK_STORAGE, work.resolve("cache").toString());
        props.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        Framework framework = new FrameworkFactory().newFramework(props);
        framework.start();
        FelixBundles felix = new FelixBundles(framework);
        List<Path> jars = new ArrayList<>();
        for (Path dir : dirs) {
            try (Stream<Path> s = Files.list(dir)) {
                jars.addAll(s.filter(p -> p.toString().endsWith(".jar")).sorted().collect(Collectors.toList()));
            }
        }
        jars.addAll(List.of(extra));
        BundleContext ctx = framework.getBundleContext();
        for (Path jar : jars) {
            Path toInstall = jar;
            if (jar.getFileName().toString().startsWith("openflowj-")) {
                toInstall = wrapOpenflowj(jar, work);
            } else if (!isBundle(jar)) {
                felix.skipped.add(jar.getFileName().toString());
                continue;
            }
            felix.installed.add(ctx.installBundle(toInstall.toUri().toString()));
        }
        return felix;
    }

    BundleContext context() {
        return framework.getBundleContext();
    }

    /** Resolves every bundle; the ones that did not resolve, each with Felix's reason. */
    List<String> resolve() {
        framework.adapt(FrameworkWiring.class).resolveBundles(null);
        List<String> unresolved = new ArrayList<>();
        for (Bundle b : installed) {
            if (b.getState() == Bundle.INSTALLED) {
                unresolved.add(b.getSymbolicName() + ": " + reason(b));
            }
        }
        return unresolved;
    }

    /** Starts every bundle that is not a fragment; the ones that did not start, with why. */
    List<String> startAll() {
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
        return notStarted;
    }

    Bundle bundle(String symbolicName) {
        return installed.stream().filter(b -> symbolicName.equals(b.getSymbolicName())).findFirst()
                .orElseThrow(() -> new AssertionError("no bundle " + symbolicName));
    }

    long count(String symbolicName) {
        return installed.stream().filter(b -> symbolicName.equals(b.getSymbolicName())).count();
    }

    /** Package name to the symbolic name of the bundle that exports it to {@code b}. */
    static Map<String, String> wiring(Bundle b) {
        Map<String, String> out = new HashMap<>();
        for (BundleWire w : b.adapt(BundleWiring.class).getRequiredWires(BundleRevision.PACKAGE_NAMESPACE)) {
            out.put((String) w.getCapability().getAttributes().get(BundleRevision.PACKAGE_NAMESPACE),
                    w.getProvider().getSymbolicName());
        }
        return out;
    }

    /** The bundle that exports {@code pkg} to {@code b}. */
    static Bundle provider(Bundle b, String pkg) {
        for (BundleWire w : b.adapt(BundleWiring.class).getRequiredWires(BundleRevision.PACKAGE_NAMESPACE)) {
            if (pkg.equals(w.getCapability().getAttributes().get(BundleRevision.PACKAGE_NAMESPACE))) {
                return w.getProvider().getBundle();
            }
        }
        throw new AssertionError(b.getSymbolicName() + " does not import " + pkg);
    }

    /**
     * A service registered under {@code objectClass}, waiting up to {@code timeout}; all references,
     * as the framework's own context does not import the service's package.
     */
    ServiceReference<?> awaitService(String objectClass, Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        do {
            try {
                ServiceReference<?>[] refs = context().getAllServiceReferences(objectClass, null);
                if (refs != null) {
                    return refs[0];
                }
            } catch (InvalidSyntaxException e) {
                throw new IllegalArgumentException(e);
            }
            Thread.sleep(20);
        } while (System.nanoTime() < end);
        return null;
    }

    @Override
    public void close() throws BundleException {
        framework.stop();
        try {
            framework.waitForStop(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static boolean isBundle(Path jar) throws IOException {
        try (JarFile j = new JarFile(jar.toFile())) {
            return j.getManifest() != null
                    && j.getManifest().getMainAttributes().getValue(Constants.BUNDLE_SYMBOLICNAME) != null;
        }
    }

    /** Karaf's wrap: for openflowj, with baton-core's instructions (karaf-features feature.xml). */
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
