package io.baton.dispatcher.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.dispatcher.pool.PoolView;
import io.baton.dispatcher.pool.ServerState;
import io.baton.dispatcher.pool.ServerView;
import io.baton.dispatcher.request.HttpRequestHead;
import io.baton.dispatcher.request.RejectReason;
import io.baton.dispatcher.request.RequestInfo;
import io.baton.dispatcher.request.TlsClientHello;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Invariants every policy keeps, on random pools and requests: it never throws; it forwards
 * exactly when some server may take a connection; it forwards only to such a server of this
 * pool; and it rejects with POOL_EMPTY or POOL_SATURATED otherwise.
 */
class AllPoliciesPropertyTest {
    private static final String[] PATHS = {"/", "/a.css", "/api/x", "/v.mp4", "/b", "/c/d"};

    @Property(tries = 400)
    void forwardsExactlyWhenSomeServerIsEligible(@ForAll("policyName") String name,
                                                 @ForAll("pools") List<PoolView> pools,
                                                 @ForAll("requests") List<RequestInfo> requests) {
        Policy p = PolicyFactory.create(name, name.equals("consistent-hash") ? Map.of("tableSize", "1009") : Map.of());
        for (PoolView pool : pools) {
            boolean anyEligible = pool.servers().stream().anyMatch(ServerView::acceptsNewConnections);
            for (RequestInfo r : requests) {
                Decision d = p.choose(r, pool);
                assertEquals(anyEligible, d.isForward(), () -> name + " " + pool + " " + r + " -> " + d);
                if (d.isForward()) {
                    assertTrue(d.server().acceptsNewConnections(), d::toString);
                    assertEquals(d.server(), pool.server(d.server().name()).get());
                } else {
                    assertTrue(d.reason() == RejectReason.POOL_EMPTY || d.reason() == RejectReason.POOL_SATURATED);
                    assertFalse(d.detail().isEmpty());
                }
            }
        }
    }

    @Provide
    Arbitrary<String> policyName() {
        return Arbitraries.of(PolicyFactory.NAMES);
    }

    @Provide
    Arbitrary<List<PoolView>> pools() {
        Arbitrary<ServerView> server = Combinators.combine(
                Arbitraries.integers().between(0, 9), Arbitraries.integers().between(1, 5),
                Arbitraries.of(ServerState.values()), Arbitraries.integers().between(0, 150),
                Arbitraries.integers().between(0, 3), Arbitraries.integers().between(0, 2))
                .as((id, w, st, conns, cap, route) -> {
                    ServerView.Builder b = ServerView.builder("s" + id).weight(w).state(st).activeConnections(conns)
                            .upSinceMillis(999_000L).tag("jvmRoute", "r" + route);
                    if (cap > 0) {
                        b.maxConnections(cap * 40);
                    }
                    return b.build();
                });
        Arbitrary<PoolView> pool = server.list().ofMaxSize(8).uniqueElements(ServerView::name)
                .map(l -> PoolView.of("p", l, 1_000_000L));
        return pool.list().ofMinSize(1).ofMaxSize(4);
    }

    @Provide
    Arbitrary<List<RequestInfo>> requests() {
        Arbitrary<RequestInfo> http = Combinators.combine(Arbitraries.integers(), Arbitraries.of(PATHS),
                Arbitraries.of("", "JSESSIONID=x.r1", "JSESSIONID=y", "JSESSIONID=z.s3", "JSESSIONID=."))
                .as((ip, path, cookie) -> {
                    HttpRequestHead.Builder h = HttpRequestHead.builder().target(path).host("h");
                    if (!cookie.isEmpty()) {
                        h.header("Cookie", cookie);
                    }
                    return RequestInfo.http(ip, 1, h.build());
                });
        Arbitrary<RequestInfo> tls = Arbitraries.integers().map(ip ->
                RequestInfo.tls(ip, 1, TlsClientHello.builder().serverName("t.example").build()));
        return Arbitraries.oneOf(http, http, tls).list().ofMinSize(1).ofMaxSize(6);
    }

    @Property(tries = 50)
    void everyNameIsCreatable(@ForAll("policyName") String name) {
        List<String> errors = new ArrayList<>();
        try {
            PolicyFactory.create(name, null);
        } catch (RuntimeException e) {
            errors.add(e.toString());
        }
        assertEquals(List.of(), errors);
    }
}
