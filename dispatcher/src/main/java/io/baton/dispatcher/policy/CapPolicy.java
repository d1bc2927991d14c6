package io.baton.dispatcher.policy;

import io.baton.dispatcher.pool.PoolView;
import io.baton.dispatcher.request.HttpRequestHead;
import io.baton.dispatcher.request.RequestInfo;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * CAP, the client-aware policy of Casalicchio and Colajanni ("A Client-Aware Dispatching
 * Algorithm for Web Clusters Providing Multiple Services", WWW10, 2001): requests are sorted
 * by the resource they will mostly consume (static, dynamic/CPU, disk, large transfers) and
 * each class is spread round-robin on its own, so every server receives a balanced mix of
 * heavy and light work instead of whatever the global sequence happens to deal it.
 *
 * <p>Classes are recognised from the normalised path by patterns: one starting with '/' is a
 * path prefix, one starting with '.' is a file extension (path suffix). Classes are tried in
 * the order large, disk, dynamic, static; an unrecognised path (and any TLS connection) is in
 * the default class.
 */
final class CapPolicy implements Policy {
    static final List<String> CLASSES = Collections.unmodifiableList(java.util.Arrays.asList("large", "disk", "dynamic", "static"));

    private final Map<String, List<String>> patterns;  // class -> patterns, in trial order
    private final String defaultClass;
    private final Map<String, RoundRobinPolicy> cursors = new LinkedHashMap<>();

    CapPolicy(Map<String, List<String>> patterns, String defaultClass) {
        this.patterns = patterns;
        this.defaultClass = defaultClass;
        for (String c : CLASSES) {
            cursors.put(c, new RoundRobinPolicy());
        }
    }

    @Override
    public Decision choose(RequestInfo request, PoolView pool) {
        return cursors.get(classify(request)).choose(request, pool);
    }

    String classify(RequestInfo request) {
        Optional<HttpRequestHead> h = request.http();
        if (!h.isPresent()) {
            return defaultClass;
        }
        String path = h.get().path();
        for (Map.Entry<String, List<String>> e : patterns.entrySet()) {
            for (String p : e.getValue()) {
                if (p.charAt(0) == '/' ? path.startsWith(p) : path.endsWith(p)) {
                    return e.getKey();
                }
            }
        }
        return defaultClass;
    }

    /** Splits "a, b,,c" into [a, b, c]; each must start with '/' or '.'. */
    static List<String> parsePatterns(String policy, String key, String value) {
        List<String> out = new ArrayList<>();
        for (String part : value.split(",")) {
            String p = part.trim();
            if (p.isEmpty()) {
                continue;
            }
            if (p.charAt(0) != '/' && p.charAt(0) != '.') {
                throw new IllegalArgumentException("policy '" + policy + "': parameter '" + key + "' pattern '" + p
                        + "' must start with '/' (path prefix) or '.' (extension)");
            }
            out.add(p);
        }
        return out;
    }
}
