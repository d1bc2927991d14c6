package io.baton.karaf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.karaf.FeatureRepository.FeatureRef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.transform.stream.StreamSource;
import javax.xml.validation.SchemaFactory;
import java.io.File;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The one feature repository a user adds on every platform (target/feature/feature.xml, as
 * attached): it loads where each platform's Karaf loads it, and what it names exists.
 *
 * <p>Test plan:
 * <ul>
 *   <li>The file is valid against Karaf's features schema 1.6.0 as shipped in Karaf 4.4.8 (plain
 *       Karaf and OpenDaylight 0.21) and Karaf 4.2.9 (ONOS 2.7), and references no other
 *       repository (one that cannot be fetched would make {@code feature:repo-add} fail).</li>
 *   <li>It shows baton-standalone, baton-odl and baton-onos; its other features are hidden.</li>
 *   <li>Features it needs but does not define are Karaf's standard ones (defined in Karaf 4.4.8's
 *       standard repository) or, by name, the platform's own: OpenDaylight's only for baton-odl, in
 *       ranges that hold the releases opendaylight-app builds against; ONOS's only for baton-onos.</li>
 *   <li>Every Baton bundle is a module of this build at this version: the ones the reactor built
 *       before this module are read from the artifacts on this test's class path (their manifest
 *       names that bundle and version); onos-app (built after this module, whose repository its
 *       .oar carries) and opendaylight-app (its own Java 21 build) are checked in their POMs and bnd
 *       instructions. Each platform feature adds its own adapter bundle, and baton-onos's bundles
 *       are the artifacts onos-app/app.xml packs into the .oar.</li>
 *   <li>baton-odl runs on OpenDaylight's Jersey: it does not include baton-jersey, and its JDK HTTP
 *       container has the Jersey version opendaylight-app builds and tests with.</li>
 * </ul>
 * Installing baton-odl or baton-onos is not tried: plain Karaf has neither platform.
 */
class FeatureRepositoryIT {
    private static final Path FEATURES = Path.of(System.getProperty("baton.it.features"));
    private static final Path ROOT = Path.of(System.getProperty("baton.it.root"));
    private static final String VERSION = System.getProperty("baton.it.version");
    private static final Path KARAF = Path.of(System.getProperty("baton.it.karafArtifacts"));
    private static final Pattern MVN = Pattern.compile("mvn:([^/\\s]+)/([^/\\s]+)/([^/$<\\s]+)");
    /** Platform features by name, and which Baton feature may ask for them. */
    private static final Map<String, String> PLATFORM = Map.of(
            "odl-openflowplugin-southbound", "baton-odl",
            "odl-aaa-web", "baton-odl",
            "onos-api", "baton-onos");

    private final FeatureRepository repo = FeatureRepository.read(FEATURES);

    FeatureRepositoryIT() throws Exception {
    }

    @ParameterizedTest
    @ValueSource(strings = {"4.4.8", "4.2.9"})
    void karafsSchemaAcceptsIt(String karaf) throws Exception {
        try (JarFile core = new JarFile(KARAF.resolve("org.apache.karaf.features.core-" + karaf + ".jar").toFile());
             InputStream xsd = core.getInputStream(core.getEntry("org/apache/karaf/features/karaf-features-1.6.0.xsd"))) {
            SchemaFactory.newInstance(XMLConstants.W3C_XML_SCHEMA_NS_URI).newSchema(new StreamSource(xsd))
                    .newValidator().validate(new StreamSource(FEATURES.toFile()));
        }
        assertEquals(0, repo.repositoryReferences(), "no <repository>: it must load on every platform alone");
    }

    @Test
    void itShowsTheThreeFeaturesAndHidesTheRest() {
        Set<String> shown = repo.features().values().stream().filter(f -> !f.hidden).map(f -> f.name)
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(new TreeSet<>(List.of("baton-odl", "baton-onos", "baton-standalone")), shown);
    }

    @Test
    void everyFeatureItNeedsIsKarafsOrThePlatformsOwn() throws Exception {
        Set<String> standard = featureNames(KARAF.resolve("standard-4.4.8-features.xml"));
        for (String top : List.of("baton-standalone", "baton-odl", "baton-onos")) {
            for (FeatureRef ref : repo.external(top)) {
                if (standard.contains(ref.name)) {
                    continue;
                }
                assertEquals(top, PLATFORM.get(ref.name), top + " needs " + ref + ", neither Karaf's nor its platform's");
            }
        }
        Map<String, String> odl = properties(ROOT.resolve("opendaylight-app/pom.xml"));
        assertTrue(inRange(odl.get("odl.openflowplugin.version"), version(repo.external("baton-odl"), "odl-openflowplugin-southbound")),
                "openflowplugin " + odl.get("odl.openflowplugin.version"));
        assertTrue(inRange(odl.get("odl.aaa.version"), version(repo.external("baton-odl"), "odl-aaa-web")),
                "aaa " + odl.get("odl.aaa.version"));
        assertTrue(repo.external("baton-standalone").stream().anyMatch(r -> r.name.equals("wrap") && r.prerequisite),
                "wrap: URLs need Karaf's wrap handler first");
    }

    @Test
    void everyBatonBundleIsOneThisBuildProduces() throws Exception {
        for (String top : List.of("baton-standalone", "baton-odl", "baton-onos")) {
            for (Map.Entry<String, String> a : repo.artifacts(top).entrySet()) {
                if (!a.getKey().startsWith("io.baton/")) {
                    continue;
                }
                String artifactId = a.getKey().substring("io.baton/".length());
                assertEquals(VERSION, a.getValue(), top + ": " + a.getKey());
                Path pom = ROOT.resolve(artifactId).resolve("pom.xml");
                assertTrue(Files.isRegularFile(pom), top + ": no module " + artifactId);
                String pomText = Files.readString(pom);
                assertTrue(pomText.contains("<artifactId>" + artifactId + "</artifactId>")
                        && pomText.contains("<artifactId>bnd-maven-plugin</artifactId>"),
                        artifactId + " is built as an OSGi bundle by bnd-maven-plugin");
                Optional<Path> built = onClassPath(artifactId);
                if (built.isPresent()) {
                    Manifest mf = manifest(built.get());
                    assertEquals("io.baton." + artifactId, mf.getMainAttributes().getValue("Bundle-SymbolicName"), built.get().toString());
                    assertEquals(VERSION.replace('-', '.'), mf.getMainAttributes().getValue("Bundle-Version"), built.get().toString());
                } else {
                    assertTrue(List.of("onos-app", "opendaylight-app").contains(artifactId),
                            artifactId + " is built before this module, so its artifact should be on the class path");
                }
            }
        }
        assertTrue(repo.feature("baton-odl").orElseThrow().bundles.stream()
                .anyMatch(b -> b.equals("mvn:io.baton/opendaylight-app/" + VERSION)), "baton-odl adds the OpenDaylight adapter");
        assertTrue(repo.feature("baton-onos").orElseThrow().bundles.stream()
                .anyMatch(b -> b.equals("mvn:io.baton/onos-app/" + VERSION)), "baton-onos adds the ONOS app bundle");
        assertTrue(Files.readString(ROOT.resolve("onos-app/bnd.bnd")).contains("Bundle-SymbolicName: io.baton.onos"));
    }

    @Test
    void batonOnosBundlesAreWhatTheOarPacks() throws Exception {
        String app = Files.readString(ROOT.resolve("onos-app/app.xml"));
        assertTrue(app.contains("features=\"baton-onos\""), "app.xml installs baton-onos");
        Map<String, String> props = properties(ROOT.resolve("pom.xml"));
        Set<String> packed = new TreeSet<>();
        Matcher m = Pattern.compile("<artifact>([^<]+)</artifact>").matcher(app);
        while (m.find()) {
            packed.add(m.group(1).replace("${project.groupId}", "io.baton").replace("${project.artifactId}", "onos-app")
                    .replace("${project.version}", VERSION).replace("${gson.version}", props.get("gson.version")));
        }
        assertEquals(packed, new TreeSet<>(repo.bundles("baton-onos")));
    }

    @Test
    void batonOdlRunsOnOpenDaylightsJersey() throws Exception {
        assertFalse(repo.closure("baton-odl").stream().anyMatch(f -> f.name.equals("baton-jersey")),
                "OpenDaylight's odl-jersey-2 (through odl-aaa-web) is the one Jersey there");
        Map<String, String> odl = properties(ROOT.resolve("opendaylight-app/pom.xml"));
        assertEquals(odl.get("jersey.version"),
                repo.artifacts("baton-odl").get("org.glassfish.jersey.containers/jersey-container-jdk-http"),
                "the Jersey version opendaylight-app builds and tests with");
        assertTrue(repo.closure("baton-standalone").stream().anyMatch(f -> f.name.equals("baton-jersey")));
    }

    private static Optional<Path> onClassPath(String artifactId) {
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path p = Path.of(entry);
            String s = entry.replace(File.separatorChar, '/');
            // A reactor module (its target/ jar or classes) or the local repository's io/baton/<artifactId>/.
            if (s.contains("/" + artifactId + "/target/") || s.contains("/io/baton/" + artifactId + "/")) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    private static Manifest manifest(Path built) throws Exception {
        if (Files.isDirectory(built)) {
            try (InputStream in = Files.newInputStream(built.resolve("META-INF/MANIFEST.MF"))) {
                return new Manifest(in);
            }
        }
        try (JarFile j = new JarFile(built.toFile())) {
            return j.getManifest();
        }
    }

    private static Document xml(Path file) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
        return f.newDocumentBuilder().parse(file.toFile());
    }

    private static Set<String> featureNames(Path repository) throws Exception {
        Set<String> out = new TreeSet<>();
        NodeList list = xml(repository).getDocumentElement().getChildNodes();
        for (int i = 0; i < list.getLength(); i++) {
            Node n = list.item(i);
            if (n instanceof Element && "feature".equals(n.getLocalName())) {
                out.add(((Element) n).getAttribute("name"));
            }
        }
        return out;
    }

    /** A POM's {@code <properties>}. */
    private static Map<String, String> properties(Path pom) throws Exception {
        Map<String, String> out = new java.util.HashMap<>();
        NodeList list = xml(pom).getElementsByTagNameNS("*", "properties");
        for (int i = 0; i < list.getLength(); i++) {
            NodeList props = list.item(i).getChildNodes();
            for (int j = 0; j < props.getLength(); j++) {
                if (props.item(j) instanceof Element) {
                    out.put(props.item(j).getLocalName(), props.item(j).getTextContent().trim());
                }
            }
        }
        return out;
    }

    private static String version(List<FeatureRef> refs, String name) {
        return refs.stream().filter(r -> r.name.equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("not needed: " + name)).version;
    }

    /** Whether {@code version} is in an OSGi range such as {@code [0.21,0.22)}. */
    static boolean inRange(String version, String range) {
        Matcher m = Pattern.compile("([\\[(])\\s*([^,]+),\\s*([^)\\]]+)([)\\]])").matcher(range);
        assertTrue(m.matches(), "a range: " + range);
        int low = compare(version, m.group(2));
        int high = compare(version, m.group(3));
        return (m.group(1).equals("[") ? low >= 0 : low > 0) && (m.group(4).equals("]") ? high <= 0 : high < 0);
    }

    private static int compare(String a, String b) {
        List<Integer> x = numbers(a);
        List<Integer> y = numbers(b);
        for (int i = 0; i < Math.max(x.size(), y.size()); i++) {
            int c = Integer.compare(i < x.size() ? x.get(i) : 0, i < y.size() ? y.get(i) : 0);
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }

    private static List<Integer> numbers(String v) {
        List<Integer> out = new ArrayList<>();
        for (String part : v.trim().split("[.-]")) {
            if (!part.matches("[0-9]+")) {
                break;
            }
            out.add(Integer.parseInt(part));
        }
        return out;
    }
}
