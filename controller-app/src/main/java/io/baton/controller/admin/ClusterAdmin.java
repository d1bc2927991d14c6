package io.baton.controller.admin;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.baton.controller.config.ConfigException;
import io.baton.controller.config.ConfigLoader;
import io.baton.controller.config.ConfigStore;
import io.baton.controller.config.ConfigWriter;
import io.baton.controller.config.HealthCheckConfig;
import io.baton.controller.config.MemberConfig;
import io.baton.controller.config.PoolConfig;
import io.baton.controller.config.RuleConfig;
import io.baton.controller.config.ServiceConfig;
import io.baton.controller.engine.BatonEngine;
import io.baton.flowrules.api.Ipv4Address;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Operator changes to services, pools, members, rules and health checks. Each change is computed
 * on the current services, checked as a whole, saved by the {@link ConfigStore} and then applied
 * by the engine: all of it or none of it. Changes are serialised (one at a time); reads are free.
 * Platform-neutral: the standalone REST API and a platform's web container both call this.
 */
public final class ClusterAdmin {
    private static final long APPLY_TIMEOUT_SECONDS = 10;

    private final ConfigStore store;
    private final BatonEngine engine;

    public ClusterAdmin(ConfigStore store, BatonEngine engine) {
        this.store = store;
        this.engine = engine;
    }

    public BatonEngine engine() {
        return engine;
    }

    public List<ServiceConfig> services() {
        return store.current().services();
    }

    public ServiceConfig service(String name) throws AdminException {
        return services().stream().filter(s -> s.name().equals(name)).findFirst()
                .orElseThrow(() -> notFound("service", name));
    }

    public PoolConfig pool(String service, String pool) throws AdminException {
        return service(service).pool(pool).orElseThrow(() -> notFound("pool", pool));
    }

    public MemberConfig member(String service, String pool, String address) throws AdminException {
        Ipv4Address a = address(address);
        return pool(service, pool).member(a).orElseThrow(() -> notFound("member", address));
    }

    // ---- services

    public ServiceConfig createService(JsonElement body) throws AdminException {
        ServiceConfig s = parse(() -> ConfigLoader.parseService(body));
        change(list -> {
            if (list.stream().anyMatch(x -> x.name().equals(s.name()))) {
                throw new AdminException(AdminException.Kind.CONFLICT, "name", "service '" + s.name() + "' exists");
            }
            List<ServiceConfig> next = new ArrayList<>(list);
            next.add(s);
            return next;
        });
        return s;
    }

    public ServiceConfig replaceService(String name, JsonElement body) throws AdminException {
        ServiceConfig s = parse(() -> ConfigLoader.parseService(body));
        if (!s.name().equals(name)) {
            throw new AdminException(AdminException.Kind.BAD_REQUEST, "name", "must be '" + name + "', the service in the path");
        }
        editService(name, old -> s);
        return s;
    }

    public void deleteService(String name) throws AdminException {
        change(list -> {
            List<ServiceConfig> next = new ArrayList<>(list);
            if (!next.removeIf(s -> s.name().equals(name))) {
                throw notFound("service", name);
            }
            if (next.isEmpty()) {
                throw new AdminException(AdminException.Kind.CONFLICT, null, "the last service cannot be deleted");
            }
            return next;
        });
    }

    // ---- pools

    public PoolConfig createPool(String service, JsonElement body) throws AdminException {
        PoolConfig p = parse(() -> ConfigLoader.parsePool(body));
        editService(service, s -> {
            if (s.pool(p.name()).isPresent()) {
                throw new AdminException(AdminException.Kind.CONFLICT, "name", "pool '" + p.name() + "' exists");
            }
            List<PoolConfig> pools = new ArrayList<>(s.pools());
            pools.add(p);
            return s.withPools(pools);
        });
        return p;
    }

    public PoolConfig replacePool(String service, String pool, JsonElement body) throws AdminException {
        PoolConfig p = parse(() -> ConfigLoader.parsePool(body));
        if (!p.name().equals(pool)) {
            throw new AdminException(AdminException.Kind.BAD_REQUEST, "name", "must be '" + pool + "', the pool in the path");
        }
        editPool(service, pool, old -> p);
        return p;
    }

    public void deletePool(String service, String pool) throws AdminException {
        editService(service, s -> {
            if (s.pool(pool).isEmpty()) {
                throw notFound("pool", pool);
            }
            if (s.defaultPool().equals(pool)) {
                throw new AdminException(AdminException.Kind.CONFLICT, null, "pool '" + pool + "' is the service's default pool");
            }
            for (int i = 0; i < s.rules().size(); i++) {
                if (s.rules().get(i).pool().equals(pool)) {
                    throw new AdminException(AdminException.Kind.CONFLICT, null,
                            "pool '" + pool + "' is used by rules[" + i + "]; change or delete that rule first");
                }
            }
            List<PoolConfig> pools = new ArrayList<>(s.pools());
            pools.removeIf(p -> p.name().equals(pool));
            return s.withPools(pools);
        });
    }

    public HealthCheckConfig setHealthCheck(String service, String pool, JsonElement body) throws AdminException {
        HealthCheckConfig h = parse(() -> ConfigLoader.parseHealthCheck(body));
        editPool(service, pool, p -> p.withHealthCheck(h));
        return h;
    }

    public void deleteHealthCheck(String service, String pool) throws AdminException {
        editPool(service, pool, p -> {
            if (p.healthCheck() == null) {
                throw notFound("health monitor of pool", pool);
            }
            return p.withHealthCheck(null);
        });
    }

    // ---- members

    public MemberConfig addMember(String service, String pool, JsonElement body) throws AdminException {
        MemberConfig m = parse(() -> ConfigLoader.parseMember(body));
        editPool(service, pool, p -> {
            if (p.member(m.address()).isPresent()) {
                throw new AdminException(AdminException.Kind.CONFLICT, "address",
                        m.address() + " is already a member of pool '" + pool + "'");
            }
            List<MemberConfig> members = new ArrayList<>(p.members());
            members.add(m);
            return p.withMembers(members);
        });
        return m;
    }

    /**
     * Changes some of a member's fields (weight, state, maxConnections, tags). A weight applies
     * to new connections only; "draining" keeps the member's connections and sends it no new one.
     */
    public MemberConfig patchMember(String service, String pool, String address, JsonElement patch) throws AdminException {
        if (patch == null || !patch.isJsonObject()) {
            throw new AdminException(AdminException.Kind.BAD_REQUEST, null, "the body must be a JSON object");
        }
        MemberConfig current = member(service, pool, address);
        JsonObject merged = ConfigWriter.member(current);
        for (String k : patch.getAsJsonObject().keySet()) {
            merged.add(k, patch.getAsJsonObject().get(k));
        }
        MemberConfig m = parse(() -> ConfigLoader.parseMember(merged));
        if (!m.address().equals(current.address())) {
            throw new AdminException(AdminException.Kind.BAD_REQUEST, "address", "cannot change a member's address; add a new member");
        }
        editPool(service, pool, p -> {
            List<MemberConfig> members = new ArrayList<>(p.members());
            int i = members.indexOf(p.member(m.address()).orElseThrow(() -> notFound("member", address)));
            members.set(i, m);
            return p.withMembers(members);
        });
        return m;
    }

    public void removeMember(String service, String pool, String address) throws AdminException {
        Ipv4Address a = address(address);
        editPool(service, pool, p -> {
            List<MemberConfig> members = new ArrayList<>(p.members());
            if (!members.removeIf(m -> m.address().equals(a))) {
                throw notFound("member", address);
            }
            return p.withMembers(members);
        });
    }

    // ---- rules

    public List<RuleConfig> replaceRules(String service, JsonElement body) throws AdminException {
        if (body == null || !body.isJsonArray()) {
            throw new AdminException(AdminException.Kind.BAD_REQUEST, null, "the body must be a JSON array of rules");
        }
        List<RuleConfig> rules = new ArrayList<>();
        for (int i = 0; i < body.getAsJsonArray().size(); i++) {
            JsonElement e = body.getAsJsonArray().get(i);
            String prefix = "[" + i + "]";
            try {
                rules.add(ConfigLoader.parseRule(e, null));
            } catch (ConfigException ex) {
                throw new AdminException(AdminException.Kind.BAD_REQUEST,
                        ex.path().equals("(root)") || ex.path().isEmpty() ? prefix : prefix + "." + ex.path(), ex.reason());
            }
        }
        editService(service, s -> {
            checkRulePools(s, rules);
            return s.withRules(rules);
        });
        return rules;
    }

    /** Inserts a rule at {@code position} (null: at the end; rules are tried in order). */
    public RuleConfig addRule(String service, JsonElement body, Integer position) throws AdminException {
        RuleConfig r = parse(() -> ConfigLoader.parseRule(body, null));
        editService(service, s -> {
            checkRulePools(s, List.of(r));
            List<RuleConfig> rules = new ArrayList<>(s.rules());
            int at = position == null ? rules.size() : position;
            if (at < 0 || at > rules.size()) {
                throw new AdminException(AdminException.Kind.BAD_REQUEST, "position", "must be 0.." + rules.size());
            }
            rules.add(at, r);
            return s.withRules(rules);
        });
        return r;
    }

    public void deleteRule(String service, int index) throws AdminException {
        editService(service, s -> {
            if (index < 0 || index >= s.rules().size()) {
                throw notFound("rule", String.valueOf(index));
            }
            List<RuleConfig> rules = new ArrayList<>(s.rules());
            rules.remove(index);
            return s.withRules(rules);
        });
    }

    private static void checkRulePools(ServiceConfig s, List<RuleConfig> rules) throws AdminException {
        Set<String> pools = new HashSet<>();
        s.pools().forEach(p -> pools.add(p.name()));
        for (int i = 0; i < rules.size(); i++) {
            if (!pools.contains(rules.get(i).pool())) {
                throw new AdminException(AdminException.Kind.BAD_REQUEST, rules.size() == 1 ? "pool" : "[" + i + "].pool",
                        "no pool named '" + rules.get(i).pool() + "' in service '" + s.name() + "'");
            }
        }
    }

    // ---- the one way a change is made

    private interface Edit<T> {
        T apply(T value) throws AdminException;
    }

    private interface Parse<T> {
        T parse() throws ConfigException;
    }

    private void editService(String name, Edit<ServiceConfig> edit) throws AdminException {
        change(list -> {
            List<ServiceConfig> next = new ArrayList<>(list);
            for (int i = 0; i < next.size(); i++) {
                if (next.get(i).name().equals(name)) {
                    next.set(i, edit.apply(next.get(i)));
                    return next;
                }
            }
            throw notFound("service", name);
        });
    }

    private void editPool(String service, String pool, Edit<PoolConfig> edit) throws AdminException {
        editService(service, s -> {
            List<PoolConfig> pools = new ArrayList<>(s.pools());
            for (int i = 0; i < pools.size(); i++) {
                if (pools.get(i).name().equals(pool)) {
                    pools.set(i, edit.apply(pools.get(i)));
                    return s.withPools(pools);
                }
            }
            throw notFound("pool", pool);
        });
    }

    private synchronized void change(Edit<List<ServiceConfig>> edit) throws AdminException {
        List<ServiceConfig> next = edit.apply(store.current().services());
        List<ServiceConfig> adopted;
        try {
            adopted = store.replaceServices(next).services();
        } catch (ConfigException e) {
            // A whole-document check caught what the element checks could not (e.g. a VIP:port clash).
            throw new AdminException(AdminException.Kind.CONFLICT, e.path(), e.reason());
        } catch (IOException e) {
            throw new AdminException(AdminException.Kind.NOT_SAVED, null, "cannot save the config: " + e.getMessage());
        }
        try {
            engine.applyServices(adopted).get(APPLY_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AdminException(AdminException.Kind.NOT_SAVED, null, "interrupted while applying");
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("saved but not applied: " + e, e);
        }
    }

    private static <T> T parse(Parse<T> p) throws AdminException {
        try {
            return p.parse();
        } catch (ConfigException e) {
            throw new AdminException(AdminException.Kind.BAD_REQUEST, e.path(), e.reason());
        }
    }

    private static Ipv4Address address(String text) throws AdminException {
        try {
            return Ipv4Address.parse(text);
        } catch (IllegalArgumentException e) {
            throw new AdminException(AdminException.Kind.BAD_REQUEST, "address", e.getMessage());
        }
    }

    private static AdminException notFound(String what, String name) {
        return new AdminException(AdminException.Kind.NOT_FOUND, null, "no " + what + " '" + name + "'");
    }
}
