package io.baton.controller.pool;

import io.baton.controller.config.PoolConfig;
import io.baton.controller.config.ServiceConfig;
import io.baton.controller.handoff.AgentSession;
import io.baton.dispatcher.pool.PoolView;
import io.baton.dispatcher.pool.ServerState;
import io.baton.dispatcher.pool.ServerView;
import io.baton.flowrules.api.Ipv4Address;
import io.baton.flowrules.api.MacAddress;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The one owner of the server pool: which servers exist, which pools they belong to, whose
 * agent is connected, and their live load. Policies never see this object, only the immutable
 * {@link PoolView} it makes. Engine thread only; others ask the engine for a report.
 */
public final class ServerRegistry {
    private final Map<Ipv4Address, Server> servers = new LinkedHashMap<>();
    /** service name → pool name → member addresses, in config order. */
    private final Map<String, Map<String, List<Ipv4Address>>> members = new HashMap<>();

    public ServerRegistry(List<ServiceConfig> services) {
        for (ServiceConfig s : services) {
            Map<String, List<Ipv4Address>> pools = new LinkedHashMap<>();
            for (PoolConfig p : s.pools()) {
                pools.put(p.name(), List.copyOf(p.servers()));
                for (Ipv4Address a : p.servers()) {
                    servers.computeIfAbsent(a, Server::new);
                }
            }
            members.put(s.name(), pools);
        }
    }

    public Server get(Ipv4Address address) {
        return servers.get(address);
    }

    public Server byName(String name) {
        try {
            return servers.get(Ipv4Address.parse(name));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    public Collection<Server> all() {
        return servers.values();
    }

    /**
     * An agent authenticated for {@code address}. Returns the session it replaces (to be closed),
     * or null. An address in no pool is tracked but gets no traffic until a pool names it.
     */
    public AgentSession agentUp(Ipv4Address address, AgentSession session, MacAddress mac, long nowMillis) {
        Server s = servers.computeIfAbsent(address, Server::new);
        AgentSession old = s.agent();
        s.agentUp(session, mac, nowMillis);
        return old == session ? null : old;
    }

    /** The session ended; only the server's current session counts (a replaced one is ignored). */
    public Server agentDown(AgentSession session) {
        Server s = servers.get(session.serverAddress());
        if (s != null && s.agent() == session) {
            s.agentDown();
            return s;
        }
        return null;
    }

    /**
     * The pool as a policy may see it now. A server is ACTIVE only if its agent is connected and
     * {@code reachable} says the switch can reach it; otherwise DOWN.
     */
    public PoolView view(String service, String pool, long nowMillis, Predicate<Server> reachable) {
        List<Ipv4Address> addrs = members.getOrDefault(service, Map.of()).getOrDefault(pool, List.of());
        List<ServerView> views = new ArrayList<>(addrs.size());
        for (Ipv4Address a : addrs) {
            Server s = servers.get(a);
            boolean up = s.agent() != null && reachable.test(s);
            views.add(ServerView.builder().name(s.name()).state(up ? ServerState.ACTIVE : ServerState.DOWN)
                    .activeConnections(s.activeConnections).upSinceMillis(s.upSinceMillis()).build());
        }
        return PoolView.of(pool, views, nowMillis);
    }

    public void handoffSucceeded(Server s) {
        s.handoffsOk++;
        s.activeConnections++;
    }

    public void handoffFailed(Server s) {
        s.handoffsFailed++;
    }

    public void connectionEnded(Server s) {
        if (s.activeConnections > 0) {
            s.activeConnections--;
        }
    }

    /** One row per (service, pool, server), for the REST API. */
    public List<Map<String, Object>> report() {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Map.Entry<String, Map<String, List<Ipv4Address>>> svc : members.entrySet()) {
            for (Map.Entry<String, List<Ipv4Address>> pool : svc.getValue().entrySet()) {
                for (Ipv4Address a : pool.getValue()) {
                    Server s = servers.get(a);
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("service", svc.getKey());
                    row.put("pool", pool.getKey());
                    row.put("address", a.toString());
                    row.put("state", s.agent() != null ? "up" : "down");
                    row.put("agentConnected", s.agent() != null);
                    row.put("mac", s.mac() == null ? null : s.mac().toString());
                    row.put("activeConnections", s.activeConnections);
                    row.put("handoffsOk", s.handoffsOk);
                    row.put("handoffsFailed", s.handoffsFailed);
                    rows.add(row);
                }
            }
        }
        return rows;
    }
}
