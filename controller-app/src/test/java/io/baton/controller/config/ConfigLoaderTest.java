package io.baton.controller.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.flowrules.api.Ipv4Address;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

public class ConfigLoaderTest {
    public static final String GOOD = "{\"openflow\": {\"port\": 6653},"
            + " \"handoff\": {\"port\": 7070, \"secretFile\": \"/etc/baton/secret\"},"
            + " \"rest\": {\"port\": 8181, \"tokenFile\": \"/etc/baton/token\"},"
            + " \"services\": [{\"name\": \"web\", \"vip\": \"10.0.0.100\", \"port\": 80, \"mode\": \"nat\","
            + "   \"pools\": [{\"name\": \"static\", \"policy\": \"round-robin\", \"servers\": [\"10.0.0.11\", \"10.0.0.12\"]},"
            + "             {\"name\": \"api\", \"policy\": \"round-robin\", \"servers\": [\"10.0.0.13\"]}],"
            + "   \"rules\": [{\"pathPrefix\": \"/api/\", \"pool\": \"api\"}],"
            + "   \"defaultPool\": \"static\"}]}";

    @Test
    void theDocumentedExampleLoads() throws Exception {
        BatonConfig c = ConfigLoader.parse(GOOD, Path.of("/cfg"));
        assertEquals(6653, c.openflowListen().getPort());
        assertEquals("127.0.0.1", c.openflowListen().getHostString(), "listen on loopback unless told");
        assertEquals("127.0.0.1", c.restListen().getHostString(), "REST too: loopback unless told");
        assertEquals(8181, c.restListen().getPort());
        assertEquals("127.0.0.1", c.handoffListen().getHostString());
        assertEquals(Path.of("/etc/baton/secret"), c.secretFile());
        ServiceConfig s = c.services().get(0);
        assertEquals(Ipv4Address.parse("10.0.0.100"), s.vip());
        assertEquals(ServiceMode.NAT, s.mode());
        assertEquals(2, s.pools().size());
        assertEquals(1, s.rules().size());
        assertEquals("02:00:0a:00:00:64", s.virtualMac().toString());
        assertEquals(PacketInLimits.defaults().synPerSecond(), c.packetInLimits().synPerSecond());
    }

    @Test
    void packetInLimitsLoadAndBadOnesAreRefused() throws Exception {
        String limits = "\"packetInLimits\": {\"synPerSecond\": 500, \"otherPerSecond\": 0}, \"services\":";
        BatonConfig c = ConfigLoader.parse(GOOD.replace("\"services\":", limits), Path.of("/cfg"));
        assertEquals(500, c.packetInLimits().synPerSecond());
        assertEquals(PacketInLimits.defaults().vipPerSecond(), c.packetInLimits().vipPerSecond(), "unset: the default");
        assertEquals(0, c.packetInLimits().otherPerSecond(), "0: no limit");
        assertTrue(error(GOOD.replace("\"services\":", "\"packetInLimits\": {\"synPerSecond\": -1}, \"services\":"))
                .startsWith("packetInLimits.synPerSecond: must be a whole number"));
        assertTrue(error(GOOD.replace("\"services\":", "\"packetInLimits\": {\"synsPerSecond\": 5}, \"services\":"))
                .startsWith("packetInLimits.synsPerSecond: unknown field"));
    }

    @Test
    void forwardingBeforeTheCommitIsOnUnlessTurnedOff() throws Exception {
        assertTrue(ConfigLoader.parse(GOOD, Path.of("/cfg")).forwardBeforeCommit());
        String off = GOOD.replace("\"secretFile\": \"/etc/baton/secret\"",
                "\"secretFile\": \"/etc/baton/secret\", \"forwardBeforeCommit\": false");
        assertEquals(false, ConfigLoader.parse(off, Path.of("/cfg")).forwardBeforeCommit());
        assertTrue(error(off.replace("false", "\"no\"")).startsWith("handoff.forwardBeforeCommit: must be true or false"));
    }

    @Test
    void requestsAreKeptForARescueUnlessTurnedOff() throws Exception {
        BatonConfig c = ConfigLoader.parse(GOOD, Path.of("/cfg"));
        assertEquals(10_000, c.rescue().windowMillis());
        assertEquals(2 << 20, c.rescue().maxBytes());
        String off = GOOD.replace("\"secretFile\": \"/etc/baton/secret\"",
                "\"secretFile\": \"/etc/baton/secret\", \"rescueWindowMillis\": 0, \"rescueMaxBytes\": 1000");
        assertEquals(0, ConfigLoader.parse(off, Path.of("/cfg")).rescue().windowMillis());
        assertEquals(1000, ConfigLoader.parse(off, Path.of("/cfg")).rescue().maxBytes());
        assertTrue(error(off.replace("\"rescueWindowMillis\": 0", "\"rescueWindowMillis\": -1"))
                .startsWith("handoff.rescueWindowMillis: must be a whole number"));
    }

    @Test
    void theRestApiListensWhereTheConfigSays() throws Exception {
        BatonConfig c = ConfigLoader.parse(GOOD.replace("\"rest\": {\"port\": 8181",
                "\"rest\": {\"address\": \"192.168.254.1\", \"port\": 8181"), Path.of("/cfg"));
        assertEquals("192.168.254.1", c.restListen().getHostString());
        BatonConfig none = ConfigLoader.parse(GOOD.replace("\"rest\": {\"port\": 8181, ", "\"rest\": {"), Path.of("/cfg"));
        assertEquals(new java.net.InetSocketAddress("127.0.0.1", 8181), none.restListen(), "address and port unset: the defaults");
        assertTrue(error(GOOD.replace("\"rest\": {\"port\": 8181", "\"rest\": {\"address\": \"0.0.0.0.0\", \"port\": 8181"))
                .startsWith("rest.address: "));
    }

    private static String error(String json) {
        return assertThrows(ConfigException.class, () -> ConfigLoader.parse(json, Path.of("/cfg"))).getMessage();
    }

    @Test
    void errorsNameTheFieldPathAndTheReason() {
        String bad = error(GOOD.replace("\"10.0.0.13\"", "\"10.0.0.300\""));
        assertTrue(bad.startsWith("services[0].pools[1].servers[0]: not an IPv4 address"), bad);
        assertTrue(bad.endsWith("10.0.0.300"), bad);
        assertTrue(error(GOOD.replace("\"pool\": \"api\"", "\"pool\": \"nope\"")).startsWith("services[0].rules[0].pool: no pool named 'nope'"));
        assertTrue(error(GOOD.replace("\"mode\": \"nat\"", "\"mode\": \"tunnel\"")).startsWith("services[0].mode:"));
        assertTrue(error(GOOD.replace("\"port\": 80", "\"port\": 80, \"colour\": 1")).startsWith("services[0].colour: unknown field"));
        assertTrue(error(GOOD.replace("\"defaultPool\": \"static\"", "\"defaultPool\": \"x\"")).startsWith("services[0].defaultPool:"));
        assertTrue(error(GOOD.replace("\"port\": 8181", "\"port\": 70000")).startsWith("rest.port: must be a whole number"));
        assertTrue(error(GOOD.replace("\"policy\": \"round-robin\", \"servers\": [\"10.0.0.13\"]",
                "\"policy\": \"fastest-guess\", \"servers\": [\"10.0.0.13\"]")).startsWith("services[0].pools[1].policy:"));
        assertTrue(error("{\"services\": []").startsWith("(root): not valid JSON"));
        assertTrue(error("[1]").startsWith("(root): must be a JSON object"));
        assertTrue(error(GOOD.replace("\"secretFile\": \"/etc/baton/secret\"", "\"x\": 1")).startsWith("handoff.secretFile: is required"));
    }

    @Test
    void duplicatesAreRefused() {
        assertTrue(error(GOOD.replace("\"10.0.0.12\"", "\"10.0.0.11\"")).startsWith("services[0].pools[0].servers[1]: server 10.0.0.11 listed twice"));
        assertTrue(error(GOOD.replace("{\"name\": \"api\"", "{\"name\": \"static\"")).startsWith("services[0].pools[1].name: duplicate"));
    }

    static final String RICH = GOOD
            .replace("\"servers\": [\"10.0.0.11\", \"10.0.0.12\"]",
                    "\"servers\": [\"10.0.0.11\", {\"address\": \"10.0.0.12\", \"weight\": 3, \"state\": \"draining\","
                            + " \"maxConnections\": 50, \"tags\": {\"jvmRoute\": \"h2\"}}], \"labels\": [\"static\"],"
                            + " \"healthCheck\": {\"path\": \"/healthz\", \"intervalMillis\": 500, \"timeoutMillis\": 200}")
            .replace("\"rules\": [{\"pathPrefix\": \"/api/\", \"pool\": \"api\"}]",
                    "\"rules\": [{\"pathPrefix\": \"/api/\", \"pool\": \"api\"},"
                            + " {\"name\": \"beta\", \"headers\": [{\"name\": \"X-Beta\"}, {\"name\": \"Accept\", \"regex\": \"json\"}],"
                            + "  \"cookies\": [{\"name\": \"beta\", \"equals\": \"1\"}, {\"name\": \"sid\"}], \"pool\": \"api\"}]");

    @Test
    void membersHeaderAndCookieRulesLabelsAndHealthChecksLoad() throws Exception {
        ServiceConfig s = ConfigLoader.parse(RICH, Path.of("/cfg")).services().get(0);
        PoolConfig p = s.pools().get(0);
        assertEquals(MemberConfig.of(Ipv4Address.parse("10.0.0.11")), p.members().get(0), "a bare address is a plain member");
        MemberConfig m = p.members().get(1);
        assertEquals(3, m.weight());
        assertEquals(MemberState.DRAINING, m.state());
        assertEquals(50, m.maxConnections());
        assertEquals("h2", m.tags().get("jvmRoute"));
        assertEquals(java.util.List.of("static"), p.labels());
        assertEquals("/healthz", p.healthCheck().path());
        assertEquals(2, p.healthCheck().rise(), "HAProxy's default");
        assertEquals(2, p.healthCheck().expectStatusClass());
        RuleConfig beta = s.rules().get(1);
        assertEquals(2, beta.headers().size());
        assertEquals("json", beta.headers().get(1).regex());
        assertEquals("1", beta.cookies().get(0).equalsValue());
        assertEquals(2, s.contentRules().size());
    }

    @Test
    void whatTheWriterWritesLoadsBackTheSame() throws Exception {
        BatonConfig c = ConfigLoader.parse(RICH, Path.of("/cfg"));
        com.google.gson.JsonArray written = ConfigWriter.services(c.services());
        assertEquals(c.services(), ConfigLoader.parseServices(written));
        assertEquals(written, ConfigWriter.services(ConfigLoader.parseServices(written)));
    }

    @Test
    void badMembersRulesAndChecksAreRefusedByPath() {
        assertTrue(error(RICH.replace("\"weight\": 3", "\"weight\": 0")).startsWith("services[0].pools[0].servers[1].weight: must be a whole number"));
        assertTrue(error(RICH.replace("\"draining\"", "\"asleep\"")).startsWith("services[0].pools[0].servers[1].state: must be"));
        assertTrue(error(RICH.replace("\"regex\": \"json\"", "\"regex\": \"([\"")).startsWith("services[0].rules[1].headers[1].regex: not a valid regular expression"));
        assertTrue(error(RICH.replace("{\"name\": \"X-Beta\"}", "{\"name\": \"X-Beta\", \"equals\": \"a\", \"regex\": \"b\"}"))
                .startsWith("services[0].rules[1].headers[0]: give \"equals\" or \"regex\", not both"));
        assertTrue(error(RICH.replace("\"timeoutMillis\": 200", "\"timeoutMillis\": 900")).startsWith("services[0].pools[0].healthCheck.timeoutMillis: must not exceed"));
        assertTrue(error(RICH.replace("\"/healthz\"", "\"healthz\"")).startsWith("services[0].pools[0].healthCheck.path:"));
        assertTrue(error(RICH.replace("{\"name\": \"sid\"}", "{\"name\": \"sid\", \"present\": true}")).startsWith("services[0].rules[1].cookies[1].present: unknown field"));
    }
}
