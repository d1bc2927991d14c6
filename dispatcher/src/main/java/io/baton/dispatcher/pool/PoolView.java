package io.baton.dispatcher.pool;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * An immutable snapshot of a pool at one instant: its servers in configuration order and the
 * time the snapshot was taken (policies use it for slow start and LARD/R's replica timeout, so
 * they never read a clock themselves and stay deterministic under test).
 */
public final class PoolView {
    private final String name;
    private final List<ServerView> servers;
    private final Map<String, ServerView> byName;
    private final long nowMillis;

    private PoolView(String name, List<ServerView> servers, long nowMillis) {
        this.name = name;
        this.servers = servers;
        this.nowMillis = nowMillis;
        Map<String, ServerView> m = new HashMap<>(servers.size() * 2);
        for (ServerView s : servers) {
            if (m.put(s.name(), s) != null) {
                throw new IllegalArgumentException("pool '" + name + "' lists server '" + s.name() + "' twice");
            }
        }
        this.byName = m;
    }

    /** @throws IllegalArgumentException if two servers share a name */
    public static PoolView of(String name, List<ServerView> servers, long nowMillis) {
        Objects.requireNonNull(name, "name");
        List<ServerView> copy = new ArrayList<>(servers.size());
        for (ServerView s : servers) {
            copy.add(Objects.requireNonNull(s, "server"));
        }
        return new PoolView(name, Collections.unmodifiableList(copy), nowMillis);
    }

    public String name() { return name; }

    /** In configuration order, which round-robin follows. */
    public List<ServerView> servers() { return servers; }

    public long nowMillis() { return nowMillis; }

    public Optional<ServerView> server(String serverName) {
        return Optional.ofNullable(byName.get(serverName));
    }

    @Override
    public String toString() {
        return "pool " + name + " " + servers;
    }
}
