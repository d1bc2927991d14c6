package io.baton.controller.config;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;

import java.util.List;
import java.util.Map;

/**
 * The JSON form of services, pools, members and rules: what the REST API shows and what the
 * saved config holds. {@link ConfigLoader} reads back exactly what this writes.
 */
public final class ConfigWriter {
    private ConfigWriter() {
    }

    public static JsonArray services(List<ServiceConfig> services) {
        JsonArray a = new JsonArray();
        services.forEach(s -> a.add(service(s)));
        return a;
    }

    public static JsonObject service(ServiceConfig s) {
        JsonObject o = new JsonObject();
        o.addProperty("name", s.name());
        o.addProperty("vip", s.vip().toString());
        o.addProperty("port", s.port());
        o.addProperty("mode", s.mode().name().toLowerCase(java.util.Locale.ROOT));
        if (!s.virtualMac().equals(ServiceConfig.defaultVirtualMac(s.vip()))) {
            o.addProperty("virtualMac", s.virtualMac().toString());
        }
        JsonArray pools = new JsonArray();
        s.pools().forEach(p -> pools.add(pool(p)));
        o.add("pools", pools);
        o.add("rules", rules(s.rules()));
        o.addProperty("defaultPool", s.defaultPool());
        return o;
    }

    public static JsonObject pool(PoolConfig p) {
        JsonObject o = new JsonObject();
        o.addProperty("name", p.name());
        o.addProperty("policy", p.policy());
        if (!p.policyParams().isEmpty()) {
            o.add("params", stringMap(p.policyParams()));
        }
        JsonArray servers = new JsonArray();
        for (MemberConfig m : p.members()) {
            servers.add(m.isPlain() ? new JsonPrimitive(m.address().toString()) : member(m));
        }
        o.add("servers", servers);
        if (!p.labels().isEmpty()) {
            JsonArray labels = new JsonArray();
            p.labels().forEach(labels::add);
            o.add("labels", labels);
        }
        if (p.healthCheck() != null) {
            o.add("healthCheck", healthCheck(p.healthCheck()));
        }
        return o;
    }

    /** Always the object form (the REST API's). */
    public static JsonObject member(MemberConfig m) {
        JsonObject o = new JsonObject();
        o.addProperty("address", m.address().toString());
        o.addProperty("weight", m.weight());
        o.addProperty("state", m.state().jsonName());
        o.addProperty("maxConnections", m.maxConnections());
        if (!m.tags().isEmpty()) {
            o.add("tags", stringMap(m.tags()));
        }
        return o;
    }

    public static JsonObject healthCheck(HealthCheckConfig h) {
        JsonObject o = new JsonObject();
        o.addProperty("path", h.path());
        if (h.host() != null) {
            o.addProperty("host", h.host());
        }
        o.addProperty("expect", h.expectStatusClass() + "xx");
        o.addProperty("intervalMillis", h.intervalMillis());
        o.addProperty("timeoutMillis", h.timeoutMillis());
        o.addProperty("rise", h.rise());
        o.addProperty("fall", h.fall());
        return o;
    }

    public static JsonArray rules(List<RuleConfig> rules) {
        JsonArray a = new JsonArray();
        rules.forEach(r -> a.add(rule(r)));
        return a;
    }

    public static JsonObject rule(RuleConfig r) {
        JsonObject o = new JsonObject();
        if (r.name() != null) {
            o.addProperty("name", r.name());
        }
        putIf(o, "pathPrefix", r.pathPrefix());
        putIf(o, "pathRegex", r.pathRegex());
        putIf(o, "host", r.host());
        putIf(o, "method", r.method());
        putIf(o, "sni", r.sni());
        if (!r.headers().isEmpty()) {
            JsonArray hs = new JsonArray();
            for (RuleConfig.HeaderMatch h : r.headers()) {
                JsonObject ho = new JsonObject();
                ho.addProperty("name", h.name());
                putIf(ho, "equals", h.equalsValue());
                putIf(ho, "regex", h.regex());
                hs.add(ho);
            }
            o.add("headers", hs);
        }
        if (!r.cookies().isEmpty()) {
            JsonArray cs = new JsonArray();
            for (RuleConfig.CookieMatch c : r.cookies()) {
                JsonObject co = new JsonObject();
                co.addProperty("name", c.name());
                putIf(co, "equals", c.equalsValue());
                cs.add(co);
            }
            o.add("cookies", cs);
        }
        o.addProperty("pool", r.pool());
        return o;
    }

    private static void putIf(JsonObject o, String name, String value) {
        if (value != null) {
            o.addProperty(name, value);
        }
    }

    private static JsonObject stringMap(Map<String, String> m) {
        JsonObject o = new JsonObject();
        m.forEach(o::addProperty);
        return o;
    }
}
