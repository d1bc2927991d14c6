package io.baton.dispatcher.rules;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A character trie over path prefixes; each node holds the indices (ascending) of the rules
 * whose prefix ends there. Walking a path visits exactly the rules whose prefix it starts
 * with, in O(path length), however many rules there are. Immutable once built.
 */
final class PrefixTrie {
    private static final int[] NONE = new int[0];

    private final char[] keys;        // sorted, for binary search
    private final PrefixTrie[] next;
    private final int[] rules;

    private PrefixTrie(char[] keys, PrefixTrie[] next, int[] rules) {
        this.keys = keys;
        this.next = next;
        this.rules = rules;
    }

    /** Rule-index lists of every prefix of {@code path}, shortest first; each list ascending. */
    void collect(String path, CandidateLists out) {
        PrefixTrie node = this;
        int i = 0;
        while (true) {
            out.add(node.rules);
            if (i == path.length()) {
                return;
            }
            int k = Arrays.binarySearch(node.keys, path.charAt(i));
            if (k < 0) {
                return;
            }
            node = node.next[k];
            i++;
        }
    }

    /** Mutable while rules are added in ascending index order, then frozen by {@link #build()}. */
    static final class Builder {
        private final Map<Character, Builder> children = new TreeMap<>();
        private final List<Integer> rules = new ArrayList<>();

        void add(String prefix, int ruleIndex) {
            Builder b = this;
            for (int i = 0; i < prefix.length(); i++) {
                b = b.children.computeIfAbsent(prefix.charAt(i), c -> new Builder());
            }
            b.rules.add(ruleIndex);
        }

        PrefixTrie build() {
            char[] keys = new char[children.size()];
            PrefixTrie[] next = new PrefixTrie[children.size()];
            int i = 0;
            for (Map.Entry<Character, Builder> e : children.entrySet()) {
                keys[i] = e.getKey();
                next[i] = e.getValue().build();
                i++;
            }
            int[] r = rules.isEmpty() ? NONE : rules.stream().mapToInt(Integer::intValue).toArray();
            return new PrefixTrie(keys, next, r);
        }
    }
}
