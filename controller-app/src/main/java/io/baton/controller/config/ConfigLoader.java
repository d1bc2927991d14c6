package io.baton.controller.config;

import com.google.gson.JsonElement;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.stream.JsonReader;
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
import java.util.Map;
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
        return parseTree(readJson(reader), baseDir);
    }

    /** Strict JSON (no comments, no trailing commas), or an error at "(root)". */
    public static JsonElement readJson(Reader reader) throws ConfigException {
        try {
            JsonReader jr = new JsonReader(reader);
            jr.setStrictness(com.google.gson.Strictness.STRICT);
            JsonElement e = JsonParser.parseReader(jr);
            if (jr.peek() != com.google.gson.stream.JsonToken.END_DOCUMENT) {
                throw new ConfigException("(root)", "not valid JSON: text after the end of the document");
            }
            return e;
        } catch (JsonParseException | IOException e) {
            throw new ConfigException("(root)", "not valid JSON: " + e.getMessage());
        }
    }

    private static BatonConfig parseTree(JsonElement root, Path baseDir) throws ConfigException {
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
        int rise = ho.integer("riseHeartbeats", 2, 1, 100);
        boolean forwardBeforeCommit = ho.bool("forwardBeforeCommit", true);
        RescueSettings rescue = new RescueSettings(
                ho.integer("rescueWindowMillis", RescueSettings.defaults().windowMillis(), 0, 600_000),
                ho.integer("rescueMaxBytes", RescueSettings.defaults().maxBytes(), 0, 1 << 30));
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
        PacketInLimits limits = PacketInLimits.defaults();
        if (top.has("packetInLimits")) {
            JsonNode pl = top.field("packetInLimits");
            PacketInLimits d = limits;
            limits = new PacketInLimits(
                    pl.integer("synPerSecond", d.synPerSecond(), 0, 10_000_000),
                    pl.integer("vipPerSecond", d.vipPerSecond(), 0, 10_000_000),
                    pl.integer("otherPerSecond", d.otherPerSecond(), 0, 10_000_000));
            pl.rejectUnknownFields();
        }
        int idle = 60;
        if (top.has("flows")) {
            JsonNode fl = top.field("flows");
            idle = fl.integer("idleTimeoutSeconds", idle, 1, 65_535);
            fl.rejectUnknownFields();
        }

        List<ServiceConfig> services = services(top.required("services"));
        top.rejectUnknownFields();
        return new BatonConfig(ofListen, hoListen, secret, heartbeatTimeout, rise, handoffTimeout, forwardBeforeCommit,
                rescue, restListen, token,
                frontend, limits, idle, services);
    }

    private static List<ServiceConfig> services(JsonNode list) throws ConfigException {
        List<ServiceConfig> services = new ArrayList<>();
        Set<String> names = new HashSet<>();
        Set<String> endpoints = new HashSet<>();
        for (JsonNode s : list.array()) {
            ServiceConfig svc = service(s);
            if (!names.add(svc.name())) {
                throw new ConfigException(s.childPath("name"), "duplicate service name '" + svc.name() + "'");
            }
            if (!endpoints.add(svc.vip() + ":" + svc.port())) {
                throw new ConfigException(s.childPath("vip"), "another service already uses " + svc.vip() + ":" + svc.port());
            }
            services.add(svc);
        }
        if (services.isEmpty()) {
            throw new ConfigException(list.path(), "must name at least one service");
        }
        return services;
    }

    /** The "services" array of a config document (paths start with "services"). */
    public static List<ServiceConfig> parseServices(JsonElement e) throws ConfigException {
        return services(new JsonNode("services", e));
    }

    private static InetSocketAddress listen(JsonNode n, int defaultPort) throws ConfigException {
        if (n == null) {
            return new InetSocketAddress(DEFAULT_BIND, defaultPort);
        }
        String address = n.string("address", DEFAULT_BIND);
        try {
            Ipv4Address.parse(address);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(n.childPath("address"), e.getMessage());
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
            throw new ConfigException(s.childPath("mode"), "must be \"nat\" or \"dsr\", not \"" + modeText + "\"");
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
                throw new ConfigException(p.childPath("name"), "duplicate pool name '" + pool.name() + "'");
            }
            pools.add(pool);
        }
        if (pools.isEmpty()) {
            throw new ConfigException(s.childPath("pools"), "must name at least one pool");
        }
        List<RuleConfig> rules = new ArrayList<>();
        if (s.has("rules")) {
            for (JsonNode r : s.field("rules").array()) {
                rules.add(rule(r, poolNames));
            }
        }
        String defaultPool = s.has("defaultPool") ? s.field("defaultPool").string() : pools.get(0).name();
        if (!poolNames.contains(defaultPool)) {
            throw new ConfigException(s.childPath("defaultPool"), "no pool named '" + defaultPool + "'");
        }
        s.rejectUnknownFields();
        return new ServiceConfig(name, vip, port, mode, vmac, pools, rules, defaultPool);
    }

    private static PoolConfig pool(JsonNode p) throws ConfigException {
        String name = name(p.required("name"));
        String policy = p.string("policy", "round-robin");
        Map<String, String> params = p.has("params") ? p.field("params").stringMap() : Map.of();
        List<MemberConfig> members = new ArrayList<>();
        Set<Ipv4Address> seen = new HashSet<>();
        if (p.has("servers")) {
            for (JsonNode sv : p.field("servers").array()) {
                MemberConfig m = member(sv);
                if (!seen.add(m.address())) {
                    throw new ConfigException(sv.path(), "server " + m.address() + " listed twice");
                }
                members.add(m);
            }
        }
        List<String> labels = new ArrayList<>();
        if (p.has("labels")) {
            for (JsonNode l : p.field("labels").array()) {
                String label = nonEmpty(l);
                if (label.getBytes(StandardCharsets.UTF_8).length > 64) {
                    throw new ConfigException(l.path(), "a label is at most 64 bytes");
                }
                if (!labels.contains(label)) {
                    labels.add(label);
                }
            }
        }
        HealthCheckConfig health = p.has("healthCheck") ? healthCheck(p.field("healthCheck")) : null;
        try {
            io.baton.dispatcher.policy.PolicyFactory.create(policy, params);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(p.childPath("policy"), e.getMessage());
        }
        p.rejectUnknownFields();
        return new PoolConfig(name, policy, params, members, labels, health);
    }

    /** A bare address, or an object with address, weight, state, maxConnections and tags. */
    private static MemberConfig member(JsonNode n) throws ConfigException {
        if (n.isString()) {
            return MemberConfig.of(ipv4(n));
        }
        Ipv4Address address = ipv4(n.required("address"));
        int weight = n.integer("weight", 1, 1, MemberConfig.MAX_WEIGHT);
        String stateText = n.string("state", "active");
        MemberState state;
        try {
            state = MemberState.valueOf(stateText.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(n.childPath("state"), "must be \"active\", \"draining\" or \"disabled\", not \"" + stateText + "\"");
        }
        int max = n.integer("maxConnections", 0, 0, 50_000_000);
        Map<String, String> tags = n.has("tags") ? n.field("tags").stringMap() : Map.of();
        n.rejectUnknownFields();
        return new MemberConfig(address, weight, state, max, tags);
    }

    private static HealthCheckConfig healthCheck(JsonNode n) throws ConfigException {
        String path = n.string("path", "/");
        if (!path.startsWith("/") || path.chars().anyMatch(c -> c <= ' ' || c >= 127)) {
            throw new ConfigException(n.childPath("path"), "must start with '/' and hold no spaces or control characters");
        }
        String host = n.has("host") ? nonEmpty(n.field("host")) : null;
        if (host != null && host.chars().anyMatch(c -> c <= ' ' || c >= 127)) {
            throw new ConfigException(n.childPath("host"), "must hold no spaces or control characters");
        }
        String expect = n.string("expect", "2xx");
        if (!expect.matches("[2-4]xx")) {
            throw new ConfigException(n.childPath("expect"), "must be \"2xx\", \"3xx\" or \"4xx\", not \"" + expect + "\"");
        }
        int interval = n.integer("intervalMillis", 1000, 100, 3_600_000);
        int timeout = n.integer("timeoutMillis", Math.min(1000, interval), 10, 60_000);
        if (timeout > interval) {
            throw new ConfigException(n.childPath("timeoutMillis"), "must not exceed intervalMillis (" + interval + ")");
        }
        int rise = n.integer("rise", 2, 1, 100);
        int fall = n.integer("fall", 2, 1, 100);
        n.rejectUnknownFields();
        return new HealthCheckConfig(path, host, expect.charAt(0) - '0', interval, timeout, rise, fall);
    }

    private static RuleConfig rule(JsonNode r, Set<String> pools) throws ConfigException {
        String name = r.has("name") ? name(r.field("name")) : null;
        String pathPrefix = r.has("pathPrefix") ? nonEmpty(r.field("pathPrefix")) : null;
        String pathRegex = r.has("pathRegex") ? regex(r.field("pathRegex")) : null;
        String host = r.has("host") ? nonEmpty(r.field("host")).toLowerCase(Locale.ROOT) : null;
        String method = r.has("method") ? nonEmpty(r.field("method")) : null;
        String sni = r.has("sni") ? nonEmpty(r.field("sni")).toLowerCase(Locale.ROOT) : null;
        List<RuleConfig.HeaderMatch> headers = new ArrayList<>();
        if (r.has("headers")) {
            for (JsonNode h : r.field("headers").array()) {
                String hn = nonEmpty(h.required("name"));
                String eq = h.has("equals") ? h.field("equals").string() : null;
                String rx = h.has("regex") ? regex(h.field("regex")) : null;
                if (eq != null && rx != null) {
                    throw new ConfigException(h.path(), "give \"equals\" or \"regex\", not both");
                }
                h.rejectUnknownFields();
                headers.add(new RuleConfig.HeaderMatch(hn, eq, rx));
            }
        }
        List<RuleConfig.CookieMatch> cookies = new ArrayList<>();
        if (r.has("cookies")) {
            for (JsonNode c : r.field("cookies").array()) {
                String cn = nonEmpty(c.required("name"));
                String eq = c.has("equals") ? c.field("equals").string() : null;
                c.rejectUnknownFields();
                cookies.add(new RuleConfig.CookieMatch(cn, eq));
            }
        }
        if (pathPrefix == null && pathRegex == null && host == null && method == null && sni == null
                && headers.isEmpty() && cookies.isEmpty()) {
            throw new ConfigException(r.path(),
                    "a rule needs at least one condition (pathPrefix, pathRegex, host, method, headers, cookies, sni)");
        }
        JsonNode poolNode = r.required("pool");
        String pool = poolNode.string();
        if (pools != null && !pools.contains(pool)) {
            throw new ConfigException(poolNode.path(), "no pool named '" + pool + "'");
        }
        r.rejectUnknownFields();
        RuleConfig rule = new RuleConfig(name, pool, pathPrefix, pathRegex, host, method, sni, headers, cookies);
        try {
            rule.toContentRule();
        } catch (IllegalArgumentException e) {
            throw new ConfigException(r.path(), e.getMessage());
        }
        return rule;
    }

    // ---- single elements, for the REST API: paths start at the element ("weight", "headers[0].name")

    public static ServiceConfig parseService(JsonElement e) throws ConfigException {
        return service(new JsonNode("", e));
    }

    public static PoolConfig parsePool(JsonElement e) throws ConfigException {
        return pool(new JsonNode("", e));
    }

    public static MemberConfig parseMember(JsonElement e) throws ConfigException {
        JsonNode n = new JsonNode("", e);
        n.object(); // a bare string is for config files only
        return member(n);
    }

    /** {@code pools} null: the pool reference is checked later, against the whole service. */
    public static RuleConfig parseRule(JsonElement e, Set<String> pools) throws ConfigException {
        return rule(new JsonNode("", e), pools);
    }

    public static HealthCheckConfig parseHealthCheck(JsonElement e) throws ConfigException {
        return healthCheck(new JsonNode("", e));
    }

    /** Parses a whole document already in memory (the REST API re-checks what it will save). */
    public static BatonConfig parse(JsonElement root, Path baseDir) throws ConfigException {
        return parseTree(root, baseDir);
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
