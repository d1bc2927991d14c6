package io.baton.dispatcher.bench;

import io.baton.dispatcher.pool.PoolView;
import io.baton.dispatcher.pool.ServerView;
import io.baton.dispatcher.request.HttpRequestHead;
import io.baton.dispatcher.request.RequestInfo;
import io.baton.dispatcher.rules.ContentRule;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Deterministic inputs shared by the benchmarks. */
final class BenchData {
    static final int REQUESTS = 1024; // a power of two: index with & (REQUESTS - 1)

    private BenchData() {
    }

    /** 16 servers with varied weights, loads and jvmRoute tags. */
    static PoolView pool() {
        Random rnd = new Random(7);
        List<ServerView> servers = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            servers.add(ServerView.builder("10.0.0." + (10 + i)).weight(1 + i % 4).activeConnections(rnd.nextInt(60))
                    .tag("jvmRoute", "node" + i).build());
        }
        return PoolView.of("web", servers, 1_000_000L);
    }

    /** HTTP requests over 2000 paths, 50 hosts, random clients, half with a session cookie. */
    static RequestInfo[] requests() {
        Random rnd = new Random(11);
        String[] ext = {".html", ".css", ".js", ".png", ".php", ".mp4", ""};
        RequestInfo[] out = new RequestInfo[REQUESTS];
        for (int i = 0; i < REQUESTS; i++) {
            String path = "/s" + rnd.nextInt(40) + "/item/" + rnd.nextInt(2000) + ext[rnd.nextInt(ext.length)];
            HttpRequestHead.Builder h = HttpRequestHead.builder().target(path).host("h" + rnd.nextInt(50) + ".example.com")
                    .header("User-Agent", "bench/1.0").header("Accept", "*/*");
            if (rnd.nextBoolean()) {
                h.header("Cookie", "JSESSIONID=" + Long.toHexString(rnd.nextLong()) + ".node" + rnd.nextInt(16));
            }
            out[i] = RequestInfo.http(rnd.nextInt(), 1024 + rnd.nextInt(60000), h.build());
        }
        return out;
    }

    /**
     * n rules: mostly exact hosts and path prefixes, some wildcard hosts, one in twenty a
     * header-equals rule and one in twenty an anchored path regex ("^/s20/item/[0-9]+\\.php$",
     * which RuleSet indexes by its literal prefix), the mix a large site config might have.
     */
    static List<ContentRule> rules(int n) {
        List<ContentRule> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ContentRule.Builder b = ContentRule.builder().pool("pool" + (i % 8));
            switch (i % 20) {
                case 0:
                    b.pathRegex("^/s" + i + "/item/[0-9]+\\.php$");
                    break;
                case 1:
                    b.headerEquals("X-Tenant", "t" + i);
                    break;
                case 2:
                case 3:
                    b.host("*.d" + i + ".example.com");
                    break;
                default:
                    if (i % 2 == 0) {
                        b.host("h" + i + ".example.com");
                    } else {
                        b.pathPrefix("/s" + i + "/");
                    }
            }
            out.add(b.build());
        }
        return out;
    }
}
