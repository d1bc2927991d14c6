package io.baton.controller.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import io.baton.controller.admin.AdminException;
import io.baton.controller.config.ConfigException;
import io.baton.controller.config.ConfigLoader;
import io.baton.controller.config.ConfigWriter;
import io.baton.controller.config.MemberConfig;
import io.baton.flowrules.api.Ipv4Address;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.ws.rs.WebApplicationException;
import javax.ws.rs.core.MediaType;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.Tuple.Tuple3;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Random REST bodies, in every build (where RestJsonFuzzTest only replays its seeds): random
 * bytes, JSON-ish token soup, well-formed JSON with the API's own field names and awkward values,
 * and valid bodies (RestJsonFuzzTest's seeds) with a few fields changed, removed or added, each
 * fed to what a request body goes through (as RestJsonFuzzTest does:
 * {@link JsonBody}, then the parser ClusterAdmin calls for each resource). Whatever comes in,
 * no exception escapes and every resource's answer is a 2xx, a 400 or, above the 1 MiB cap, a 413.
 */
class RestJsonPropertyTest {
    private static final JsonBody READER = new JsonBody();
    /** The member a PATCH body is merged into, as ClusterAdmin.patchMember does. */
    private static final MemberConfig CURRENT = MemberConfig.of(Ipv4Address.parse("10.0.0.11"));
    private static final int OK = 200;
    /** What ClusterAdmin answers when a parser refuses the body. */
    private static final int REFUSED = AdminException.Kind.BAD_REQUEST.status();

    private static final List<String> KEYS = List.of("name", "vip", "port", "mode", "virtualMac", "pools", "rules",
            "defaultPool", "policy", "params", "servers", "labels", "healthCheck", "address", "weight", "state",
            "maxConnections", "tags", "path", "host", "expect", "intervalMillis", "timeoutMillis", "rise", "fall",
            "pathPrefix", "pathRegex", "method", "sni", "headers", "cookies", "equals", "regex", "pool", "key", "x");
    private static final List<String> LEAVES = List.of("\"10.0.0.1\"", "\"10.0.0.300\"", "\"nat\"", "\"dsr\"",
            "\"draining\"", "\"active\"", "\"round-robin\"", "\"consistent-hash\"", "\"least-connections\"", "\"/\"",
            "\"/a/\"", "\"(\"", "\"a{2,}\"", "\"GET\"", "\"02:00:0a:00:00:64\"", "0", "-1", "-0", "1.5", "80",
            "65536", "2147483648", "1e999", "true", "false", "null", "\"\"", "\"\\u0000\"", "\"\\ud800\"", "[]", "{}");

    /** Each resource's answer to a body, by resource; the body's own refusal under "body". */
    static Map<String, Integer> answers(byte[] body) {
        Map<String, Integer> answers = new LinkedHashMap<>();
        JsonElement e;
        try {
            e = READER.readFrom(JsonElement.class, JsonElement.class, null, MediaType.APPLICATION_JSON_TYPE, null,
                    new ByteArrayInputStream(body));
        } catch (WebApplicationException refused) {
            answers.put("body", refused.getResponse().getStatus());
            return answers;
        } catch (IOException unexpected) {
            throw new AssertionError("a byte array cannot fail to read", unexpected);
        }
        answers.put("service", answer(() -> ConfigLoader.parseService(e)));
        answers.put("pool", answer(() -> ConfigLoader.parsePool(e)));
        answers.put("member", answer(() -> ConfigLoader.parseMember(e)));
        answers.put("rule", answer(() -> ConfigLoader.parseRule(e, null)));
        answers.put("health-monitor", answer(() -> ConfigLoader.parseHealthCheck(e)));
        if (e.isJsonArray()) { // PUT .../rules
            for (JsonElement r : e.getAsJsonArray()) {
                answers.merge("rules", answer(() -> ConfigLoader.parseRule(r, null)), Math::max);
            }
        }
        if (e.isJsonObject()) { // PATCH .../members/{address}
            JsonObject merged = ConfigWriter.member(CURRENT);
            e.getAsJsonObject().entrySet().forEach(f -> merged.add(f.getKey(), f.getValue()));
            answers.put("member-patch", answer(() -> ConfigLoader.parseMember(merged)));
        }
        return answers;
    }

    private interface Parse {
        Object parse() throws ConfigException;
    }

    /** 200 for a value, ClusterAdmin's 400 for a refusal; anything else thrown escapes and fails the property. */
    private static int answer(Parse parse) {
        try {
            parse.parse();
            return OK;
        } catch (ConfigException refused) {
            return REFUSED;
        }
    }

    private static void assertAnswered(byte[] body) {
        Map<String, Integer> answers = answers(body);
        for (Map.Entry<String, Integer> a : answers.entrySet()) {
            int status = a.getValue();
            assertTrue(status / 100 == 2 || status == 400 || status == 413, a.getKey() + " answered " + status);
        }
        assertEquals(body.length > JsonBody.MAX_BODY_BYTES, answers.get("body") != null && answers.get("body") == 413,
                "413 exactly when the body is over the cap: " + answers);
    }

    @Property(tries = 2000)
    void anyBytesGetA2xxOrA400(@ForAll @Size(max = 600) byte[] body) {
        assertAnswered(body);
    }

    @Property(tries = 2000)
    void jsonIshTextGetsA2xxOrA400(@ForAll("jsonIsh") String text) {
        assertAnswered(text.getBytes(StandardCharsets.UTF_8));
    }

    @Property(tries = 1000)
    void wellFormedJsonGetsA2xxOrA400(@ForAll("json") String text) {
        assertAnswered(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Valid bodies with up to three edits: these reach the parsers' success paths and each check on the way. */
    @Property(tries = 1000)
    void aValidBodyEditedGetsA2xxOrA400(@ForAll("nearlyValid") String text) {
        assertAnswered(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Over the cap by 1 to 100 bytes of anything: a 413 before any parsing. */
    @Property(tries = 5)
    void aBodyOverTheCapGetsA413(@ForAll @IntRange(min = 1, max = 100) int over, @ForAll long seed) {
        byte[] body = new byte[JsonBody.MAX_BODY_BYTES + over];
        new Random(seed).nextBytes(body);
        assertAnswered(body);
    }

    /** Tokens of JSON and of the API, in any order: mostly invalid, sometimes nearly right. */
    @Provide
    Arbitrary<String> jsonIsh() {
        Arbitrary<String> token = Arbitraries.oneOf(
                Arbitraries.of("{", "}", "[", "]", ",", ":", "\"", "\\", " ", "\n", "\t", "\u00e9", "\uffff", "/*", "'"),
                Arbitraries.of(KEYS).map(k -> "\"" + k + "\""),
                Arbitraries.of(LEAVES),
                Arbitraries.strings().ofMaxLength(6));
        return token.list().ofMaxSize(60).map(l -> String.join("", l));
    }

    /**
     * A seed body of each resource with up to three edits, each at a position picked in the
     * tree: its value replaced by an awkward one, removed, or a field added beside it.
     */
    @Provide
    Arbitrary<String> nearlyValid() {
        Arbitrary<String> seed = Arbitraries.of("service", "pool", "member", "member-patch", "rule", "rules",
                "health-monitor");
        Arbitrary<List<Tuple3<Integer, Integer, String>>> edits = Combinators.combine(
                Arbitraries.integers().between(0, 1 << 16), Arbitraries.integers().between(0, 2), Arbitraries.of(LEAVES))
                .as(Tuple::of).list().ofMaxSize(3);
        return Combinators.combine(seed, edits).as((name, es) -> {
            JsonElement tree;
            try {
                tree = JsonParser.parseString(new String(RestJsonFuzzTest.seed(name), StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            for (Tuple3<Integer, Integer, String> edit : es) {
                edit(tree, edit.get1(), edit.get2(), JsonParser.parseString(edit.get3()));
            }
            return tree.toString();
        });
    }

    /** Replaces (0), removes (1) or adds a field beside (2) the value at {@code position}, counted in document order. */
    private static void edit(JsonElement root, int position, int action, JsonElement leaf) {
        List<Object[]> slots = new ArrayList<>(); // {container, key or index}
        slots(root, slots);
        if (slots.isEmpty()) {
            return;
        }
        Object[] slot = slots.get(position % slots.size());
        if (slot[0] instanceof JsonObject) {
            JsonObject o = (JsonObject) slot[0];
            String key = (String) slot[1];
            if (action == 0) {
                o.add(key, leaf);
            } else if (action == 1) {
                o.remove(key);
            } else {
                o.add(KEYS.get(position % KEYS.size()), leaf);
            }
        } else {
            JsonArray a = (JsonArray) slot[0];
            int i = (Integer) slot[1];
            if (action == 0) {
                a.set(i, leaf);
            } else if (action == 1) {
                a.remove(i);
            } else {
                a.add(leaf);
            }
        }
    }

    private static void slots(JsonElement e, List<Object[]> out) {
        if (e.isJsonObject()) {
            for (Map.Entry<String, JsonElement> f : e.getAsJsonObject().entrySet()) {
                out.add(new Object[] {e, f.getKey()});
                slots(f.getValue(), out);
            }
        } else if (e.isJsonArray()) {
            for (int i = 0; i < e.getAsJsonArray().size(); i++) {
                out.add(new Object[] {e, i});
                slots(e.getAsJsonArray().get(i), out);
            }
        }
    }

    /** Well-formed JSON with the API's field names, nested up to three deep. */
    @Provide
    Arbitrary<String> json() {
        return value(3);
    }

    private static Arbitrary<String> value(int depth) {
        Arbitrary<String> leaf = Arbitraries.oneOf(Arbitraries.of(LEAVES),
                Arbitraries.strings().ofMaxLength(12).map(s -> new JsonPrimitive(s).toString()),
                Arbitraries.integers().map(String::valueOf));
        if (depth == 0) {
            return leaf;
        }
        Arbitrary<String> member = Combinators.combine(Arbitraries.of(KEYS), value(depth - 1))
                .as((k, v) -> "\"" + k + "\": " + v);
        Arbitrary<String> object = member.list().ofMaxSize(6).map(l -> "{" + String.join(", ", l) + "}");
        Arbitrary<String> array = value(depth - 1).list().ofMaxSize(4).map(l -> "[" + String.join(", ", l) + "]");
        return Arbitraries.frequencyOf(Tuple.of(3, leaf), Tuple.of(5, object), Tuple.of(2, array));
    }
}
