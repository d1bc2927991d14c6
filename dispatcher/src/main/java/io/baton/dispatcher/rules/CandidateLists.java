package io.baton.dispatcher.rules;

import java.util.Arrays;

/**
 * The ascending rule-index lists one lookup selected, read back as one ascending sequence (a
 * k-way merge), so candidates are evaluated in declaration order. Each rule is filed under one
 * index key, so no index appears in two lists. One per lookup, not thread-safe.
 */
final class CandidateLists {
    private int[][] lists = new int[8][];
    private int[] cursor = new int[8];
    private int count;

    /** Adds one ascending list; empty lists are ignored. */
    void add(int[] list) {
        if (list.length == 0) {
            return;
        }
        if (count == lists.length) {
            lists = Arrays.copyOf(lists, count * 2);
            cursor = Arrays.copyOf(cursor, count * 2);
        }
        lists[count++] = list;
    }

    /** The smallest index not yet returned, or -1 when every list is exhausted. */
    int next() {
        int best = -1;
        int bestRule = Integer.MAX_VALUE;
        for (int j = 0; j < count; j++) {
            int c = cursor[j];
            if (c < lists[j].length && lists[j][c] < bestRule) {
                bestRule = lists[j][c];
                best = j;
            }
        }
        if (best < 0) {
            return -1;
        }
        cursor[best]++;
        return bestRule;
    }
}
