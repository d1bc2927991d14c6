package io.baton.onos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The .oar's descriptors agree with each other and with what FelixResolutionTest checked: ONOS
 * installs feature baton-onos from the features file app.xml names, which is Baton's one feature
 * repository (karaf-features, copied beside app.xml for onos-maven-plugin); baton-onos needs only
 * ONOS's onos-api; every bundle it adds is packed in the .oar (an app.xml artifact); and those are
 * the bundles the resolution test installed beside ONOS's. The repository references no other
 * repository, which ONOS would have to fetch.
 */
class PackagingTest {
    static final Path MODULE = Path.of(System.getProperty("baton.module", "."));
    static final Path DESCRIPTORS = Path.of(System.getProperty("baton.oar.descriptors", "target/oar-descriptors"));

    private static List<String> all(String text, String regex) {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile(regex).matcher(text);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    /** The text of feature {@code name} in the features file. */
    private static String feature(String features, String name) {
        Matcher m = Pattern.compile("<feature name=\"" + Pattern.quote(name) + "\"[^>]*>(.*?)</feature>\\s*(?=<feature name=|</features>)",
                Pattern.DOTALL).matcher(features);
        assertTrue(m.find(), "no feature " + name);
        return m.group(1);
    }

    @Test
    void theFeatureAppXmlNamesIsInBatonsRepositoryAndItsBundlesArePacked() throws Exception {
        String app = Files.readString(MODULE.resolve("app.xml"));
        String features = Files.readString(DESCRIPTORS.resolve("features.xml"));
        assertEquals(app, Files.readString(DESCRIPTORS.resolve("app.xml")), "app.xml is packed as it is");
        assertTrue(app.contains("name=\"${onos.app.name}\""), "the name ONOS knows the app by");
        assertTrue(app.contains("features=\"baton-onos\""));
        assertTrue(app.contains("featuresRepo=\"mvn:${project.groupId}/${project.artifactId}/${project.version}/xml/features\""));
        assertTrue(features.contains("name=\"baton-" + System.getProperty("baton.version") + "\""), "Baton's repository");
        assertEquals(List.of(), all(features, "<repository>([^<]*)</repository>"));
        String batonOnos = feature(features, "baton-onos");
        assertEquals(List.of("onos-api"), all(batonOnos, "<feature>([^<]+)</feature>"), "ONOS's API and what it requires");
        List<String> packed = new ArrayList<>();
        for (String a : all(app, "<artifact>([^<]+)</artifact>")) {
            packed.add(a.replace("${project.groupId}", "io.baton").replace("${project.artifactId}", "onos-app")
                    .replace("${project.version}", System.getProperty("baton.version"))
                    .replace("${gson.version}", System.getProperty("baton.gson.version")));
        }
        assertEquals(new java.util.HashSet<>(all(batonOnos, "<bundle>([^<]+)</bundle>")), new java.util.HashSet<>(packed),
                "every bundle of the feature is in the .oar");
    }

    @Test
    void theBundlesTheFeatureAddsAreTheOnesCheckedAgainstOnos() throws Exception {
        String batonOnos = feature(Files.readString(DESCRIPTORS.resolve("features.xml")), "baton-onos");
        List<String> bundles = all(batonOnos, "<bundle>mvn:[^/]+/([^/]+)/[^<]+</bundle>");
        List<String> checked;
        try (Stream<Path> s = Files.list(Path.of(System.getProperty("baton.felix.bundles")).resolve("baton"))) {
            checked = s.map(p -> p.getFileName().toString().replaceAll("-[0-9][^-]*\\.jar$", "")).sorted()
                    .collect(Collectors.toList());
        }
        List<String> added = new ArrayList<>(bundles);
        added.remove("onos-app"); // the app bundle itself: installed from target/classes
        assertEquals(checked, added);
    }
}
