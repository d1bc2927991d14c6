package io.baton.dispatcher.rules;

import io.baton.dispatcher.request.HttpRequestHead;
import io.baton.dispatcher.request.RequestInfo;
import io.baton.dispatcher.request.TlsClientHello;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import org.junit.jupiter.api.Assertions;

/** The compiled, indexed matcher must pick exactly the rule a linear first-match scan picks. */
class RuleSetPropertyTest {
    private static final String[] PREFIXES = {"", "/", "/a", "/a/", "/a/b", "/b", "/static/", "/api"};
    private static final String[] HOSTS = {"a.com", "x.a.com", "*.a.com", "*.x.a.com", "b.org", "*.org"};
    private static final String[] PATHS = {"/", "/a", "/a/b/c", "/b", "/static/x.css", "/api/v1", "/c", "/ab"};
    /** Anchored ones with a literal prefix are indexed in the trie; the rest are always checked. */
    private static final String[] REGEXES = {"b", "^/a/", "^/a", "^/st", "^/a|/b", "^/ab*", "^/a/b$",
        "(?i)^/A", "^/static/.*\\.css$", "^/api/v[0-9]", "^(/a)", "^/a/?b", "c$"};
    private static final String[] REQ_HOSTS = {"a.com", "x.a.com", "y.x.a.com", "b.org", "c.org", "z.net"};

    @Property(tries = 1000)
    void indexedMatchEqualsLinearScan(@ForAll("rules") List<ContentRule> rules, @ForAll("requests") List<RequestInfo> reqs) {
        RuleSet rs = RuleSet.compile(rules, "default");
        for (RequestInfo r : reqs) {
            String expected = "default";
            for (ContentRule rule : rules) {
                if (rule.matches(r)) {
                    expected = rule.pool();
                    break;
                }
            }
            Assertions.assertEquals(expected, rs.poolFor(r), () -> r + " against " + rules);
            Statistics.label("rule matched").collect(!expected.equals("default"));
        }
        // the generators must exercise both outcomes, or this property proves little
        Statistics.label("rule matched").coverage(c -> {
            c.check(true).percentage(p -> p > 30.0);
            c.check(false).percentage(p -> p > 5.0);
        });
    }

    @Provide
    Arbitrary<List<ContentRule>> rules() {
        Arbitrary<Integer> pick = Arbitraries.integers().between(0, 99);
        Arbitrary<ContentRule.Builder> one = Combinators.combine(pick, pick, pick, pick, pick).as((a, b, c, d, e) -> {
            ContentRule.Builder r = ContentRule.builder();
            if (e % 9 == 0) {
                return r.sni(HOSTS[a % HOSTS.length]);
            }
            if (a % 3 != 0) {
                r.pathPrefix(PREFIXES[a % PREFIXES.length]);
            }
            if (b % 2 == 0) {
                r.host(HOSTS[b % HOSTS.length]);
            }
            if (c % 5 == 0) {
                r.method(c % 2 == 0 ? "GET" : "POST");
            }
            if (d % 7 == 0) {
                r.cookieEquals("k", d % 2 == 0 ? "1" : "2");
            }
            if (d % 11 == 1 || d % 11 == 2) {
                r.pathRegex(REGEXES[(a + d) % REGEXES.length]);
            }
            if (e % 4 == 1) {
                r.headerEquals("X-T", e % 8 == 1 ? "1" : "2");
            }
            return r;
        });
        return one.list().ofMaxSize(25).map(bs -> {
            List<ContentRule> out = new ArrayList<>();
            for (int i = 0; i < bs.size(); i++) {
                out.add(bs.get(i).pool("p" + i).build());
            }
            return out;
        });
    }

    @Provide
    Arbitrary<List<RequestInfo>> requests() {
        Arbitrary<Integer> pick = Arbitraries.integers().between(0, 99);
        return Combinators.combine(pick, pick, pick).as((a, b, c) -> {
            if (c % 8 == 0) {
                TlsClientHello.Builder h = TlsClientHello.builder();
                if (a % 4 != 0) {
                    h.serverName(REQ_HOSTS[b % REQ_HOSTS.length]);
                }
                return RequestInfo.tls(1, 2, h.build());
            }
            HttpRequestHead.Builder h = HttpRequestHead.builder().method(c % 2 == 0 ? "GET" : "POST")
                    .target(PATHS[a % PATHS.length]);
            if (b % 7 != 0) {
                h.host(REQ_HOSTS[b % REQ_HOSTS.length]);
            } else {
                h.version("HTTP/1.0");
            }
            if (c % 3 == 0) {
                h.header("Cookie", "k=" + (1 + c % 2));
            }
            if (a % 3 == 1) {
                h.header("x-t", String.valueOf(1 + b % 2));
            }
            return RequestInfo.http(1, 2, h.build());
        }).list().ofMinSize(1).ofMaxSize(10);
    }

    @Property(tries = 200)
    void emptyRuleSetAnswersTheDefault(@ForAll("requests") List<RequestInfo> reqs) {
        // a rule set without rules always answers the default
        RuleSet rs = RuleSet.compile(List.of(), "only");
        for (RequestInfo r : reqs) {
            Assertions.assertEquals("only", rs.poolFor(r));
            Assertions.assertEquals(Optional.empty(), rs.match(r));
        }
    }
}
