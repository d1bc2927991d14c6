package io.baton.karaf;

import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Karaf feature repository as the tests read it: its features by name, each with the features it
 * needs and the bundle URLs it names, and the closure of a feature within the repository.
 */
final class FeatureRepository {
    private static final Pattern MVN = Pattern.compile("mvn:([^/\\s]+)/([^/\\s]+)/([^/$<\\s]+)");

    private final Map<String, Feature> features;
    private final int repositoryReferences;

    private FeatureRepository(Map<String, Feature> features, int repositoryReferences) {
        this.features = features;
        this.repositoryReferences = repositoryReferences;
    }

    static FeatureRepository read(Path file) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
        Document doc = f.newDocumentBuilder().parse(file.toFile());
        Map<String, Feature> out = new LinkedHashMap<>();
        for (Element e : children(doc.getDocumentElement(), "feature")) {
            List<FeatureRef> needs = new ArrayList<>();
            for (Element d : children(e, "feature")) {
                needs.add(new FeatureRef(d.getTextContent().trim(), d.getAttribute("version"),
                        Boolean.parseBoolean(d.getAttribute("prerequisite"))));
            }
            List<String> bundles = new ArrayList<>();
            for (Element b : children(e, "bundle")) {
                bundles.add(b.getTextContent().trim());
            }
            out.put(e.getAttribute("name"), new Feature(e.getAttribute("name"),
                    Boolean.parseBoolean(e.getAttribute("hidden")), needs, bundles));
        }
        return new FeatureRepository(out, children(doc.getDocumentElement(), "repository").size());
    }

    private static List<Element> children(Element parent, String name) {
        List<Element> out = new ArrayList<>();
        NodeList nodes = parent.getChildNodes();
        for (int i = 0; i < nodes.getLength(); i++) {
            Node n = nodes.item(i);
            if (n instanceof Element && name.equals(n.getLocalName())) {
                out.add((Element) n);
            }
        }
        return out;
    }

    Map<String, Feature> features() {
        return Collections.unmodifiableMap(features);
    }

    Optional<Feature> feature(String name) {
        return Optional.ofNullable(features.get(name));
    }

    int repositoryReferences() {
        return repositoryReferences;
    }

    /** The feature and every feature of this repository it needs, transitively, in order. */
    List<Feature> closure(String name) {
        Set<String> seen = new LinkedHashSet<>();
        List<Feature> out = new ArrayList<>();
        collect(name, seen, out);
        return out;
    }

    private void collect(String name, Set<String> seen, List<Feature> out) {
        Feature f = features.get(name);
        if (f == null || !seen.add(name)) {
            return;
        }
        out.add(f);
        for (FeatureRef r : f.needs) {
            collect(r.name, seen, out);
        }
    }

    /** Features the closure needs that this repository does not define: the platform's. */
    List<FeatureRef> external(String name) {
        List<FeatureRef> out = new ArrayList<>();
        for (Feature f : closure(name)) {
            for (FeatureRef r : f.needs) {
                if (!features.containsKey(r.name)) {
                    out.add(r);
                }
            }
        }
        return out;
    }

    /** Every bundle URL of the closure. */
    List<String> bundles(String name) {
        List<String> out = new ArrayList<>();
        for (Feature f : closure(name)) {
            out.addAll(f.bundles);
        }
        return out;
    }

    /** groupId/artifactId to version of each mvn: URL (inside wrap: too) of the closure. */
    Map<String, String> artifacts(String name) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String url : bundles(name)) {
            Matcher m = MVN.matcher(url);
            if (!m.find()) {
                throw new AssertionError("not an mvn: bundle: " + url);
            }
            String previous = out.put(m.group(1) + "/" + m.group(2), m.group(3));
            if (previous != null && !previous.equals(m.group(3))) {
                throw new AssertionError(name + " names " + m.group(1) + "/" + m.group(2) + " twice: " + previous
                        + " and " + m.group(3));
            }
        }
        return out;
    }

    static final class Feature {
        final String name;
        final boolean hidden;
        final List<FeatureRef> needs;
        final List<String> bundles;

        Feature(String name, boolean hidden, List<FeatureRef> needs, List<String> bundles) {
            this.name = name;
            this.hidden = hidden;
            this.needs = List.copyOf(needs);
            this.bundles = List.copyOf(bundles);
        }
    }

    static final class FeatureRef {
        final String name;
        /** The version or range asked for; empty: any. */
        final String version;
        final boolean prerequisite;

        FeatureRef(String name, String version, boolean prerequisite) {
            this.name = name;
            this.version = version;
            this.prerequisite = prerequisite;
        }

        @Override
        public String toString() {
            return name + (version.isEmpty() ? "" : "/" + version);
        }
    }
}
