package io.baton.dispatcher.rules;

import io.baton.dispatcher.request.HttpRequestHead;
import io.baton.dispatcher.request.RequestInfo;
import io.baton.dispatcher.request.TlsClientHello;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Content rules compiled for lookup: the first rule in declaration order whose conditions all
 * hold chooses the pool; otherwise the default pool. Immutable and safe to share across threads.
 *
 * <p>Each rule is filed under one index key it cannot match without: its exact host (a hash
 * map), else its path prefix (a {@link PrefixTrie}; its pathPrefix or the literal prefix of its
 * {@code ^}-anchored path regex, whichever is longer, see {@link RegexCondition}), else its first
 * header-equals condition (name, then value, in maps), else its wildcard host suffix, else its
 * SNI (exact or suffix), else an "always check" list. A lookup gathers the ascending index lists
 * its host, path, headers and SNI select, merges them by rule index ({@link CandidateLists}),
 * and evaluates the candidates in that order, so the first match is the same as a linear scan's
 * (a property tested against {@link ContentRule#matches}) while hundreds of rules on distinct
 * hosts, prefixes or anchored regexes cost a few map probes and one trie walk. Regexes that are
 * evaluated skip the matcher when a literal they require is missing from the input.
 */
public final class RuleSet {
    private static final int[] NONE = new int[0];

    private final List<ContentRule> rules;
    private final ContentRule[] ruleArray;
    private final String defaultPool;
    private final Map<String, int[]> exactHost;
    private final Map<String, int[]> hostSuffix;   // ".example.com" -> rules for "*.example.com"
    private final PrefixTrie pathPrefixes;
    private final String[] headerNames;                 // lower-case names of headerEquals keys
    private final List<Map<String, int[]>> headerValues; // per name: value -> rules
    private final Map<String, int[]> exactSni;
    private final Map<String, int[]> sniSuffix;
    private final int[] unindexed;

    private RuleSet(List<ContentRule> rules, String defaultPool) {
        this.rules = rules;
        this.ruleArray = rules.toArray(new ContentRule[0]);
        this.defaultPool = defaultPool;
        Map<String, List<Integer>> eh = new HashMap<>();
        Map<String, List<Integer>> hs = new HashMap<>();
        Map<String, List<Integer>> es = new HashMap<>();
        Map<String, List<Integer>> ss = new HashMap<>();
        Map<String, Map<String, List<Integer>>> he = new HashMap<>();
        PrefixTrie.Builder trie = new PrefixTrie.Builder();
        List<Integer> rest = new ArrayList<>();
        for (int i = 0; i < rules.size(); i++) {
            ContentRule r = rules.get(i);
            NamePattern host = r.hostPattern();
            NamePattern sni = r.sniPattern();
            if (host != null && host.isExact()) {
                eh.computeIfAbsent(host.exact(), k -> new ArrayList<>()).add(i);
            } else if (r.requiredPathPrefix() != null) {
                trie.add(r.requiredPathPrefix(), i);
            } else if (r.firstHeaderEquals() != null) {
                ContentRule.HeaderCondition c = r.firstHeaderEquals();
                he.computeIfAbsent(c.name(), k -> new HashMap<>())
                        .computeIfAbsent(c.equalsValue(), k -> new ArrayList<>()).add(i);
            } else if (host != null) {
                hs.computeIfAbsent(host.suffix(), k -> new ArrayList<>()).add(i);
            } else if (sni != null && sni.isExact()) {
                es.computeIfAbsent(sni.exact(), k -> new ArrayList<>()).add(i);
            } else if (sni != null) {
                ss.computeIfAbsent(sni.suffix(), k -> new ArrayList<>()).add(i);
            } else {
                rest.add(i);
            }
        }
        exactHost = freeze(eh);
        hostSuffix = freeze(hs);
        exactSni = freeze(es);
        sniSuffix = freeze(ss);
        pathPrefixes = trie.build();
        headerNames = he.keySet().toArray(new String[0]);
        List<Map<String, int[]>> values = new ArrayList<>();
        for (String name : headerNames) {
            values.add(freeze(he.get(name)));
        }
        headerValues = values;
        unindexed = toArray(rest);
    }

    /**
     * @param rules in priority order; the first that matches wins
     * @param defaultPool used when no rule matches
     */
    public static RuleSet compile(List<ContentRule> rules, String defaultPool) {
        if (defaultPool == null || defaultPool.isEmpty()) {
            throw new IllegalArgumentException("defaultPool must not be empty");
        }
        List<ContentRule> copy = new ArrayList<>(rules.size());
        for (ContentRule r : rules) {
            copy.add(Objects.requireNonNull(r, "rule"));
        }
        return new RuleSet(Collections.unmodifiableList(copy), defaultPool);
    }

    public List<ContentRule> rules() { return rules; }

    public String defaultPool() { return defaultPool; }

    /** The pool of the first matching rule, else the default pool. */
    public String poolFor(RequestInfo r) {
        int i = firstMatch(r);
        return i < 0 ? defaultPool : ruleArray[i].pool();
    }

    /** The first matching rule in declaration order, if any. */
    public Optional<ContentRule> match(RequestInfo r) {
        int i = firstMatch(r);
        return i < 0 ? Optional.empty() : Optional.of(ruleArray[i]);
    }

    /** Index of the first matching rule, or -1. */
    private int firstMatch(RequestInfo r) {
        CandidateLists lists = new CandidateLists();
        Optional<HttpRequestHead> http = r.http();
        if (http.isPresent()) {
            HttpRequestHead h = http.get();
            Optional<String> host = h.host();
            if (host.isPresent()) {
                addExact(exactHost, host.get(), lists);
                addSuffixes(hostSuffix, host.get(), lists);
            }
            pathPrefixes.collect(h.path(), lists);
            for (int j = 0; j < headerNames.length; j++) {
                Optional<String> v = h.header(headerNames[j]);
                if (v.isPresent()) {
                    addExact(headerValues.get(j), v.get(), lists);
                }
            }
            lists.add(unindexed);
            for (int i = lists.next(); i >= 0; i = lists.next()) {
                if (ruleArray[i].matchesHttp(h)) {
                    return i;
                }
            }
            return -1;
        }
        String sni = r.tls().flatMap(TlsClientHello::serverName).orElse(null);
        if (sni != null) {
            addExact(exactSni, sni, lists);
            addSuffixes(sniSuffix, sni, lists);
        }
        lists.add(unindexed);
        for (int i = lists.next(); i >= 0; i = lists.next()) {
            if (ruleArray[i].matchesTls(sni)) {
                return i;
            }
        }
        return -1;
    }

    private static void addExact(Map<String, int[]> map, String name, CandidateLists out) {
        int[] l = map.get(name);
        if (l != null) {
            out.add(l);
        }
    }

    /** For "a.b.example.com" probes ".b.example.com", ".example.com", ".com". */
    private static void addSuffixes(Map<String, int[]> map, String name, CandidateLists out) {
        if (map.isEmpty()) {
            return;
        }
        for (int i = name.indexOf('.', 1); i > 0; i = name.indexOf('.', i + 1)) {
            int[] l = map.get(name.substring(i));
            if (l != null) {
                out.add(l);
            }
        }
    }

    private static Map<String, int[]> freeze(Map<String, List<Integer>> m) {
        Map<String, int[]> out = new HashMap<>(m.size() * 2);
        for (Map.Entry<String, List<Integer>> e : m.entrySet()) {
            out.put(e.getKey(), toArray(e.getValue()));
        }
        return out;
    }

    private static int[] toArray(List<Integer> l) {
        return l.isEmpty() ? NONE : l.stream().mapToInt(Integer::intValue).toArray();
    }

    @Override
    public String toString() {
        return "RuleSet{" + rules.size() + " rules, default=" + defaultPool + "}";
    }
}
