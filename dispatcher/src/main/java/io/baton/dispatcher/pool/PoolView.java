package io.baton.dispatcher.pool;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * An immutable snapshot of a pool at one instant: its servers in configuration order and the
 * time the snapshot was taken (policies use it for slow start and LARD/R's replica timeout, so
 * they never read a clock themselves and stay deterministic under test).
 */
public final class PoolView {
    private final String name;
    private final List<ServerView> servers;
    private final long nowMillis;
    /** Built at the first look-up by name: most policies never make one. */
    private Index byName;

    /** Final, so that another thread that sees the index sees its entries too (JLS 17.5). */
    private static final class Index {
        final Map<String, ServerView> map;

        Index(List<ServerView> servers) {
            Map<String, ServerView> m = new HashMap<>(servers.size() * 2);
            for (ServerView s : servers) {
                m.put(s.name(), s);
            }
            this.map = m;
        }
    }

    private PoolView(String name, List<ServerView> servers, long nowMillis) {
        this.name = name;
        this.servers = servers;
        this.nowMillis = nowMillis;
    }

    /** @throws IllegalArgumentException if two servers share a name */
    public static PoolView of(String name, List<ServerView> servers, long nowMillis) {
        Objects.requireNonNull(name, "name");
        List<ServerView> copy = new ArrayList<>(servers.size());
        for (ServerView s : servers) {
            copy.add(Objects.requireNonNull(s, "server"));
        }
        PoolView view = new PoolView(name, Collections.unmodifiableList(copy), nowMillis);
        Index index = new Index(copy);
        if (index.map.size() != copy.size()) { // a name twice: find it for the message
            Set<String> seen = new HashSet<>();
            for (ServerView s : copy) {
                if (!seen.add(s.name())) {
                    throw new IllegalArgumentException("pool '" + name + "' lists server '" + s.name() + "' twice");
                }
            }
        }
        view.byName = index;
        return view;
    }

    /**
     * A view of servers whose names the caller knows to be distinct (keys of its own map), built
     * for every request: the list is taken as it is (the caller must not change it afterwards)
     * and indexed by name only if a policy asks for a server by name.
     */
    public static PoolView ofDistinct(String name, List<ServerView> servers, long nowMillis) {
        Objects.requireNonNull(name, "name");
        return new PoolView(name, Collections.unmodifiableList(servers), nowMillis);
    }

    public String name() { return name; }

    /** In configuration order, which round-robin follows. */
    public List<ServerView> servers() { return servers; }

    public long nowMillis() { return nowMillis; }

    public Optional<ServerView> server(String serverName) {
        Index index = byName;
        if (index == null) {
            index = new Index(servers); // two threads may both build it: the same content
            byName = index;
        }
        return Optional.ofNullable(index.map.get(serverName));
    }

    @Override
    public String toString() {
        return "pool " + name + " " + servers;
    }
}
