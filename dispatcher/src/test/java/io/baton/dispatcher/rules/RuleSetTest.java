package io.baton.dispatcher.rules;

import static io.baton.dispatcher.testing.Fixtures.get;
import static io.baton.dispatcher.testing.Fixtures.tls;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.dispatcher.request.HttpRequestHead;
import io.baton.dispatcher.request.RequestInfo;
import io.baton.dispatcher.testing.Fixtures;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RuleSetTest {
    private static ContentRule.Builder rule(String pool) {
        return ContentRule.builder().pool(pool);
    }

    private static RequestInfo req(HttpRequestHead.Builder b) {
        return RequestInfo.http(Fixtures.CLIENT, 1234, b.build());
    }

    @Test
    void firstMatchInDeclarationOrderWinsAcrossIndexes() {
        RuleSet rs = RuleSet.compile(List.of(
                rule("api").pathPrefix("/api/").build(),
                rule("images-host").host("img.example.com").build(),
                rule("static").pathPrefix("/").host("*.example.com").build(),
                rule("api-v2").pathPrefix("/api/v2/").build()), "default");
        assertEquals("api", rs.poolFor(get("/api/v2/x", "img.example.com")), "rule 0 precedes the host rule");
        assertEquals("images-host", rs.poolFor(get("/pic.png", "img.example.com")));
        assertEquals("static", rs.poolFor(get("/x", "www.example.com")));
        assertEquals("default", rs.poolFor(get("/x", "example.com")), "*.example.com needs a subdomain");
        assertEquals("api", rs.poolFor(get("/api/v2/y", "other.org")), "api-v2 is shadowed by api");
        assertEquals("default", rs.poolFor(get("/apix", "other.org")));
        assertEquals("api", rs.match(get("/api/", "other.org")).get().pool());
        assertFalse(rs.match(get("/nothing", "other.org")).isPresent());
    }

    @Test
    void hostsCompareCaseInsensitivelyWithoutPort() {
        RuleSet rs = RuleSet.compile(List.of(rule("a").host("WWW.Example.COM").build(),
                rule("b").host("*.Shop.Example").build()), "d");
        assertEquals("a", rs.poolFor(get("/", "www.EXAMPLE.com:8443")));
        assertEquals("b", rs.poolFor(get("/", "x.y.SHOP.example")));
        assertEquals("d", rs.poolFor(get("/", "shop.example")));
        assertEquals("d", rs.poolFor(get("/", "xshop.example")), "the suffix must start at a label");
    }

    @Test
    void prefixesMatchTheNormalisedPath() {
        RuleSet rs = RuleSet.compile(List.of(rule("admin").pathPrefix("/admin").build(),
                rule("static").pathPrefix("/static/").build()), "d");
        assertEquals("admin", rs.poolFor(get("/static/../admin/x")));
        assertEquals("admin", rs.poolFor(get("/%2e%2e/admin")));
        assertEquals("admin", rs.poolFor(get("//admin")));
        assertEquals("admin", rs.poolFor(get("/administrator")), "pathPrefix is a string prefix");
        assertEquals("static", rs.poolFor(get("/static/%61.css")));
    }

    @Test
    void everyConditionKind() {
        RuleSet rs = RuleSet.compile(List.of(
                rule("post").method("POST").pathRegex("^/cart/[0-9]+$").build(),
                rule("json").headerEquals("Accept", "application/json").build(),
                rule("mobile").headerRegex("User-Agent", "(?i)iphone|android").build(),
                rule("traced").headerPresent("x-trace").build(),
                rule("beta").cookieEquals("channel", "beta").build(),
                rule("session").cookiePresent("SID").build(),
                rule("tls-api").sni("api.example.com").build(),
                rule("tls-wild").sni("*.example.net").build()), "d");
        assertEquals("post", rs.poolFor(req(HttpRequestHead.builder().method("POST").target("/cart/12").host("h"))));
        assertEquals("d", rs.poolFor(req(HttpRequestHead.builder().method("GET").target("/cart/12").host("h"))));
        assertEquals("d", rs.poolFor(req(HttpRequestHead.builder().method("POST").target("/cart/12/x").host("h"))));
        assertEquals("json", rs.poolFor(req(HttpRequestHead.builder().host("h").header("accept", "application/json"))));
        assertEquals("d", rs.poolFor(req(HttpRequestHead.builder().host("h").header("accept", "application/JSON"))));
        assertEquals("mobile", rs.poolFor(req(HttpRequestHead.builder().host("h").header("User-Agent", "Mozilla (iPhone)"))));
        assertEquals("traced", rs.poolFor(req(HttpRequestHead.builder().host("h").header("X-Trace", ""))));
        assertEquals("beta", rs.poolFor(req(HttpRequestHead.builder().host("h").header("Cookie", "a=1; channel=beta"))));
        assertEquals("session", rs.poolFor(req(HttpRequestHead.builder().host("h").header("Cookie", "channel=stable; SID=9"))));
        assertEquals("d", rs.poolFor(req(HttpRequestHead.builder().host("h").header("Cookie", "sid=9"))));
        assertEquals("tls-api", rs.poolFor(tls("API.example.com")));
        assertEquals("tls-wild", rs.poolFor(tls("a.example.net")));
        assertEquals("d", rs.poolFor(tls(null)));
        assertEquals("d", rs.poolFor(get("/", "api.example.com")), "an sni rule never matches HTTP");
    }

    @Test
    void httpRulesNeverMatchTlsAndEmptyRulesMatchBoth() {
        RuleSet rs = RuleSet.compile(List.of(rule("path").pathPrefix("/").build(), rule("any").build()), "d");
        assertEquals("path", rs.poolFor(get("/x")));
        assertEquals("any", rs.poolFor(tls("a.b")));
    }

    @Test
    void badRulesAreRejectedWhenBuilt() {
        assertThrows(IllegalArgumentException.class, () -> ContentRule.builder().pathPrefix("/").build(), "no pool");
        assertThrows(IllegalArgumentException.class, () -> rule("p").pathRegex("(").build());
        assertThrows(IllegalArgumentException.class, () -> rule("p").host("a.*.com"));
        assertThrows(IllegalArgumentException.class, () -> rule("p").host("*."));
        assertThrows(IllegalArgumentException.class, () -> rule("p").sni("a").pathPrefix("/").build());
        assertThrows(IllegalArgumentException.class, () -> RuleSet.compile(List.of(), ""));
    }

    @Test
    void manyRulesStillResolveCorrectly() {
        List<ContentRule> rules = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            rules.add(i % 2 == 0 ? rule("p" + i).pathPrefix("/r" + i + "/").build()
                    : rule("p" + i).host("h" + i + ".example.com").build());
        }
        RuleSet rs = RuleSet.compile(rules, "d");
        assertEquals("p500", rs.poolFor(get("/r500/x", "h999.example.com")), "p500 precedes p999");
        assertEquals("p1", rs.poolFor(get("/r502/x", "h1.example.com")));
        assertEquals("p999", rs.poolFor(get("/nope", "h999.example.com")));
        assertEquals("d", rs.poolFor(get("/r5/x", "h2.example.com")));
        assertTrue(rs.toString().contains("1000"));
    }
}
