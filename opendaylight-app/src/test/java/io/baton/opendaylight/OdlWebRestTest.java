package io.baton.opendaylight;

import static io.baton.opendaylight.LocalPorts.freePort;
import static io.baton.opendaylight.LocalPorts.listening;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.baton.controller.config.BatonConfig;
import io.baton.controller.config.ConfigLoader;
import io.baton.controller.config.ConfigStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opendaylight.aaa.web.jetty.JettyWebServer;
import org.opendaylight.aaa.web.servlet.jersey2.JerseyServletSupport;

import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * Baton's REST API registered in OpenDaylight's web server the way {@link BatonOdlApp} does it, and
 * called over real HTTP. The web server is OpenDaylight's own Jetty implementation of
 * {@code org.opendaylight.aaa.web.WebServer} ({@link JettyWebServer}, aaa 0.22.3, Jetty 9.4) on an
 * ephemeral loopback port, and the servlet comes from OpenDaylight's own {@code ServletSupport}
 * ({@link JerseyServletSupport}, Jersey 2.47 as OpenDaylight ships it). Inside OpenDaylight the
 * WebServer is the Pax Web whiteboard one (web-osgi-impl); that one is not run here. The engine runs
 * on {@link OdlSouthbound} with the fakes of openflowplugin's services.
 *
 * <p>Test plan: under {@code /baton}, a call without the token is refused (401, the JSON error
 * shape); stats answer with the token; a member added by POST and drained by PATCH shows in the
 * following GETs and in the saved config, with a Location under {@code /baton}; malformed JSON is a
 * 400 and an unknown path a 404, both in the JSON error shape; metrics are Prometheus text; Baton's
 * own REST server is not listening. Stopping Baton withdraws the context and a restart registers it
 * again; with {@code restServer = baton} the API is on Baton's own server and not under
 * {@code /baton}; a {@code restServer} value other than the two is refused.
 */
class OdlWebRestTest {
    private static final String TOKEN = "s3cret-token";
    private static final String POOL = "/api/v1/services/web/pools/static";

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private JettyWebServer web;
    private Path configFile;
    private int restPort;
    private OdlRuntime runtime;
    private FakeNotifications notifications;


    @BeforeEach
    void start() throws Exception {
        web = new JettyWebServer(0); // OpenDaylight's Jetty web server, on localhost, ephemeral port
        web.start();
        restPort = freePort();
        configFile = dir.resolve("baton.json");
        Files.writeString(configFile, OdlEngineScenarioTest.CONFIG
                .replace("\"port\": 7070", "\"port\": " + freePort())
                .replace("\"port\": 8181", "\"port\": " + restPort));
    }

    @AfterEach
    void stop() throws Exception {
        if (runtime != null) {
            runtime.close();
            assertEquals(0, notifications.listenerCount(), "every notification listener unregistered");
        }
        web.stop();
    }

    private OdlRuntime startBaton(boolean odlWebServer) throws Exception {
        notifications = new FakeNotifications();
        OdlSouthbound southbound = new OdlSouthbound(new FakeRpcs(), notifications, new FakeInventory(), 2_000);
        Optional<OdlWebRestPublisher> publisher = odlWebServer
                ? Optional.of(new OdlWebRestPublisher(web, new JerseyServletSupport())) : Optional.empty();
        return OdlRuntime.start(ConfigStore.open(configFile), "0123456789abcdef0123456789abcdef".getBytes(
                StandardCharsets.US_ASCII), TOKEN.getBytes(StandardCharsets.US_ASCII), southbound, publisher);
    }

    private HttpResponse<String> call(String base, String method, String path, String body, String token)
            throws Exception {
        return RestCalls.call(http, base, method, path, body, token);
    }

    /** A call to the API under OpenDaylight's web server, with the token. */
    private HttpResponse<String> odl(String method, String path, String body) throws Exception {
        return call(web.getBaseURL() + "/baton", method, path, body, TOKEN);
    }

    private static JsonObject error(HttpResponse<String> r, int status) {
        assertEquals(status, r.statusCode(), r.body());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"), r.headers().toString());
        JsonObject o = JsonParser.parseString(r.body()).getAsJsonObject();
        assertEquals(status, o.get("status").getAsInt(), r.body());
        assertTrue(o.has("error") && o.has("field"), "the error shape: " + r.body());
        assertFalse(o.get("reason").getAsString().isEmpty(), r.body());
        return o;
    }

    private static JsonObject member(JsonArray members, String address) {
        for (JsonElement m : members) {
            if (m.getAsJsonObject().get("address").getAsString().equals(address)) {
                return m.getAsJsonObject();
            }
        }
        throw new AssertionError("no member " + address + " in " + members);
    }

    @Test
    void theApiAnswersUnderBatonInOpenDaylightsWebServer() throws Exception {
        runtime = startBaton(true);
        String base = web.getBaseURL() + "/baton";

        HttpResponse<String> noToken = call(base, "GET", "/api/v1/stats", null, null);
        JsonObject unauthorized = error(noToken, 401);
        assertEquals("Authorization", unauthorized.get("field").getAsString());
        assertEquals("Bearer realm=\"baton\"", noToken.headers().firstValue("WWW-Authenticate").orElse(""));
        error(call(base, "GET", "/api/v1/stats", null, "wrong"), 401);

        HttpResponse<String> stats = odl("GET", "/api/v1/stats", null);
        assertEquals(200, stats.statusCode(), stats.body());
        assertTrue(stats.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        assertEquals(2, JsonParser.parseString(stats.body()).getAsJsonObject().getAsJsonObject("rest")
                .get("unauthorized").getAsInt(), "both refusals counted: " + stats.body());

        HttpResponse<String> add = odl("POST", POOL + "/members", "{\"address\": \"10.0.0.14\", \"weight\": 2}");
        assertEquals(201, add.statusCode(), add.body());
        assertEquals(base + POOL + "/members/10.0.0.14", add.headers().firstValue("Location").orElse(""),
                "the Location is under OpenDaylight's web server and /baton");
        HttpResponse<String> drain = odl("PATCH", POOL + "/members/10.0.0.14", "{\"state\": \"draining\"}");
        assertEquals(200, drain.statusCode(), drain.body());

        HttpResponse<String> list = odl("GET", POOL + "/members", null);
        assertEquals(200, list.statusCode(), list.body());
        JsonObject added = member(JsonParser.parseString(list.body()).getAsJsonArray(), "10.0.0.14");
        assertEquals(2, added.get("weight").getAsInt(), list.body());
        assertEquals("draining", added.get("state").getAsString().toLowerCase(), list.body());
        BatonConfig saved = ConfigLoader.load(configFile);
        assertEquals("DRAINING", saved.services().get(0).pools().get(0).members().get(1).state().name(),
                "saved to the config file");

        String before = Files.readString(configFile);
        error(odl("POST", POOL + "/members", "{\"address\": "), 400);
        assertEquals("weight", error(odl("POST", POOL + "/members", "{\"address\": \"10.0.0.15\", \"weight\": 0}"), 400)
                .get("field").getAsString());
        error(odl("GET", "/api/v1/nope", null), 404);
        error(odl("GET", POOL + "/members/10.0.0.99", null), 404);
        error(call(base, "GET", "/api/v1/nope", null, null), 401); // an unknown path reveals nothing either
        assertEquals(before, Files.readString(configFile), "refused calls changed nothing");

        HttpResponse<String> metrics = odl("GET", "/metrics", null);
        assertEquals(200, metrics.statusCode());
        assertTrue(metrics.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
        assertTrue(metrics.body().contains("baton_member_up{server=\"10.0.0.14\",service=\"web\",pool=\"static\""),
                metrics.body());

        assertFalse(listening(restPort), "Baton's own REST server is not started under OpenDaylight's");
    }

    @Test
    void stoppingBatonWithdrawsTheContextAndARestartRegistersItAgain() throws Exception {
        runtime = startBaton(true);
        assertEquals(200, odl("GET", "/api/v1/stats", null).statusCode());

        runtime.close();
        runtime = null;
        assertEquals(404, odl("GET", "/api/v1/stats", null).statusCode(), "no /baton context any more");

        runtime = startBaton(true);
        assertEquals(200, odl("GET", "/api/v1/stats", null).statusCode(), "the same context path again");
    }

    @Test
    void batonsOwnServerWhenConfigured() throws Exception {
        runtime = startBaton(false);
        HttpResponse<String> own = call("http://127.0.0.1:" + restPort, "GET", "/api/v1/stats", null, TOKEN);
        assertEquals(200, own.statusCode(), own.body());
        error(call("http://127.0.0.1:" + restPort, "GET", "/api/v1/stats", null, null), 401);
        assertEquals(404, odl("GET", "/api/v1/stats", null).statusCode(), "nothing registered under /baton");
    }

    @Test
    void theRestServerSettingTakesTwoValues() {
        assertTrue(BatonOdlApp.odlWebServer("opendaylight"));
        assertTrue(BatonOdlApp.odlWebServer(""), "the default");
        assertFalse(BatonOdlApp.odlWebServer("baton"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BatonOdlApp.odlWebServer("jetty"));
        assertTrue(e.getMessage().contains("restServer must be opendaylight or baton"), e.getMessage());
    }
}
