package io.baton.controller.handoff;

import io.baton.controller.connection.Connection;
import io.baton.controller.connection.ConnectionKey;
import io.baton.flowrules.api.Ipv4Address;

import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Connections the controller gave up while their server might still hold them: the server died
 * or went silent (lost, or rescued by another server), or the handoff failed after the commit
 * went out. If that server comes back still holding one, it is aborted there; a packet it still
 * sends into one is dropped rather than forwarded unrewritten (see
 * {@link HandoffCoordinator#serverSegment}). The newest {@link #capacity} are kept; each entry is
 * a few small objects, never the connection itself (its request bytes may be large). Engine
 * thread only.
 */
final class GivenUpConnections {
    private static final class Entry {
        final long id;
        final ConnectionKey key;
        final Ipv4Address server;

        Entry(long id, ConnectionKey key, Ipv4Address server) {
            this.id = id;
            this.key = key;
            this.server = server;
        }
    }

    private final int capacity;
    private final LinkedHashMap<Long, Entry> byId = new LinkedHashMap<>();
    private final Map<ConnectionKey, Entry> byKey = new HashMap<>();

    GivenUpConnections(int capacity) {
        this.capacity = capacity;
    }

    /** Records {@code c}, given up while {@code server} held it. */
    void add(Connection c, Ipv4Address server) {
        Entry e = new Entry(c.id(), c.key(), server);
        Entry before = byId.put(e.id, e);
        if (before != null) {
            byKey.remove(before.key, before);
        }
        byKey.put(e.key, e);
        if (byId.size() > capacity) {
            Iterator<Entry> oldest = byId.values().iterator();
            Entry out = oldest.next();
            oldest.remove();
            byKey.remove(out.key, out);
        }
    }

    /** Whether connection {@code id} was given up while {@code server} held it. */
    boolean wasGivenUp(long id, Ipv4Address server) {
        Entry e = byId.get(id);
        return e != null && e.server.equals(server);
    }

    /** Whether the connection with {@code key} was given up while {@code server} held it. */
    boolean wasGivenUp(ConnectionKey key, Ipv4Address server) {
        Entry e = byKey.get(key);
        return e != null && e.server.equals(server);
    }

    int size() {
        return byId.size();
    }
}
