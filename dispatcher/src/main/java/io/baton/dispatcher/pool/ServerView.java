package io.baton.dispatcher.pool;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * An immutable snapshot of one server as a policy sees it: identity, weight, state and load.
 * The engine builds these from its live counters; policies never mutate them.
 */
public final class ServerView {
    private final String name;
    private final int weight;
    private final ServerState state;
    private final int activeConnections;
    private final int maxConnections;
    private final long upSinceMillis;
    private final Map<String, String> tags;

    private ServerView(Builder b) {
        name = b.name;
        weight = b.weight;
        state = b.state;
        activeConnections = b.activeConnections;
        maxConnections = b.maxConnections;
        upSinceMillis = b.upSinceMillis;
        // Views are built per request, for every member: most servers have no tags.
        tags = b.tags.isEmpty() ? Collections.emptyMap() : Collections.unmodifiableMap(new LinkedHashMap<>(b.tags));
    }

    public static Builder builder(String name) {
        return new Builder().name(name);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder preloaded with this server's fields, to derive a changed snapshot. */
    public Builder toBuilder() {
        Builder b = new Builder().name(name).weight(weight).state(state).activeConnections(activeConnections)
                .maxConnections(maxConnections).upSinceMillis(upSinceMillis);
        b.tags.putAll(tags);
        return b;
    }

    /** The server's key, unique within a pool (e.g. "10.0.0.11"). */
    public String name() { return name; }

    /** Relative capacity, >= 1. */
    public int weight() { return weight; }

    public ServerState state() { return state; }

    /** Connections currently handed to this server and not yet closed. */
    public int activeConnections() { return activeConnections; }

    /** Connection cap; 0 means unlimited. */
    public int maxConnections() { return maxConnections; }

    /** When the server last became ACTIVE (epoch millis), the origin of slow start. */
    public long upSinceMillis() { return upSinceMillis; }

    /** Free-form labels, e.g. "jvmRoute" for session affinity. */
    public Map<String, String> tags() { return tags; }

    public Optional<String> tag(String key) {
        return Optional.ofNullable(tags.get(key));
    }

    /** Below its connection cap (always true when uncapped). */
    public boolean hasCapacity() {
        return maxConnections == 0 || activeConnections < maxConnections;
    }

    /** ACTIVE and below its cap: the only servers a policy may choose for a new connection. */
    public boolean acceptsNewConnections() {
        return state == ServerState.ACTIVE && hasCapacity();
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof ServerView)) {
            return false;
        }
        ServerView s = (ServerView) o;
        return name.equals(s.name) && weight == s.weight && state == s.state
                && activeConnections == s.activeConnections && maxConnections == s.maxConnections
                && upSinceMillis == s.upSinceMillis && tags.equals(s.tags);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, weight, state, activeConnections, maxConnections, upSinceMillis, tags);
    }

    @Override
    public String toString() {
        return name + "{w=" + weight + " " + state + " conns=" + activeConnections
                + (maxConnections == 0 ? "" : "/" + maxConnections) + (tags.isEmpty() ? "" : " " + tags) + "}";
    }

    public static final class Builder {
        private String name;
        private int weight = 1;
        private ServerState state = ServerState.ACTIVE;
        private int activeConnections;
        private int maxConnections;
        private long upSinceMillis;
        private final Map<String, String> tags = new LinkedHashMap<>();

        private Builder() {
        }

        public Builder name(String v) {
            name = v;
            return this;
        }

        public Builder weight(int v) {
            if (v < 1) {
                throw new IllegalArgumentException("weight must be >= 1, was " + v);
            }
            weight = v;
            return this;
        }

        public Builder state(ServerState v) {
            state = Objects.requireNonNull(v, "state");
            return this;
        }

        public Builder activeConnections(int v) {
            if (v < 0) {
                throw new IllegalArgumentException("activeConnections must be >= 0, was " + v);
            }
            activeConnections = v;
            return this;
        }

        public Builder maxConnections(int v) {
            if (v < 0) {
                throw new IllegalArgumentException("maxConnections must be >= 0 (0 = unlimited), was " + v);
            }
            maxConnections = v;
            return this;
        }

        public Builder upSinceMillis(long v) {
            upSinceMillis = v;
            return this;
        }

        public Builder tag(String key, String value) {
            tags.put(Objects.requireNonNull(key, "tag key"), Objects.requireNonNull(value, "tag value"));
            return this;
        }

        public Builder tags(Map<String, String> v) {
            tags.clear();
            for (Map.Entry<String, String> e : v.entrySet()) {
                tag(e.getKey(), e.getValue());
            }
            return this;
        }

        public ServerView build() {
            if (name == null || name.isEmpty()) {
                throw new IllegalArgumentException("server name is required");
            }
            return new ServerView(this);
        }
    }
}
