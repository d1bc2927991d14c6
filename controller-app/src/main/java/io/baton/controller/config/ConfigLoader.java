package io.baton.controller.config;

import com.google.gson.JsonElement;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.stream.JsonReader;
import io.baton.dispatcher.rules.ContentRule;
import io.baton.flowrules.api.Ipv4Address;
import io.baton.flowrules.api.MacAddress;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** Reads and validates the controller's JSON config; every error names the field path. */
public final class ConfigLoader {
    private static final String DEFAULT_BIND = "127.0.0.1";

    private ConfigLoader() {
    }

    public static BatonConfig load(Path file) throws ConfigException {
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return parse(r, file.toAbsolutePath().getParent());
        } catch (IOException e) {
            throw new ConfigException(file.toString(), "cannot read: " + e.getMessage());
        }
    }

    public static BatonConfig parse(String json, Path baseDir) throws ConfigException {
        return parse(new StringReader(json), baseDir);
    }

    private static BatonConfig parse(Reader reader, Path baseDir) throws ConfigException {
        JsonElement root;
        try {
            JsonReader jr = new JsonReader(reader);
            jr.setStrictness(com.google.gson.Strictness.STRICT);
            root = JsonParser.parseReader(jr);
        } catch (JsonParseException e) {
            throw new ConfigException("(root)", "not valid JSON: " + e.getMessage());
        }
        JsonNode top = new JsonNode("", root);
        top.object();

        JsonNode of = top.has("openflow") ? top.field("openflow") : null;
        InetSocketAddress ofListen = listen(of, 6653);
        if (of != null) {
            of.rejectUnknownFields();
        }

        JsonNode ho = top.required("handoff");
        InetSocketAddress hoListen = listen(ho, 7070);
        Path secret = file(ho.required("secretFile"), baseDir);
        int heartbeatTimeout = ho.integer("heartbeatTimeoutMillis", 2000, 100, 600_000);
        int handoffTimeout = ho.integer("handoffTimeoutMillis", 2000, 50, 60_000);
        ho.rejectUnknownFields();

        JsonNode rest = top.required("rest");
        InetSocketAddress restListen = listen(rest, 8181);
        Path token = file(rest.required("tokenFile"), baseDir);
        rest.rejectUnknownFields();

        FrontendSettings frontend = FrontendSettings.defaults();
        if (top.has("frontend")) {
            JsonNode fe = top.field("frontend");
            FrontendSettings d = frontend;
            frontend = new FrontendSettings(
                    fe.integer("maxHalfOpen", d.maxHalfOpen(), 1, 10_000_000),
                    fe.integer("maxConnections", d.maxConnections(), 1, 50_000_000),
                    fe.integer("headTimeoutMillis", d.headTimeoutMillis(), 100, 600_000),
                    fe.integer("maxHeadBytes", d.maxHeadBytes(), 256, 65_536),
                    fe.integer("mss", d.mss(), 536, 9000),
                    fe.integer("windowScale", d.windowScale(), 0, 14),
                    fe.integer("receiveWindow", d.receiveWindow(), 1024, 1 << 20));
            fe.rejectUnknownFields();
        }
        int idle = 60;
        if (top.has("flows")) {
            JsonNode fl = top.field("flows");
            idle = fl.integer("idleTimeoutSeconds", idle, 1, 65_535);
            fl.rejectUnknownFields();
        }

        List<ServiceConfig> services = new ArrayList<>();
        Set<String> names = new HashSet<>();
        Set<String> endpoints = new HashSet<>();
        for (JsonNode s : top.required("services").array()) {
            ServiceConfig svc = service(s);
            if (!names.add(svc.name())) {
                throw new ConfigException(s.path() + ".name", "duplicate service name '" + svc.name() + "'");
            }
            if (!endpoints.add(svc.vip() + ":" + svc.port())) {
                throw new ConfigException(s.path() + ".vip", "another service already uses " + svc.vip() + ":" + svc.port());
            }
            services.add(svc);
        }
        if (services.isEmpty()) {
            throw new ConfigException("services", "must name at least one service");
        }
        top.rejectUnknownFields();
        return new BatonConfig(ofListen, hoListen, secret, heartbeatTimeout, handoffTimeout, restListen, token,
                frontend, idle, services);
    }

    private static InetSocketAddress listen(JsonNode n, int defaultPort) throws ConfigException {
        if (n == null) {
            return new InetSocketAddress(DEFAULT_BIND, defaultPort);
        }
        String address = n.string("address", DEFAULT_BIND);
        try {
            Ipv4Address.parse(address);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(n.path() + ".address", e.getMessage());
        }
        int port = n.integer("port", defaultPort, 1, 65_535);
        return new InetSocketAddress(address, port);
    }

    /** A relative path is taken from the config file's folder. */
    private static Path file(JsonNode n, Path baseDir) throws ConfigException {
        Path p = Path.of(nonEmpty(n));
        return p.isAbsolute() || baseDir == null ? p : baseDir.resolve(p);
    }

    private static ServiceConfig service(JsonNode s) throws ConfigException {
        String name = name(s.required("name"));
        Ipv4Address vip = ipv4(s.required("vip"));
        int port = s.required("port").integer(1, 65_535);
        String modeText = s.string("mode", "nat");
        ServiceMode mode;
        try {
            mode = ServiceMode.valueOf(modeText.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(s.path() + ".mode", "must be \"nat\" or \"dsr\", not \"" + modeText + "\"");
        }
        MacAddress vmac = ServiceConfig.defaultVirtualMac(vip);
        if (s.has("virtualMac")) {
            JsonNode m = s.field("virtualMac");
            try {
                vmac = MacAddress.parse(m.string());
            } catch (IllegalArgumentException e) {
                throw new ConfigException(m.path(), e.getMessage());
            }
        }
        List<PoolConfig> pools = new ArrayList<>();
        Set<String> poolNames = new HashSet<>();
        for (JsonNode p : s.required("pools").array()) {
            PoolConfig pool = pool(p);
            if (!poolNames.add(pool.name())) {
                throw new ConfigException(p.path() + ".name", "duplicate pool name '" + pool.name() + "'");
            }
            pools.add(pool);
        }
        if (pools.isEmpty()) {
            throw new ConfigException(s.path() + ".pools", "must name at least one pool");
        }
        List<ContentRule> rules = new ArrayList<>();
        if (s.has("rules")) {
            for (JsonNode r : s.field("rules").array()) {
                rules.add(rule(r, poolNames));
            }
        }
        String defaultPool = s.has("defaultPool") ? s.field("defaultPool").string() : pools.get(0).name();
        if (!poolNames.contains(defaultPool)) {
            throw new ConfigException(s.path() + ".defaultPool", "no pool named '" + defaultPool + "'");
        }
        s.rejectUnknownFields();
        return new ServiceConfig(name, vip, port, mode, vmac, pools, rules, defaultPool);
    }

    private static PoolConfig pool(JsonNode p) throws ConfigException {
        String name = name(p.required("name"));
        String policy = p.string("policy", "round-robin");
        java.util.Map<String, String> params = p.has("params") ? p.field("params").stringMap() : java.util.Map.of();
        List<Ipv4Address> servers = new ArrayList<>();
        Set<Ipv4Address> seen = new HashSet<>();
        if (p.has("servers")) {
            for (JsonNode sv : p.field("servers").array()) {
                Ipv4Address a = ipv4(sv);
                if (!seen.add(a)) {
                    throw new ConfigException(sv.path(), "server " + a + " listed twice");
                }
                servers.add(a);
            }
        }
        try {
            io.baton.dispatcher.policy.PolicyFactory.create(policy, params);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(p.path() + ".policy", e.getMessage());
        }
        p.rejectUnknownFields();
        return new PoolConfig(name, policy, params, servers);
    }

    private static ContentRule rule(JsonNode r, Set<String> pools) throws ConfigException {
        ContentRule.Builder b = ContentRule.builder();
        int conditions = 0;
        try {
            if (r.has("pathPrefix")) {
                b.pathPrefix(nonEmpty(r.field("pathPrefix")));
                conditions++;
            }
            if (r.has("pathRegex")) {
                JsonNode n = r.field("pathRegex");
                b.pathRegex(regex(n));
                conditions++;
            }
            if (r.has("host")) {
                b.host(nonEmpty(r.field("host")).toLowerCase(Locale.ROOT));
                conditions++;
            }
            if (r.has("method")) {
                b.method(nonEmpty(r.field("method")));
                conditions++;
            }
            if (r.has("sni")) {
                b.sni(nonEmpty(r.field("sni")).toLowerCase(Locale.ROOT));
                conditions++;
            }
        } catch (IllegalArgumentException e) {
            throw new ConfigException(r.path(), e.getMessage());
        }
        if (conditions == 0) {
            throw new ConfigException(r.path(), "a rule needs at least one condition (pathPrefix, pathRegex, host, method, sni)");
        }
        JsonNode poolNode = r.required("pool");
        String pool = poolNode.string();
        if (!pools.contains(pool)) {
            throw new ConfigException(poolNode.path(), "no pool named '" + pool + "'");
        }
        b.pool(pool);
        r.rejectUnknownFields();
        return b.build();
    }

    private static String regex(JsonNode n) throws ConfigException {
        String s = nonEmpty(n);
        try {
            Pattern.compile(s);
        } catch (PatternSyntaxException e) {
            throw new ConfigException(n.path(), "not a valid regular expression: " + e.getDescription());
        }
        return s;
    }

    private static String nonEmpty(JsonNode n) throws ConfigException {
        String s = n.string();
        if (s.isEmpty()) {
            throw new ConfigException(n.path(), "must not be empty");
        }
        return s;
    }

    private static String name(JsonNode n) throws ConfigException {
        String s = n.string();
        if (!s.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,62}")) {
            throw new ConfigException(n.path(), "must be 1-63 letters, digits, '.', '_' or '-', not \"" + s + "\"");
        }
        return s;
    }

    private static Ipv4Address ipv4(JsonNode n) throws ConfigException {
        try {
            return Ipv4Address.parse(n.string());
        } catch (IllegalArgumentException e) {
            throw new ConfigException(n.path(), e.getMessage());
        }
    }
}
