package io.baton.controller.handoff;

import io.baton.controller.connection.Connection;
import io.baton.controller.connection.ConnectionKey;

/**
 * The closed connections whose rules still linger, by key, for a client that reuses its port at
 * once. Open addressing over one array of the connections themselves (linear probing, deletion
 * by backward shift), so an entry costs no object of its own: a HashMap node per close, kept for
 * the two seconds of the linger, survived young collections and doubled the controller bench's
 * p99 handoff latency (15 to 31 ms at about 40,000 handoffs/s). Engine thread only; the caller
 * bounds the number of entries.
 */
final class LingeringIndex {
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;

    private Connection[] slots = new Connection[1024];
    private int shift = 64 - 10;
    private int size;

    int size() {
        return size;
    }

    /** Indexes {@code c} under its key, in place of any connection indexed there before. */
    void put(Connection c) {
        if ((size + 1) * 2 > slots.length) {
            grow();
        }
        int i = find(c.key());
        if (slots[i] == null) {
            size++;
        }
        slots[i] = c;
    }

    /** The connection indexed under {@code key}, or null. */
    Connection get(ConnectionKey key) {
        return slots[find(key)];
    }

    /** Takes out and returns the connection indexed under {@code key}, or null. */
    Connection remove(ConnectionKey key) {
        int i = find(key);
        Connection c = slots[i];
        if (c != null) {
            deleteAt(i);
        }
        return c;
    }

    /** Takes {@code c} out if it is the one indexed under its key; another one there stays. */
    void remove(Connection c) {
        int i = find(c.key());
        if (slots[i] == c) {
            deleteAt(i);
        }
    }

    /** The slot holding {@code key}, or the empty slot where it would go. */
    private int find(ConnectionKey key) {
        int mask = slots.length - 1;
        int i = home(key);
        while (slots[i] != null && !slots[i].key().equals(key)) {
            i = (i + 1) & mask;
        }
        return i;
    }

    private int home(ConnectionKey key) {
        return (int) ((key.hashCode() * GOLDEN) >>> shift);
    }

    /** Empties slot {@code i}, moving back the entries after it that its emptiness would hide. */
    private void deleteAt(int i) {
        int mask = slots.length - 1;
        int hole = i;
        for (int j = (i + 1) & mask; slots[j] != null; j = (j + 1) & mask) {
            int home = home(slots[j].key());
            // The entry at j may fill the hole if the hole lies between its home and j.
            if (((j - home) & mask) >= ((j - hole) & mask)) {
                slots[hole] = slots[j];
                hole = j;
            }
        }
        slots[hole] = null;
        size--;
    }

    private void grow() {
        Connection[] old = slots;
        slots = new Connection[old.length * 2];
        shift--;
        size = 0;
        for (Connection c : old) {
            if (c != null) {
                slots[find(c.key())] = c;
                size++;
            }
        }
    }
}
