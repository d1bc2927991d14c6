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
 * installs feature baton-onos from the features file app.xml names; every bundle that feature adds
 * to onos-api is packed in the .oar (an app.xml artifact); and those are the bundles the
 * resolution test installed beside ONOS's.
 */
class PackagingTest {
    static final Path MODULE = Path.of(System.getProperty("baton.module", "."));

    private static List<String> all(String text, String regex) {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile(regex).matcher(text);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    @Test
    void theFeatureAppXmlNamesIsTheOneFeaturesXmlDefinesAndItsBundlesArePacked() throws Exception {
        String app = Files.readString(MODULE.resolve("app.xml"));
        String features = Files.readString(MODULE.resolve("features.xml"));
        assertTrue(app.contains("name=\"${onos.app.name}\""), "the name ONOS knows the app by");
        assertTrue(app.contains("features=\"baton-onos\""));
        assertTrue(app.contains("featuresRepo=\"mvn:${project.groupId}/${project.artifactId}/${project.version}/xml/features\""));
        assertEquals(List.of("baton-onos"), all(features, "<feature name=\"([^\"]+)\""));
        assertEquals(List.of("onos-api"), all(features, "<feature>([^<]+)</feature>"), "ONOS's API and what it requires");
        assertEquals(new java.util.HashSet<>(all(features, "<bundle>([^<]+)</bundle>")),
                new java.util.HashSet<>(all(app, "<artifact>([^<]+)</artifact>")), "every bundle of the feature is in the .oar");
    }

    @Test
    void theBundlesTheFeatureAddsAreTheOnesCheckedAgainstOnos() throws Exception {
        List<String> bundles = all(Files.readString(MODULE.resolve("features.xml")), "<bundle>mvn:[^/]+/([^/]+)/[^<]+</bundle>");
        List<String> checked;
        try (Stream<Path> s = Files.list(Path.of(System.getProperty("baton.felix.bundles")).resolve("baton"))) {
            checked = s.map(p -> p.getFileName().toString().replaceAll("-[0-9][^-]*\\.jar$", "")).sorted()
                    .collect(Collectors.toList());
        }
        List<String> added = new ArrayList<>(bundles);
        added.remove("${project.artifactId}"); // the app bundle itself: installed from target/classes
        assertEquals(checked, added);
    }
}
