package io.baton.controller.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.baton.controller.config.ConfigException;
import io.baton.controller.config.ConfigLoader;
import io.baton.controller.config.ConfigWriter;
import io.baton.controller.config.HealthCheckConfig;
import io.baton.controller.config.MemberConfig;
import io.baton.controller.config.PoolConfig;
import io.baton.controller.config.RuleConfig;
import io.baton.controller.config.ServiceConfig;
import io.baton.flowrules.api.Ipv4Address;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import javax.ws.rs.WebApplicationException;
import javax.ws.rs.core.MediaType;
import org.junit.jupiter.api.Test;

/**
 * Fuzz test of what a REST request body goes through (Jazzer): {@link JsonBody} (bytes to a Gson
 * tree, strict, 1 MiB cap), then the element parsers of {@link ConfigLoader} that
 * {@code ClusterAdmin} calls for each resource. The contract, for any bytes:
 * <ul>
 *   <li>{@link JsonBody} returns a tree or throws a {@link WebApplicationException} carrying a 400
 *       (413 above the cap) with the JSON error body;</li>
 *   <li>each parser returns a value or throws a {@link ConfigException} naming a field and a
 *       reason, which ClusterAdmin maps to 400; nothing else (no NPE, IllegalStateException,
 *       NumberFormatException, StackOverflowError...);</li>
 *   <li>a parsed value written back by {@link ConfigWriter} (what the API answers and the saved
 *       config holds) parses to an equal value.</li>
 * </ul>
 * Every body is tried as a service, a pool, a member (POST and PATCH), a rule, a rule list and a
 * health monitor.
 *
 * <p>In a plain build this runs in regression mode on the seeds in
 * {@code src/test/resources/io/baton/controller/rest/RestJsonFuzzTestInputs/<method>/}; to fuzz:
 * see the jazzer-fuzz profile in controller-app/pom.xml. Jazzer's regex-injection sanitizer must be
 * disabled there: compiling the operator's regexes is what the rules API is for.
 */
class RestJsonFuzzTest {
    private static final JsonBody READER = new JsonBody();
    /** The member a PATCH body is merged into, as ClusterAdmin.patchMember does. */
    private static final MemberConfig CURRENT = MemberConfig.of(Ipv4Address.parse("10.0.0.11"));

    @FuzzTest
    @DictionaryEntries({"\"name\"", "\"vip\"", "\"port\"", "\"mode\"", "\"nat\"", "\"dsr\"", "\"virtualMac\"", "\"pools\"",
        "\"rules\"", "\"defaultPool\"", "\"policy\"", "\"params\"", "\"servers\"", "\"labels\"", "\"healthCheck\"",
        "\"address\"", "\"weight\"", "\"state\"", "\"draining\"", "\"maxConnections\"", "\"tags\"", "\"path\"", "\"host\"",
        "\"expect\"", "\"intervalMillis\"", "\"timeoutMillis\"", "\"rise\"", "\"fall\"", "\"pathPrefix\"", "\"pathRegex\"",
        "\"method\"", "\"sni\"", "\"headers\"", "\"cookies\"", "\"equals\"", "\"regex\"", "\"pool\"", "\"10.0.0.1\"",
        "\"round-robin\"", "\"consistent-hash\"", "\"least-connections\"", "\"key\"", "1e999", "-0", "\\u0000", "\\ud800"})
    void anyBodyParsesOrIsRefused(byte[] body) {
        JsonElement e;
        try {
            e = READER.readFrom(JsonElement.class, JsonElement.class, null, MediaType.APPLICATION_JSON_TYPE, null,
                    new ByteArrayInputStream(body));
        } catch (WebApplicationException refused) {
            int status = refused.getResponse().getStatus();
            assertEquals(body.length > JsonBody.MAX_BODY_BYTES ? 413 : 400, status);
            assertTrue(refused.getResponse().hasEntity(), "an error has the JSON error body");
            return;
        } catch (IOException unexpected) {
            throw new AssertionError("a byte array cannot fail to read", unexpected);
        }
        assertNotNull(e, "JsonBody returned null");

        roundTrip(() -> ConfigLoader.parseService(e), s -> ConfigLoader.parseService(ConfigWriter.service(s)));
        roundTrip(() -> ConfigLoader.parsePool(e), p -> ConfigLoader.parsePool(ConfigWriter.pool(p)));
        roundTrip(() -> ConfigLoader.parseMember(e), m -> ConfigLoader.parseMember(ConfigWriter.member(m)));
        roundTrip(() -> ConfigLoader.parseRule(e, null), r -> ConfigLoader.parseRule(ConfigWriter.rule(r), null));
        roundTrip(() -> ConfigLoader.parseHealthCheck(e), h -> ConfigLoader.parseHealthCheck(ConfigWriter.healthCheck(h)));
        if (e.isJsonArray()) { // PUT .../rules: each element is a rule
            for (JsonElement r : e.getAsJsonArray()) {
                roundTrip(() -> ConfigLoader.parseRule(r, null), x -> ConfigLoader.parseRule(ConfigWriter.rule(x), null));
            }
        }
        if (e.isJsonObject()) { // PATCH .../members/{address}: the body's fields replace the member's
            JsonObject merged = ConfigWriter.member(CURRENT);
            e.getAsJsonObject().entrySet().forEach(f -> merged.add(f.getKey(), f.getValue()));
            roundTrip(() -> ConfigLoader.parseMember(merged), m -> ConfigLoader.parseMember(ConfigWriter.member(m)));
        }
    }

    private interface Parse<T> {
        T parse() throws ConfigException;
    }

    private interface Reparse<T> {
        T parse(T value) throws ConfigException;
    }

    /** A value that parses is written and parsed back equal; a refusal names a field path and a reason. */
    private static <T> void roundTrip(Parse<T> parse, Reparse<T> reparse) {
        T value;
        try {
            value = parse.parse();
        } catch (ConfigException refused) {
            assertNotNull(refused.path(), "a refusal names a field path");
            assertNotNull(refused.reason(), "a refusal says why");
            return;
        }
        assertNotNull(value);
        T back;
        try {
            back = reparse.parse(value);
        } catch (ConfigException e) {
            throw new AssertionError("accepted " + value + " but refuses it written back: " + e.getMessage(), e);
        }
        assertEquals(value, back, "written back and parsed again");
    }

    // ---- plain tests

    /** 100,000 nested arrays or objects are refused as bad JSON (400), not a StackOverflowError. */
    @Test
    void deepNestingIsRefusedWithoutOverflowingTheStack() {
        for (String open : new String[] {"[", "{\"a\":"}) {
            String deep = open.repeat(100_000);
            WebApplicationException e = assertThrows(WebApplicationException.class, () -> READER.readFrom(JsonElement.class,
                    JsonElement.class, null, MediaType.APPLICATION_JSON_TYPE, null,
                    new ByteArrayInputStream(deep.getBytes(StandardCharsets.UTF_8))));
            assertEquals(400, e.getResponse().getStatus(), open);
            anyBodyParsesOrIsRefused(deep.getBytes(StandardCharsets.UTF_8));
        }
        // nesting Gson accepts, where a parser expects a string or a flat object
        String nested = "[".repeat(200) + "]".repeat(200);
        anyBodyParsesOrIsRefused(("{\"name\": \"p\", \"params\": {\"k\": " + nested + "}}").getBytes(StandardCharsets.UTF_8));
        anyBodyParsesOrIsRefused(("{\"pathPrefix\": " + nested + ", \"pool\": \"p\"}").getBytes(StandardCharsets.UTF_8));
    }

    /**
     * A regular expression nested 100,000 deep is refused as invalid (java.util.regex turns its own
     * stack overflow into a PatternSyntaxException), not a StackOverflowError.
     */
    @Test
    void deeplyNestedRegexIsRefused() throws IOException {
        String regex = "(".repeat(100_000) + "a" + ")".repeat(100_000);
        byte[] body = ("{\"pathRegex\": \"" + regex + "\", \"pool\": \"p\"}").getBytes(StandardCharsets.UTF_8);
        JsonElement e = read(body);
        ConfigException refused = assertThrows(ConfigException.class, () -> ConfigLoader.parseRule(e, null));
        assertEquals("pathRegex", refused.path(), refused.getMessage());
        anyBodyParsesOrIsRefused(body);
    }

    /** A body over 1 MiB is refused with 413 before it is parsed. */
    @Test
    void oversizeBodyIsRefused() {
        byte[] big = ("\"" + "x".repeat(JsonBody.MAX_BODY_BYTES) + "\"").getBytes(StandardCharsets.UTF_8);
        anyBodyParsesOrIsRefused(big);
    }

    /** The committed seeds are what their names say, so the regression run reaches every parser's success path. */
    @Test
    void seedsParse() throws Exception {
        ServiceConfig s = ConfigLoader.parseService(read(seed("service")));
        assertEquals(2, s.pools().size());
        PoolConfig p = ConfigLoader.parsePool(read(seed("pool")));
        assertEquals("images", p.name());
        assertEquals(3, ConfigLoader.parseMember(read(seed("member"))).weight());
        RuleConfig r = ConfigLoader.parseRule(read(seed("rule")), null);
        assertEquals("images", r.pool());
        assertEquals(3, read(seed("rules")).getAsJsonArray().size());
        for (JsonElement e : read(seed("rules")).getAsJsonArray()) {
            ConfigLoader.parseRule(e, null);
        }
        HealthCheckConfig h = ConfigLoader.parseHealthCheck(read(seed("health-monitor")));
        assertEquals("/healthz", h.path());
        assertFalse(read(seed("member-patch")).getAsJsonObject().has("address"));
    }

    private static JsonElement read(byte[] body) throws IOException {
        return READER.readFrom(JsonElement.class, JsonElement.class, null, MediaType.APPLICATION_JSON_TYPE, null,
                new ByteArrayInputStream(body));
    }

    static byte[] seed(String name) throws IOException {
        String path = "RestJsonFuzzTestInputs/anyBodyParsesOrIsRefused/" + name;
        try (InputStream in = RestJsonFuzzTest.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IOException("no seed " + path);
            }
            return in.readAllBytes();
        }
    }
}
