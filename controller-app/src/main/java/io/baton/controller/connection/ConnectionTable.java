package io.baton.controller.connection;

import io.baton.flowrules.api.MacAddress;
import io.baton.flowrules.api.SwitchId;
import io.netty.util.collection.LongObjectHashMap;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one owner of client connection state. Bounded twice: half-open and collecting connections
 * (the cost of an attack) by {@code maxPending}, all connections by {@code maxConnections}.
 * Pending connections are kept in creation order so that expiring them costs only the expired
 * ones. Engine thread only.
 */
public final class ConnectionTable {
    private final int maxPending;
    private final int maxConnections;
    private final Map<ConnectionKey, Connection> byKey = new HashMap<>();
    /** Unboxed ids: about 50 bytes less per tracked connection than a HashMap of Longs (controller bench). */
    private final LongObjectHashMap<Connection> byId = new LongObjectHashMap<>();
    /** SYN_RECEIVED and COLLECTING, oldest first. */
    private final LinkedHashMap<ConnectionKey, Connection> pending = new LinkedHashMap<>();
    private long nextId;

    public ConnectionTable(int maxPending, int maxConnections) {
        this(maxPending, maxConnections, 1);
    }

    /**
     * @param firstId the first connection id: a restarted controller starts above the ids of its
     *                previous run, whose rules and relayed connections may still be live
     */
    public ConnectionTable(int maxPending, int maxConnections, long firstId) {
        if (firstId < 1) {
            throw new IllegalArgumentException("first connection id must be positive: " + firstId);
        }
        this.maxPending = maxPending;
        this.maxConnections = maxConnections;
        this.nextId = firstId;
    }

    /** New connections get ids above {@code id} (one seen in a switch's rules or an agent's list). */
    public void reserveIdsAbove(long id) {
        if (id >= nextId) {
            nextId = id + 1;
        }
    }

    /**
     * Takes back a connection that was handed off before the controller (re)started: it keeps its
     * id, since its rules and its server's agent know it by that id. Null if the id or the key is
     * taken or the table is full.
     */
    public Connection adopt(long id, ConnectionKey key, SwitchId sw, int clientSwitchPort, MacAddress clientMac,
                            long nowNanos) {
        if (byId.containsKey(id) || byKey.containsKey(key) || byKey.size() >= maxConnections) {
            return null;
        }
        Connection c = new Connection(id, key, sw, clientSwitchPort, clientMac, nowNanos);
        c.state(ConnectionState.HANDED_OFF);
        byKey.put(key, c);
        byId.put(id, c);
        reserveIdsAbove(id);
        return c;
    }

    public Connection get(ConnectionKey key) {
        return byKey.get(key);
    }

    public Connection byId(long id) {
        return byId.get(id);
    }

    /** Room for one more half-open connection? When not, the front end answers with SYN cookies. */
    public boolean hasRoomForPending() {
        return pending.size() < maxPending && byKey.size() < maxConnections;
    }

    /** Room for one more connection of any kind (a SYN-cookie connection skips the half-open bound). */
    public boolean hasRoom() {
        return byKey.size() < maxConnections;
    }

    /** Adds a new pending connection; the caller checked {@link #hasRoom()}. */
    public Connection create(ConnectionKey key, SwitchId sw, int port, MacAddress clientMac, long nowNanos,
                             ConnectionState initial) {
        Connection c = new Connection(nextId++, key, sw, port, clientMac, nowNanos);
        c.state(initial);
        byKey.put(key, c);
        byId.put(c.id(), c);
        pending.put(key, c);
        return c;
    }

    public void moveTo(Connection c, ConnectionState s) {
        c.state(s);
        if (s == ConnectionState.HANDING_OFF || s == ConnectionState.HANDED_OFF) {
            pending.remove(c.key());
        }
    }

    public void remove(Connection c) {
        byKey.remove(c.key());
        byId.remove(c.id());
        pending.remove(c.key());
    }

    /** Removes a connection whose server reported its close (its rules are left to linger). */
    public void removeClosed(Connection c) {
        remove(c);
        c.state(ConnectionState.CLOSED);
    }

    /**
     * Removes the oldest connection still waiting for the client's ACK, to make room for a client
     * that proved itself with a SYN cookie: under a flood that entry is almost surely spoofed.
     * Returns it, or null when every pending connection has already sent its ACK.
     */
    public Connection evictOldestHalfOpen() {
        Iterator<Connection> it = pending.values().iterator();
        while (it.hasNext()) {
            Connection c = it.next();
            if (c.state() == ConnectionState.SYN_RECEIVED) {
                it.remove();
                byKey.remove(c.key());
                byId.remove(c.id());
                return c;
            }
        }
        return null;
    }

    /** Removes and returns pending connections created before {@code deadlineNanos}. */
    public List<Connection> expirePending(long createdBeforeNanos) {
        List<Connection> out = new ArrayList<>();
        Iterator<Connection> it = pending.values().iterator();
        while (it.hasNext()) {
            Connection c = it.next();
            if (c.createdNanos() - createdBeforeNanos >= 0) {
                break;
            }
            it.remove();
            byKey.remove(c.key());
            byId.remove(c.id());
            out.add(c);
        }
        return out;
    }

    public int size() {
        return byKey.size();
    }

    public int pendingSize() {
        return pending.size();
    }

    /** A copy, for reports and tests. */
    public List<Connection> snapshot() {
        return new ArrayList<>(byKey.values());
    }
}
