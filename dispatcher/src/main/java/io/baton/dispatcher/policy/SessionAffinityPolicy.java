package io.baton.dispatcher.policy;

import io.baton.dispatcher.pool.PoolView;
import io.baton.dispatcher.pool.ServerState;
import io.baton.dispatcher.pool.ServerView;
import io.baton.dispatcher.request.RequestInfo;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Sticky sessions by cookie. A value with a route suffix, "SESSIONID.route" as Tomcat and
 * mod_jk write jvmRoute, goes to the server whose tag {@code routeTag} (default "jvmRoute")
 * or name equals the route; the route is the text after the last '.', so a server with a
 * dotted name (an IP address) is reached through its tag. Other values are remembered: the first connection carrying a value
 * is placed by the fallback policy and later ones follow it (a bounded LRU map). Requests
 * without the cookie, and those whose server may not take connections, go to the fallback.
 *
 * <p>The balancer never sees responses (the connection is handed off), so it cannot learn
 * which server issued a cookie; route suffixes are exact, remembered values only keep one
 * session's later connections together. A DRAINING server keeps its sessions only with
 * {@code stickToDraining=true}, the usual meaning of draining in HAProxy and mod_jk.
 */
final class SessionAffinityPolicy implements Policy {
    private final String cookie;
    private final String routeTag;
    private final boolean stickToDraining;
    private final Policy fallback;
    private final Map<String, String> sessions;

    SessionAffinityPolicy(String cookie, String routeTag, boolean stickToDraining, Policy fallback, final int maxSessions) {
        this.cookie = cookie;
        this.routeTag = routeTag;
        this.stickToDraining = stickToDraining;
        this.fallback = fallback;
        this.sessions = new LinkedHashMap<String, String>(256, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
                return size() > maxSessions;
            }
        };
    }

    @Override
    public Decision choose(RequestInfo request, PoolView pool) {
        Optional<String> value = request.http().flatMap(h -> h.cookie(cookie));
        if (!value.isPresent() || value.get().isEmpty()) {
            return fallback.choose(request, pool);
        }
        String v = value.get();
        int dot = v.lastIndexOf('.');
        if (dot >= 0 && dot < v.length() - 1) {
            Optional<ServerView> routed = byRoute(pool, v.substring(dot + 1));
            if (routed.isPresent()) {
                return Decision.forward(routed.get());
            }
        }
        String remembered = sessions.get(v);
        if (remembered != null) {
            Optional<ServerView> s = pool.server(remembered);
            if (s.isPresent() && mayServe(s.get())) {
                return Decision.forward(s.get());
            }
        }
        Decision d = fallback.choose(request, pool);
        if (d.isForward()) {
            sessions.put(v, d.server().name());
        }
        return d;
    }

    private Optional<ServerView> byRoute(PoolView pool, String route) {
        for (ServerView s : pool.servers()) {
            if (route.equals(s.tags().get(routeTag)) && mayServe(s)) {
                return Optional.of(s);
            }
        }
        Optional<ServerView> named = pool.server(route);
        return named.isPresent() && mayServe(named.get()) ? named : Optional.<ServerView>empty();
    }

    private boolean mayServe(ServerView s) {
        if (!s.hasCapacity()) {
            return false;
        }
        return s.state() == ServerState.ACTIVE || (stickToDraining && s.state() == ServerState.DRAINING);
    }

    int rememberedSessions() {
        return sessions.size();
    }
}
