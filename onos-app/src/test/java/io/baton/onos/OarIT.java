package io.baton.onos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarInputStream;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;

/**
 * The .oar as onos-maven-plugin packed it (after package; PackagingTest checks its descriptors
 * before): what ONOS reads from it when it installs the app.
 *
 * <p>Test plan: app.xml is there with every placeholder filled (the name, baton-onos and the
 * featuresRepo URL); the features file sits in the .oar's m2 folder where that URL points, and is
 * Baton's one feature repository as karaf-features built it; every artifact app.xml names is in the
 * m2 folder; the app jar there is the bundle io.baton.onos; and every class the app bundle and its
 * feature's other bundle (gson) bring into ONOS is a Java 11 class file or older, since ONOS 2.7 runs
 * on Java 11 and the app embeds the engine, so a module compiled for a newer release would fail only
 * there, at class loading; and no embedded Baton class outside io.baton.onos names an ONOS,
 * OpenDaylight or openflowj type.
 */
class OarIT {
    private static final String VERSION = System.getProperty("baton.version");
    private static final Path OAR = Path.of(System.getProperty("baton.oar"));
    private static final Path DESCRIPTORS = Path.of(System.getProperty("baton.oar.descriptors"));
    /** Java 11's class file major version. */
    private static final int JAVA_11 = 55;
    private static final Pattern MVN = Pattern.compile("mvn:([^/]+)/([^/]+)/([^/]+)(?:/([^/]+)/([^/]+))?");

    private static String text(ZipFile oar, String name) throws IOException {
        ZipEntry e = oar.getEntry(name);
        assertNotNull(e, name + " is in the .oar");
        try (InputStream in = oar.getInputStream(e)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static byte[] bytes(ZipFile oar, String name) throws IOException {
        ZipEntry e = oar.getEntry(name);
        assertNotNull(e, name + " is in the .oar");
        try (InputStream in = oar.getInputStream(e)) {
            return in.readAllBytes();
        }
    }

    /** Where ONOS finds an mvn: URL inside the .oar: its m2 folder, in Maven's layout. */
    static String m2Path(String url) {
        Matcher m = MVN.matcher(url);
        assertTrue(m.matches(), url);
        String group = m.group(1).replace('.', '/');
        String artifact = m.group(2);
        String version = m.group(3);
        String type = m.group(4) == null ? "jar" : m.group(4);
        String classifier = m.group(5) == null ? "" : "-" + m.group(5);
        return "m2/" + group + "/" + artifact + "/" + version + "/" + artifact + "-" + version + classifier + "." + type;
    }

    /** An attribute of app.xml's app element. */
    private static String attribute(String xml, String name) {
        Matcher app = Pattern.compile("<app\\s[^>]*>").matcher(xml);
        assertTrue(app.find(), "app.xml has an app element");
        Matcher m = Pattern.compile("\\s" + name + "=\"([^\"]*)\"").matcher(app.group());
        assertTrue(m.find(), "app.xml's app element has " + name);
        return m.group(1);
    }

    @Test
    void appXmlIsFilledInAndItsFeaturesRepositoryIsBatonsOne() throws Exception {
        try (ZipFile oar = new ZipFile(OAR.toFile())) {
            String app = text(oar, "app.xml");
            assertFalse(app.contains("${"), "every placeholder filled:\n" + app);
            assertEquals(BatonOnosApp.APP_NAME, attribute(app, "name"));
            assertEquals(VERSION, attribute(app, "version"));
            assertEquals("baton-onos", attribute(app, "features"));
            String repo = attribute(app, "featuresRepo");
            assertEquals("mvn:io.baton/onos-app/" + VERSION + "/xml/features", repo);
            String features = text(oar, m2Path(repo));
            assertEquals(Files.readString(DESCRIPTORS.resolve("features.xml")), features,
                    "the repository karaf-features built, as it is");
            assertTrue(features.contains("<feature name=\"baton-onos\""), "it defines the feature app.xml installs");
        }
    }

    @Test
    void everyArtifactIsPackedAndTheAppJarIsTheBundle() throws Exception {
        try (ZipFile oar = new ZipFile(OAR.toFile())) {
            List<String> artifacts = artifacts(text(oar, "app.xml"));
            assertEquals(List.of("mvn:io.baton/onos-app/" + VERSION, "mvn:com.google.code.gson/gson/"
                    + System.getProperty("baton.gson.version")), artifacts);
            for (String a : artifacts) {
                assertNotNull(oar.getEntry(m2Path(a)), a + " packed at " + m2Path(a));
            }
            try (JarInputStream jar = new JarInputStream(new ByteArrayInputStream(bytes(oar, m2Path(artifacts.get(0)))))) {
                Manifest mf = jar.getManifest();
                assertEquals(BatonOnosApp.APP_NAME, mf.getMainAttributes().getValue("Bundle-SymbolicName"));
                assertEquals("OSGI-INF/io.baton.onos.BatonOnosApp.xml", mf.getMainAttributes().getValue("Service-Component"));
            }
        }
    }

    @Test
    void everyClassTheAppBringsIntoOnosRunsOnJava11() throws Exception {
        try (ZipFile oar = new ZipFile(OAR.toFile())) {
            List<String> tooNew = new ArrayList<>();
            List<String> checked = new ArrayList<>();
            for (String a : artifacts(text(oar, "app.xml"))) {
                try (JarInputStream jar = new JarInputStream(new ByteArrayInputStream(bytes(oar, m2Path(a))))) {
                    for (ZipEntry e = jar.getNextEntry(); e != null; e = jar.getNextEntry()) {
                        // Multi-release entries (gson's module-info under META-INF/versions/9) are
                        // read only by a JVM of that release or newer.
                        if (!e.getName().endsWith(".class") || e.getName().startsWith("META-INF/versions/")) {
                            continue;
                        }
                        checked.add(e.getName());
                        byte[] head = jar.readNBytes(8);
                        int major = ((head[6] & 0xff) << 8) | (head[7] & 0xff);
                        if (major > JAVA_11) {
                            tooNew.add(a + "!" + e.getName() + " (class file " + major + ")");
                        }
                    }
                }
            }
            assertTrue(checked.contains("io/baton/controller/engine/BatonEngine.class"), "the engine is embedded in the app bundle");
            assertTrue(checked.contains("com/google/gson/Gson.class"), "gson's classes were read");
            assertEquals(List.of(), tooNew, "classes ONOS 2.7's Java 11 cannot load");
        }
    }

    /**
     * The engine talks to the network only through its southbound interface: no class the app
     * embeds outside the adapter's own package names a type of ONOS, OpenDaylight or openflowj
     * (the embedded controller's package is not even in the bundle). Read in the class files'
     * constant pools, where every type a class uses is named.
     */
    @Test
    void theEmbeddedEngineNamesNoPlatformType() throws Exception {
        List<String> platform = List.of("org/onosproject/", "org/onlab/", "org/opendaylight/", "org/projectfloodlight/");
        List<String> naming = new ArrayList<>();
        List<String> engine = new ArrayList<>();
        try (ZipFile oar = new ZipFile(OAR.toFile());
             JarInputStream jar = new JarInputStream(new ByteArrayInputStream(
                     bytes(oar, m2Path("mvn:io.baton/onos-app/" + VERSION))))) {
            for (ZipEntry e = jar.getNextEntry(); e != null; e = jar.getNextEntry()) {
                String name = e.getName();
                if (!name.endsWith(".class") || !name.startsWith("io/baton/") || name.startsWith("io/baton/onos/")) {
                    continue;
                }
                engine.add(name);
                String constants = new String(jar.readAllBytes(), StandardCharsets.ISO_8859_1);
                for (String p : platform) {
                    if (constants.contains(p)) {
                        naming.add(name + " names " + p);
                    }
                }
            }
        }
        assertTrue(engine.contains("io/baton/controller/engine/BatonEngine.class"), "the engine is embedded: " + engine.size());
        assertFalse(engine.stream().anyMatch(n -> n.startsWith("io/baton/controller/openflow/")),
                "the embedded OpenFlow controller is not in the ONOS app");
        assertEquals(List.of(), naming);
    }

    private static List<String> artifacts(String app) {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile("<artifact>([^<]+)</artifact>").matcher(app);
        while (m.find()) {
            out.add(m.group(1).trim());
        }
        return out;
    }
}
