package io.baton.dispatcher.policy;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Creates policies by configuration name. Every call returns a new instance with its own state.
 * Unknown names, unknown parameters and out-of-range values are IllegalArgumentExceptions that
 * name the offender.
 *
 * <pre>
 * round-robin                 (no parameters)
 * weighted-round-robin        slowStartMillis=0
 * least-connections           (no parameters)
 * weighted-least-connections  slowStartMillis=0
 * source-hash                 (no parameters)
 * consistent-hash             key=source|path|host|header:NAME|cookie:NAME, tableSize=65537 (prime)
 * lard                        tLow=25, tHigh=65, maxTargets=100000
 * lard-r                      tLow=25, tHigh=65, shrinkAfterMillis=20000, maxTargets=100000
 * cap                         large=..., disk=..., dynamic=..., static=... (comma-separated '/prefix'
 *                             or '.ext' patterns), defaultClass=dynamic
 * session-affinity            cookie=JSESSIONID, routeTag=jvmRoute, stickToDraining=false,
 *                             maxSessions=100000, fallback=round-robin, fallback.KEY=VALUE
 * </pre>
 */
public final class PolicyFactory {
    /** Every name {@link #create} accepts. */
    public static final List<String> NAMES = Collections.unmodifiableList(Arrays.asList(
            "round-robin", "weighted-round-robin", "least-connections", "weighted-least-connections",
            "source-hash", "consistent-hash", "lard", "lard-r", "cap", "session-affinity"));

    static final int DEFAULT_TABLE_SIZE = 65537;     // the prime Maglev's evaluation uses (§5.3)
    static final int DEFAULT_T_LOW = 25;             // Pai et al. §2.2
    static final int DEFAULT_T_HIGH = 65;
    static final long DEFAULT_SHRINK_MILLIS = 20_000; // Pai et al. §2.3: K = 20 s
    private static final long DAY_MILLIS = 86_400_000L;

    static final String DEFAULT_STATIC = ".html,.htm,.css,.js,.png,.jpg,.jpeg,.gif,.ico,.svg,.webp,.woff,.woff2,.txt";
    static final String DEFAULT_DYNAMIC = "/cgi-bin/,/api/,.php,.jsp,.asp,.aspx,.cgi,.do";
    static final String DEFAULT_DISK = "";
    static final String DEFAULT_LARGE = ".mp4,.webm,.mkv,.iso,.zip,.tar,.gz,.tgz,.pdf";

    private PolicyFactory() {
    }

    /**
     * @param name one of {@link #NAMES}
     * @param params may be null or empty for defaults
     */
    public static Policy create(String name, Map<String, String> params) {
        if (name == null) {
            throw new IllegalArgumentException("policy name is required (one of " + NAMES + ")");
        }
        Params p = new Params(name, params);
        Policy policy;
        switch (name) {
            case "round-robin":
                policy = new RoundRobinPolicy();
                break;
            case "weighted-round-robin":
                policy = new SmoothWeightedRoundRobinPolicy(p.longValue("slowStartMillis", 0, 0, DAY_MILLIS));
                break;
            case "least-connections":
                policy = new LeastConnectionsPolicy(false, 0);
                break;
            case "weighted-least-connections":
                policy = new LeastConnectionsPolicy(true, p.longValue("slowStartMillis", 0, 0, DAY_MILLIS));
                break;
            case "source-hash":
                policy = new SourceHashPolicy();
                break;
            case "consistent-hash":
                policy = consistentHash(p);
                break;
            case "lard":
            case "lard-r":
                policy = lard(p, name.equals("lard-r"));
                break;
            case "cap":
                policy = cap(p);
                break;
            case "session-affinity":
                policy = sessionAffinity(p);
                break;
            default:
                throw new IllegalArgumentException("unknown policy '" + name + "' (one of " + NAMES + ")");
        }
        p.requireNoOthers();
        return policy;
    }

    private static Policy consistentHash(Params p) {
        String keySpec = p.string("key", "source");
        HashKey key = HashKey.parse(keySpec);
        if (key == null) {
            throw p.bad("key", keySpec, "one of path, host, source, header:NAME, cookie:NAME");
        }
        int m = p.intValue("tableSize", DEFAULT_TABLE_SIZE, 3, 10_000_019);
        if (!MaglevTable.isPrime(m)) {
            throw p.bad("tableSize", String.valueOf(m), "a prime (Maglev §3.4), e.g. 65537 or 655373");
        }
        return new ConsistentHashPolicy(key, m);
    }

    private static Policy lard(Params p, boolean replicated) {
        int tLow = p.intValue("tLow", DEFAULT_T_LOW, 0, 1_000_000);
        int tHigh = p.intValue("tHigh", DEFAULT_T_HIGH, 1, 1_000_000);
        if (tLow >= tHigh) {
            throw p.bad("tLow", String.valueOf(tLow), "below tHigh (" + tHigh + ")");
        }
        long shrink = replicated ? p.longValue("shrinkAfterMillis", DEFAULT_SHRINK_MILLIS, 0, DAY_MILLIS) : 0;
        int maxTargets = p.intValue("maxTargets", 100_000, 1, 10_000_000);
        return new LardPolicy(replicated, tLow, tHigh, shrink, maxTargets);
    }

    private static Policy cap(Params p) {
        Map<String, List<String>> patterns = new LinkedHashMap<>();
        patterns.put("large", CapPolicy.parsePatterns("cap", "large", p.string("large", DEFAULT_LARGE)));
        patterns.put("disk", CapPolicy.parsePatterns("cap", "disk", p.string("disk", DEFAULT_DISK)));
        patterns.put("dynamic", CapPolicy.parsePatterns("cap", "dynamic", p.string("dynamic", DEFAULT_DYNAMIC)));
        patterns.put("static", CapPolicy.parsePatterns("cap", "static", p.string("static", DEFAULT_STATIC)));
        String def = p.string("defaultClass", "dynamic");
        if (!CapPolicy.CLASSES.contains(def)) {
            throw p.bad("defaultClass", def, "one of " + CapPolicy.CLASSES);
        }
        return new CapPolicy(patterns, def);
    }

    private static Policy sessionAffinity(Params p) {
        String cookie = p.string("cookie", "JSESSIONID");
        if (cookie.isEmpty()) {
            throw p.bad("cookie", cookie, "a cookie name");
        }
        String routeTag = p.string("routeTag", "jvmRoute");
        boolean stickToDraining = p.bool("stickToDraining", false);
        int maxSessions = p.intValue("maxSessions", 100_000, 1, 10_000_000);
        String fallbackName = p.string("fallback", "round-robin");
        if (fallbackName.equals("session-affinity")) {
            throw p.bad("fallback", fallbackName, "a policy other than session-affinity");
        }
        Policy fallback;
        try {
            fallback = create(fallbackName, p.withPrefix("fallback."));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("policy 'session-affinity': parameter 'fallback': " + e.getMessage(), e);
        }
        return new SessionAffinityPolicy(cookie, routeTag, stickToDraining, fallback, maxSessions);
    }
}
