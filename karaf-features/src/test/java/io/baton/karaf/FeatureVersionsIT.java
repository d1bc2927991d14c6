package io.baton.karaf;

import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The features file names third-party bundles by hand (openflowj and Jersey's container need
 * wrap: instructions), so their versions can drift from the ones Maven resolves for
 * controller-app, which is what the unit tests and the standalone jar run. This test holds them
 * together: every bundle of baton-standalone (with the features it includes) that is also on this
 * test's class path (controller-app's dependencies, from the local Maven repository) must have the
 * same version.
 */
class FeatureVersionsIT {
    @Test
    void featureBundlesHaveTheVersionsTheBuildResolves() throws Exception {
        // baton-standalone and what it includes (baton-core, baton-jersey): baton-odl names
        // OpenDaylight's Jersey version, not the one controller-app is built with.
        Map<String, String> named = FeatureRepository.read(Path.of(System.getProperty("baton.it.features")))
                .artifacts("baton-standalone");
        List<String> compared = new ArrayList<>();
        List<String> mismatches = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            String path = entry.replace(File.separatorChar, '/');
            for (Map.Entry<String, String> e : named.entrySet()) {
                String[] ga = e.getKey().split("/");
                String dir = "/" + ga[0].replace('.', '/') + "/" + ga[1] + "/";
                int at = path.indexOf(dir);
                if (at < 0) {
                    continue;
                }
                String rest = path.substring(at + dir.length());
                String version = rest.substring(0, rest.indexOf('/'));
                compared.add(e.getKey());
                if (!version.equals(e.getValue())) {
                    mismatches.add(e.getKey() + ": feature " + e.getValue() + ", build " + version);
                }
            }
        }
        assertTrue(compared.contains("org.glassfish.jersey.core/jersey-server")
                        && compared.contains("org.projectfloodlight/openflowj"),
                "the class path should hold controller-app's dependencies; compared only " + compared);
        assertEquals(List.of(), mismatches, "versions in src/main/feature/feature.xml (karaf-features/pom.xml properties)");
    }
}
