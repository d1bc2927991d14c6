package io.baton.controller.pool;

import io.baton.controller.config.HealthCheckConfig;
import io.baton.controller.config.MemberConfig;
import io.baton.controller.config.MemberState;
import io.baton.controller.config.PoolConfig;
import io.baton.controller.config.ServiceConfig;
import io.baton.controller.handoff.AgentSession;
import io.baton.dispatcher.pool.PoolView;
import io.baton.dispatcher.pool.ServerState;
import io.baton.dispatcher.pool.ServerView;
import io.baton.flowrules.api.Ipv4Address;
import io.baton.flowrules.api.MacAddress;
import io.baton.flowrules.api.SwitchId;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The one owner of the server pool: which servers exist, which pools they belong to (listed, or
 * joined by their agent's label), whose agent is connected and healthy, and their live load.
 * Policies never see this object, only the immutable {@link PoolView} it makes. Engine thread
 * only; others ask the engine for a report.
 */
public final class ServerRegistry {
    private final Map<Ipv4Address, Server> servers = new LinkedHashMap<>();
    /** The same servers by name, for a policy's decision (no address parsing per dispatch). */
    private final Map<String, Server> byName = new HashMap<>();
    /** service name → pool name → pool, in config order. */
    private Map<String, Map<String, PoolConfig>> pools = Map.of();
    private final int riseHeartbeats;
    /**
     * Moves whenever a member's state may change for a reason other than its load: pools, agents,
     * check verdicts. A cached {@link Members} built at another version is stale.
     */
    private long version;
    /** Per pool (by identity: replaced pools go with {@link #update}), per switch the members last seen there. */
    private final Map<PoolConfig, Map<SwitchId, Members>> membersBySwitch = new IdentityHashMap<>();
    /** Switches remembered per pool; beyond, the pool's entries are dropped and built again. */
    static final int MAX_SWITCHES_PER_POOL = 1024;

    public ServerRegistry(List<ServiceConfig> services, int riseHeartbeats) {
        this.riseHeartbeats = riseHeartbeats;
        update(services);
    }

    /**
     * Adopts a new set of pools. Servers keep their agents, counters and health; a server that
     * leaves every pool is still tracked (its connections run on) but gets no new ones.
     */
    public void update(List<ServiceConfig> services) {
        Map<String, Map<String, PoolConfig>> next = new LinkedHashMap<>();
        for (ServiceConfig s : services) {
            Map<String, PoolConfig> byName = new LinkedHashMap<>();
            for (PoolConfig p : s.pools()) {
                byName.put(p.name(), p);
                for (MemberConfig m : p.members()) {
                    track(m.address());
                }
            }
            next.put(s.name(), byName);
        }
        pools = next;
        for (Server s : servers.values()) {
            s.keepChecks(checksFor(s));
        }
        version++;
        membersBySwitch.clear();
    }

    public Server get(Ipv4Address address) {
        return servers.get(address);
    }

    public Server byName(String name) {
        return byName.get(name);
    }

    private Server track(Ipv4Address address) {
        return servers.computeIfAbsent(address, a -> {
            Server s = new Server(a);
            byName.put(s.name(), s);
            return s;
        });
    }

    public Collection<Server> all() {
        return servers.values();
    }

    /**
     * An agent authenticated for {@code address}. Returns the session it replaces (to be closed),
     * or null. An address in no pool is tracked but gets no traffic until a pool names it.
     */
    public AgentSession agentUp(Ipv4Address address, AgentSession session, MacAddress mac, long nowMillis) {
        Server s = track(address);
        AgentSession old = s.agent();
        s.agentUp(session, mac, nowMillis);
        s.keepChecks(checksFor(s));
        version++;
        return old == session ? null : old;
    }

    /** The session ended; only the server's current session counts (a replaced one is ignored). */
    public Server agentDown(AgentSession session) {
        Server s = servers.get(session.serverAddress());
        if (s != null && s.agent() == session) {
            s.agentDown();
            version++;
            return s;
        }
        return null;
    }

    /** The health checks {@code s}'s agent should run: one per pool it is in that has a check. */
    public Map<String, HealthCheckConfig> checksFor(Server s) {
        Map<String, HealthCheckConfig> out = new LinkedHashMap<>();
        for (Map.Entry<String, Map<String, PoolConfig>> svc : pools.entrySet()) {
            for (PoolConfig p : svc.getValue().values()) {
                if (p.healthCheck() != null && isMember(p, s)) {
                    out.put(checkId(svc.getKey(), p.name()), p.healthCheck());
                }
            }
        }
        return out;
    }

    /** A check result from {@code s}'s agent; true if the check's verdict changed. */
    public boolean checkResult(Server s, String checkId, boolean ok) {
        HealthCheckConfig cfg = configOf(checkId);
        boolean changed = cfg != null && s.checkResult(checkId, ok, cfg.rise(), cfg.fall());
        if (changed) {
            version++;
        }
        return changed;
    }

    private HealthCheckConfig configOf(String checkId) {
        int slash = checkId.indexOf('/');
        if (slash < 0) {
            return null;
        }
        PoolConfig p = pools.getOrDefault(checkId.substring(0, slash), Map.of()).get(checkId.substring(slash + 1));
        return p == null ? null : p.healthCheck();
    }

    public static String checkId(String service, String pool) {
        return service + "/" + pool;
    }

    private static boolean isMember(PoolConfig p, Server s) {
        return p.member(s.address()).isPresent() || joinsByLabel(p, s);
    }

    private static boolean joinsByLabel(PoolConfig p, Server s) {
        return s.agent() != null && !s.agent().label().isEmpty() && p.labels().contains(s.agent().label());
    }

    /**
     * The pool as a policy may see it now: listed members, then servers whose connected agent
     * announced one of the pool's labels.
     */
    public PoolView view(String service, String pool, long nowMillis, Predicate<Server> reachable) {
        PoolConfig p = pools.getOrDefault(service, Map.of()).get(pool);
        if (p == null) {
            return PoolView.of(pool, List.of(), nowMillis);
        }
        return PoolView.ofDistinct(pool, Members.build(this, service, p, reachable, 0).views(), nowMillis);
    }

    /**
     * As {@link #view(String, String, long, Predicate)} for a connection that arrived at switch
     * {@code at}, where {@code reachable} answers the same for every connection at that switch
     * until {@code reachabilityVersion} moves (the host table's version, say). Each member's state
     * is then worked out once per switch and kept until something it depends on changes; only the
     * loads are read per request. Otherwise a pool of n servers costs n look-ups in the server
     * and host tables per handoff: about a fifth of the engine's Java time with 128 servers
     * (controller bench, 64 switches).
     */
    public PoolView view(String service, String pool, long nowMillis, SwitchId at, long reachabilityVersion,
                         Predicate<Server> reachable) {
        PoolConfig p = pools.getOrDefault(service, Map.of()).get(pool);
        if (p == null) {
            return PoolView.of(pool, List.of(), nowMillis);
        }
        Map<SwitchId, Members> bySwitch = membersBySwitch.computeIfAbsent(p, k -> new HashMap<>());
        Members m = bySwitch.get(at);
        if (m == null || m.registryVersion != version || m.reachabilityVersion != reachabilityVersion) {
            m = Members.build(this, service, p, reachable, reachabilityVersion);
            if (m.rising) {
                bySwitch.remove(at); // a heartbeat, not a version, ends rising: build again next time
                return PoolView.ofDistinct(pool, m.views(), nowMillis);
            }
            if (bySwitch.size() >= MAX_SWITCHES_PER_POOL && !bySwitch.containsKey(at)) {
                bySwitch.clear();
            }
            bySwitch.put(at, m);
        }
        return PoolView.ofDistinct(pool, m.views(), nowMillis);
    }

    /**
     * A pool's members in view order with the state each had when built, apart from load: what
     * {@link #view} needs per request besides the members' current loads.
     */
    private static final class Members {
        final long registryVersion;
        final long reachabilityVersion;
        final Server[] servers;
        final MemberConfig[] configs;
        final ServerState[] states;
        /** A member's agent was still rising: its state changes without a version, so never cached. */
        final boolean rising;
        /** The views handed out last; replaced, never changed, once handed out. */
        private List<ServerView> last;

        private Members(long registryVersion, long reachabilityVersion, Server[] servers, MemberConfig[] configs,
                        ServerState[] states, boolean rising) {
            this.registryVersion = registryVersion;
            this.reachabilityVersion = reachabilityVersion;
            this.servers = servers;
            this.configs = configs;
            this.states = states;
            this.rising = rising;
        }

        static Members build(ServerRegistry r, String service, PoolConfig p, Predicate<Server> reachable,
                             long reachabilityVersion) {
            // One check id, and no scan of all servers unless the pool takes labels.
            String checkId = p.healthCheck() == null ? null : checkId(service, p.name());
            List<Server> ss = new ArrayList<>(p.members().size());
            List<MemberConfig> ms = new ArrayList<>(p.members().size());
            for (MemberConfig m : p.members()) {
                ss.add(r.servers.get(m.address()));
                ms.add(m);
            }
            if (!p.labels().isEmpty()) {
                for (Server s : r.servers.values()) {
                    if (joinsByLabel(p, s) && p.member(s.address()).isEmpty()) {
                        ss.add(s);
                        ms.add(MemberConfig.of(s.address()));
                    }
                }
            }
            int n = ss.size();
            ServerState[] states = new ServerState[n];
            boolean rising = false;
            for (int i = 0; i < n; i++) {
                Health h = r.health(ss.get(i), checkId, reachable);
                rising |= h == Health.RISING;
                states[i] = state(ms.get(i).state(), h);
            }
            return new Members(r.version, reachabilityVersion, ss.toArray(new Server[0]),
                    ms.toArray(new MemberConfig[0]), states, rising);
        }

        /**
         * The views with current loads: those handed out last where the load is the same (state,
         * configuration and agent are fixed for this entry). Members and joiners have distinct
         * addresses, so the list suits {@link PoolView#ofDistinct}.
         */
        List<ServerView> views() {
            List<ServerView> before = last;
            ServerView[] next = null;
            for (int i = 0; i < servers.length; i++) {
                Server s = servers[i];
                ServerView b = before == null ? null : before.get(i);
                if (b != null && b.activeConnections() == s.activeConnections) {
                    if (next != null) {
                        next[i] = b;
                    }
                    continue;
                }
                if (next == null) {
                    next = new ServerView[servers.length];
                    for (int j = 0; j < i; j++) {
                        next[j] = before.get(j);
                    }
                }
                next[i] = view(s, configs[i], states[i]);
            }
            if (next != null) {
                last = Arrays.asList(next); // never written again: PoolView wraps it read-only
            } else if (before == null) {
                last = List.of(); // no members
            }
            return last;
        }
    }

    /** The server's view, the one built last if nothing in it changed since (views are immutable). */
    private static ServerView view(Server s, MemberConfig m, ServerState state) {
        ServerView last = s.lastView;
        if (last != null && last.state() == state && last.activeConnections() == s.activeConnections
                && last.upSinceMillis() == s.upSinceMillis()
                && (s.lastViewMember == m || m.equals(s.lastViewMember))) {
            return last;
        }
        ServerView v = ServerView.builder().name(s.name()).weight(m.weight()).state(state)
                .maxConnections(m.maxConnections()).tags(m.tags())
                .activeConnections(s.activeConnections).upSinceMillis(s.upSinceMillis()).build();
        s.lastView = v;
        s.lastViewMember = m;
        return v;
    }

    /** Why a server may or may not take connections, apart from what the operator said. */
    public enum Health {
        UP, NO_AGENT, RISING, CHECK_FAILING, UNREACHABLE;

        public String jsonName() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }
    }

    private Health health(Server s, String service, String pool, Predicate<Server> reachable) {
        return health(s, checkId(service, pool), reachable);
    }

    /** {@code checkId} null: the pool has no active check. */
    private Health health(Server s, String checkId, Predicate<Server> reachable) {
        AgentSession a = s.agent();
        if (a == null) {
            return Health.NO_AGENT;
        }
        if (a.heartbeats() < riseHeartbeats && !a.upAtOnce()) {
            return Health.RISING;
        }
        if (checkId != null && !s.checkHealthy(checkId)) {
            return Health.CHECK_FAILING;
        }
        return reachable.test(s) ? Health.UP : Health.UNREACHABLE;
    }

    private static ServerState state(MemberState admin, Health health) {
        if (admin == MemberState.DISABLED) {
            return ServerState.DISABLED;
        }
        if (health != Health.UP) {
            return ServerState.DOWN;
        }
        return admin == MemberState.DRAINING ? ServerState.DRAINING : ServerState.ACTIVE;
    }

    public void handoffSucceeded(Server s) {
        s.handoffsOk++;
        s.activeConnections++;
    }

    /** A connection handed off before a controller restart, taken back: it loads its server again. */
    public void connectionAdopted(Server s) {
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

    /** One row per server, with its memberships, for the REST API and /metrics. */
    public List<Map<String, Object>> report(Predicate<Server> reachable) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Server s : servers.values()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("address", s.address().toString());
            AgentSession a = s.agent();
            row.put("agentConnected", a != null);
            row.put("label", a == null ? null : a.label());
            row.put("mac", s.mac() == null ? null : s.mac().toString());
            row.put("activeConnections", s.activeConnections);
            row.put("handoffsOk", s.handoffsOk);
            row.put("handoffsFailed", s.handoffsFailed);
            List<Map<String, Object>> memberships = new ArrayList<>();
            for (Map.Entry<String, Map<String, PoolConfig>> svc : pools.entrySet()) {
                for (PoolConfig p : svc.getValue().values()) {
                    if (!isMember(p, s)) {
                        continue;
                    }
                    MemberConfig m = p.member(s.address()).orElse(MemberConfig.of(s.address()));
                    Health h = health(s, svc.getKey(), p.name(), reachable);
                    Map<String, Object> ms = new LinkedHashMap<>();
                    ms.put("service", svc.getKey());
                    ms.put("pool", p.name());
                    ms.put("joined", p.member(s.address()).isPresent() ? "listed" : "label");
                    ms.put("adminState", m.state().jsonName());
                    ms.put("health", h.jsonName());
                    ms.put("state", state(m.state(), h).name().toLowerCase(java.util.Locale.ROOT));
                    ms.put("weight", m.weight());
                    memberships.add(ms);
                }
            }
            row.put("pools", memberships);
            rows.add(row);
        }
        return rows;
    }

    /** The state and health of one member, for the REST API; null if it is not a member. */
    public Map<String, Object> memberStatus(String service, String pool, Ipv4Address address, Predicate<Server> reachable) {
        PoolConfig p = pools.getOrDefault(service, Map.of()).get(pool);
        Server s = servers.get(address);
        if (p == null || s == null || !isMember(p, s)) {
            return null;
        }
        MemberConfig m = p.member(address).orElse(MemberConfig.of(address));
        Health h = health(s, service, pool, reachable);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("health", h.jsonName());
        out.put("state", state(m.state(), h).name().toLowerCase(java.util.Locale.ROOT));
        out.put("agentConnected", s.agent() != null);
        out.put("activeConnections", s.activeConnections);
        out.put("handoffsOk", s.handoffsOk);
        out.put("handoffsFailed", s.handoffsFailed);
        return out;
    }
}
