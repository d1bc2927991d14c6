package io.baton.controller.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.baton.controller.Main;
import io.baton.controller.config.BatonConfig;
import io.baton.controller.config.ConfigLoader;
import io.baton.controller.config.ConfigLoaderTest;
import io.baton.controller.config.ConfigStore;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The REST API through a real HTTP client, against a running standalone controller. */
class RestApiTest {
    private static final String TOKEN = "s3cret-token";

    @TempDir
    Path dir;
    private Path configFile;
    private Main.Controller controller;
    private final HttpClient http = HttpClient.newHttpClient();
    private String base;

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @BeforeEach
    void start() throws Exception {
        Path secret = dir.resolve("secret");
        Files.writeString(secret, "0123456789abcdef0123456789abcdef");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
        Path token = dir.resolve("token");
        Files.writeString(token, TOKEN + "\n");
        Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-------"));
        int rest = freePort();
        String json = ConfigLoaderTest.GOOD
                .replace("\"port\": 6653", "\"port\": " + freePort())
                .replace("\"port\": 7070", "\"port\": " + freePort())
                .replace("\"port\": 8181", "\"port\": " + rest)
                .replace("/etc/baton/secret", secret.toString())
                .replace("/etc/baton/token", token.toString());
        configFile = dir.resolve("baton.json");
        Files.writeString(configFile, json);
        controller = Main.Controller.start(ConfigStore.open(configFile), Files.readAllBytes(secret),
                TOKEN.getBytes(StandardCharsets.UTF_8));
        base = "http://127.0.0.1:" + rest;
    }

    @AfterEach
    void stop() {
        if (controller != null) {
            controller.close();
        }
    }

    private HttpResponse<String> call(String method, String path, String body, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> call(String method, String path, String body) throws Exception {
        return call(method, path, body, TOKEN);
    }

    private static JsonObject error(HttpResponse<String> r, int status) {
        assertEquals(status, r.statusCode(), r.body());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"), r.headers().toString());
        JsonObject o = JsonParser.parseString(r.body()).getAsJsonObject();
        assertEquals(status, o.get("status").getAsInt());
        assertFalse(o.get("reason").getAsString().isEmpty());
        return o;
    }

    private static String field(JsonObject error) {
        return error.get("field").isJsonNull() ? null : error.get("field").getAsString();
    }

    private BatonConfig saved() throws Exception {
        return ConfigLoader.load(configFile);
    }

    private static final String POOL = "/api/v1/services/web/pools/static";

    @Test
    void everyCallNeedsTheToken() throws Exception {
        JsonObject none = error(call("GET", "/api/v1/services", null, null), 401);
        assertEquals("no bearer token", none.get("reason").getAsString());
        error(call("GET", "/api/v1/stats", null, "wrong"), 401);
        error(call("GET", "/metrics", null, "wrong"), 401);
        error(call("POST", POOL + "/members", "{\"address\": \"10.0.0.14\"}", "s3cret-tokex"), 401);
        error(call("GET", "/no/such/path", null, null), 401); // nothing is revealed before the token
        assertEquals(2, saved().services().get(0).pools().get(0).members().size(), "nothing changed");
        JsonObject stats = JsonParser.parseString(call("GET", "/api/v1/stats", null).body()).getAsJsonObject();
        assertEquals(5, stats.getAsJsonObject("rest").get("unauthorized").getAsInt());
    }

    @Test
    void membersAreAddedChangedAndRemovedAndEachChangeIsSaved() throws Exception {
        HttpResponse<String> add = call("POST", POOL + "/members", "{\"address\": \"10.0.0.14\", \"weight\": 3}");
        assertEquals(201, add.statusCode(), add.body());
        assertTrue(add.headers().firstValue("Location").orElse("").endsWith(POOL + "/members/10.0.0.14"));
        JsonObject m = JsonParser.parseString(add.body()).getAsJsonObject();
        assertEquals(3, m.get("weight").getAsInt());
        assertEquals("no-agent", m.getAsJsonObject("status").get("health").getAsString());
        assertEquals(3, saved().services().get(0).pools().get(0).members().get(2).weight(), "saved at once");

        HttpResponse<String> drain = call("PATCH", POOL + "/members/10.0.0.14", "{\"state\": \"draining\"}");
        assertEquals(200, drain.statusCode(), drain.body());
        assertEquals("draining", JsonParser.parseString(drain.body()).getAsJsonObject().get("state").getAsString());
        assertEquals(3, JsonParser.parseString(drain.body()).getAsJsonObject().get("weight").getAsInt(), "other fields kept");
        assertEquals("DRAINING", saved().services().get(0).pools().get(0).members().get(2).state().name());

        JsonArray members = JsonParser.parseString(call("GET", POOL + "/members", null).body()).getAsJsonArray();
        assertEquals(3, members.size());

        assertEquals(204, call("DELETE", POOL + "/members/10.0.0.14", null).statusCode());
        assertEquals(2, saved().services().get(0).pools().get(0).members().size());
        error(call("GET", POOL + "/members/10.0.0.14", null), 404);
    }

    @Test
    void badRequestsNameTheFieldAndChangeNothing() throws Exception {
        String before = Files.readString(configFile);
        assertEquals("address", field(error(call("POST", POOL + "/members", "{\"address\": \"10.0.0.300\"}"), 400)));
        assertEquals("colour", field(error(call("POST", POOL + "/members", "{\"address\": \"10.0.0.14\", \"colour\": 1}"), 400)));
        assertEquals("weight", field(error(call("POST", POOL + "/members", "{\"address\": \"10.0.0.14\", \"weight\": 0}"), 400)));
        assertEquals("state", field(error(call("PATCH", POOL + "/members/10.0.0.11", "{\"state\": \"sleepy\"}"), 400)));
        error(call("POST", POOL + "/members", "{\"address\": "), 400); // malformed JSON
        error(call("POST", POOL + "/members", "{\"address\": \"10.0.0.14\"} trailing"), 400);
        assertEquals("address", field(error(call("POST", POOL + "/members", "{\"address\": \"10.0.0.11\"}"), 409)));
        error(call("POST", "/api/v1/services/web/pools/nope/members", "{\"address\": \"10.0.0.14\"}"), 404);
        error(call("POST", "/api/v1/services/nope/pools/static/members", "{\"address\": \"10.0.0.14\"}"), 404);
        assertEquals("pool", field(error(call("POST", "/api/v1/services/web/rules", "{\"pathPrefix\": \"/x/\", \"pool\": \"nope\"}"), 400)));
        assertEquals("pathRegex", field(error(call("POST", "/api/v1/services/web/rules", "{\"pathRegex\": \"([\", \"pool\": \"api\"}"), 400)));
        assertEquals("[1].pool", field(error(call("PUT", "/api/v1/services/web/rules",
                "[{\"pathPrefix\": \"/a/\", \"pool\": \"api\"}, {\"pathPrefix\": \"/b/\", \"pool\": \"x\"}]"), 400)));
        error(call("DELETE", "/api/v1/services/web/pools/static", null), 409); // the default pool
        error(call("DELETE", "/api/v1/services/web/pools/api", null), 409);    // a rule uses it
        error(call("POST", "/api/v1/services", ConfigLoaderTest.GOOD.substring(ConfigLoaderTest.GOOD.indexOf("{\"name\": \"web\""),
                ConfigLoaderTest.GOOD.length() - 2).replace("\"web\"", "\"web2\"")), 409); // same VIP:port
        long refusedBefore = controller.restCounters().get("badRequests");
        try {
            // The server answers 413 without reading the body and closes; the client, still sending,
            // may see the reset before the answer (TCP discards it), so the counter is the proof.
            HttpResponse<String> big = call("POST", POOL + "/members", "x".repeat(JsonBody.MAX_BODY_BYTES + 10));
            error(big, 413);
        } catch (IOException expectedWhenTheResetWins) {
            // fall through to the counter
        }
        assertEquals(refusedBefore + 1, (long) controller.restCounters().get("badRequests"), "the oversized body was refused");
        error(call("GET", "/api/v1/connections?limit=0", null), 400);
        assertEquals(before, Files.readString(configFile), "no refused call touched the saved config");
    }

    @Test
    void rulesAndPoolsChangeAndTheSavedFileLoadsBack() throws Exception {
        assertEquals(201, call("POST", "/api/v1/services/web/pools",
                "{\"name\": \"images\", \"policy\": \"consistent-hash\", \"params\": {\"key\": \"path\"},"
                        + " \"servers\": [{\"address\": \"10.0.0.12\", \"tags\": {\"jvmRoute\": \"h2\"}}], \"labels\": [\"img\"]}").statusCode());
        HttpResponse<String> r = call("POST", "/api/v1/services/web/rules?position=0",
                "{\"pathPrefix\": \"/img/\", \"headers\": [{\"name\": \"Accept\", \"regex\": \"image/\"}],"
                        + " \"cookies\": [{\"name\": \"beta\", \"equals\": \"1\"}], \"pool\": \"images\"}");
        assertEquals(201, r.statusCode(), r.body());
        HttpResponse<String> hm = call("PUT", "/api/v1/services/web/pools/images/health-monitor",
                "{\"path\": \"/healthz\", \"intervalMillis\": 500, \"timeoutMillis\": 200, \"rise\": 2, \"fall\": 2}");
        assertEquals(200, hm.statusCode(), hm.body());
        JsonArray rules = JsonParser.parseString(call("GET", "/api/v1/services/web/rules", null).body()).getAsJsonArray();
        assertEquals(2, rules.size());
        assertEquals("images", rules.get(0).getAsJsonObject().get("pool").getAsString(), "inserted first");

        BatonConfig back = saved();
        assertEquals(3, back.services().get(0).pools().size());
        assertEquals("images", back.services().get(0).rules().get(0).pool());
        assertEquals("/healthz", back.services().get(0).pool("images").orElseThrow().healthCheck().path());
        assertEquals("h2", back.services().get(0).pool("images").orElseThrow().members().get(0).tags().get("jvmRoute"));
        // What GET shows is what the file holds.
        JsonElement shown = JsonParser.parseString(call("GET", "/api/v1/services/web", null).body());
        assertEquals(io.baton.controller.config.ConfigWriter.service(back.services().get(0)), shown);

        assertEquals(204, call("DELETE", "/api/v1/services/web/rules/0", null).statusCode());
        assertEquals(204, call("DELETE", "/api/v1/services/web/pools/images", null).statusCode());
        assertEquals(2, saved().services().get(0).pools().size());
        assertEquals(1, saved().services().get(0).rules().size());
    }

    @Test
    void aChangeThatCannotBeSavedIsNotApplied() throws Exception {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("r-x------"));
        try {
            if (Files.isWritable(dir) && "root".equals(System.getProperty("user.name"))) {
                // root ignores permissions: make the target a directory instead, so the rename fails.
                Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
                Path moved = dir.resolve("baton.json.orig");
                Files.move(configFile, moved);
                Files.createDirectory(configFile);
                Files.writeString(configFile.resolve("keep"), "x");
            }
            error(call("POST", POOL + "/members", "{\"address\": \"10.0.0.14\"}"), 500);
            JsonArray members = JsonParser.parseString(call("GET", POOL + "/members", null).body()).getAsJsonArray();
            assertEquals(2, members.size(), "the refused change is not in force either");
        } finally {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        }
    }

    @Test
    void metricsAreInPrometheusTextFormat() throws Exception {
        HttpResponse<String> r = call("GET", "/metrics", null);
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"), r.headers().toString());
        String body = r.body();
        for (String family : new String[] {"baton_server_active_connections", "baton_server_handoffs_total",
                "baton_member_up", "baton_service_requests_total", "baton_packet_in_total"}) {
            assertTrue(body.contains("# TYPE " + family + " "), family + " missing:\n" + body);
        }
        assertTrue(body.contains("baton_member_up{server=\"10.0.0.11\",service=\"web\",pool=\"static\",health=\"no-agent\",state=\"down\"} 0"), body);
        assertTrue(body.contains("baton_service_requests_total{service=\"web\"} 0"), body);
        for (String line : body.split("\n")) {
            assertTrue(line.startsWith("#") || line.matches("[a-z_]+(\\{[^}]*\\})? -?[0-9]+"), "not a sample line: " + line);
        }
    }
}
