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
        assertEquals(Path.of("/etc/baton/secret"), c.secretFile());
        ServiceConfig s = c.services().get(0);
        assertEquals(Ipv4Address.parse("10.0.0.100"), s.vip());
        assertEquals(ServiceMode.NAT, s.mode());
        assertEquals(2, s.pools().size());
        assertEquals(1, s.rules().size());
        assertEquals("02:00:0a:00:00:64", s.virtualMac().toString());
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
}
