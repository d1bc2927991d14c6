package io.baton.dispatcher.policy;

import static io.baton.dispatcher.testing.Fixtures.fromClient;
import static io.baton.dispatcher.testing.Fixtures.get;
import static io.baton.dispatcher.testing.Fixtures.server;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.dispatcher.pool.PoolView;
import io.baton.dispatcher.pool.ServerState;
import io.baton.dispatcher.pool.ServerView;
import io.baton.dispatcher.request.HttpRequestHead;
import io.baton.dispatcher.request.RequestInfo;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class HashingPoliciesTest {
    private static List<ServerView> servers(int n) {
        List<ServerView> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(server("10.0.0." + (10 + i)));
        }
        return out;
    }

    private static PoolView poolOf(List<ServerView> servers) {
        return PoolView.of("web", servers, 0);
    }

    @Test
    void sourceHashIsStickyEvenAndMovesOnlyTheLeaversClients() {
        Policy p = PolicyFactory.create("source-hash", Map.of());
        List<ServerView> four = servers(4);
        PoolView pool = poolOf(four);
        Map<Integer, String> before = new HashMap<>();
        Map<String, Integer> counts = new HashMap<>();
        Random rnd = new Random(1);
        for (int i = 0; i < 20_000; i++) {
            int ip = rnd.nextInt();
            String s = p.choose(fromClient(ip), pool).server().name();
            assertEquals(s, p.choose(fromClient(ip), pool).server().name());
            before.put(ip, s);
            counts.merge(s, 1, Integer::sum);
        }
        for (int c : counts.values()) {
            assertTrue(Math.abs(c - 5_000) < 500, counts.toString());
        }
        List<ServerView> three = new ArrayList<>(four);
        ServerView gone = three.remove(2);
        PoolView smaller = poolOf(three);
        for (Map.Entry<Integer, String> e : before.entrySet()) {
            String now = p.choose(fromClient(e.getKey()), smaller).server().name();
            if (!e.getValue().equals(gone.name())) {
                assertEquals(e.getValue(), now, "rendezvous hashing moves only the departed server's clients");
            }
        }
    }

    @Test
    void maglevIsDeterministicAndIndependentOfPoolOrder() {
        List<ServerView> list = servers(7);
        Policy a = PolicyFactory.create("consistent-hash", Map.of("key", "path"));
        Policy b = PolicyFactory.create("consistent-hash", Map.of("key", "path"));
        List<ServerView> shuffled = new ArrayList<>(list);
        Collections.shuffle(shuffled, new Random(3));
        for (int i = 0; i < 2_000; i++) {
            RequestInfo r = get("/item/" + i);
            assertEquals(a.choose(r, poolOf(list)).server().name(), b.choose(r, poolOf(shuffled)).server().name());
        }
    }

    @Test
    void maglevTableSharesFollowWeights() {
        MaglevTable t = MaglevTable.build(Arrays.asList("a", "b", "c"), new long[] {1, 2, 3}, 65537);
        int[] count = new int[3];
        for (int s = 0; s < t.size(); s++) {
            count[t.backendAt(s)]++;
        }
        assertEquals(65537 / 6.0, count[0], 65537 * 0.005);
        assertEquals(65537 * 2 / 6.0, count[1], 65537 * 0.005);
        assertEquals(65537 * 3 / 6.0, count[2], 65537 * 0.005);
    }

    /**
     * Maglev §3.4 / §5.3: removing one of N backends should move about 1/N of the keys, and
     * few of the keys whose backend stays. Measured here for N = 10, M = 65537.
     */
    @Test
    void maglevDisruptionWhenOneOfNLeavesIsCloseToOneOverN() {
        int n = 10;
        List<String> names = new ArrayList<>();
        long[] w = new long[n];
        for (int i = 0; i < n; i++) {
            names.add(String.format("10.0.0.%02d", i + 10));
            w[i] = 1;
        }
        MaglevTable before = MaglevTable.build(names, w, 65537);
        List<String> fewer = new ArrayList<>(names);
        String gone = fewer.remove(4);
        MaglevTable after = MaglevTable.build(fewer, Arrays.copyOf(w, n - 1), 65537);
        int moved = 0;
        int movedNeedlessly = 0;
        for (int s = 0; s < before.size(); s++) {
            String was = before.name(before.backendAt(s));
            String is = after.name(after.backendAt(s));
            if (!was.equals(is)) {
                moved++;
                if (!was.equals(gone)) {
                    movedNeedlessly++;
                }
            }
        }
        double fraction = moved / (double) before.size();
        double needless = movedNeedlessly / (double) before.size();
        System.out.printf("maglev N=%d M=65537: %.4f of slots moved (ideal %.4f), %.4f from surviving backends%n",
                n, fraction, 1.0 / n, needless);
        assertTrue(fraction >= 1.0 / n - 0.005, "at least the departed backend's share moves: " + fraction);
        assertTrue(fraction < 1.0 / n * 1.25, "close to 1/N: " + fraction);
        assertTrue(needless < 0.025, "surviving backends keep almost all their keys: " + needless);
    }

    @Test
    void consistentHashKeysAndFallbackToSource() {
        PoolView pool = poolOf(servers(5));
        Policy byPath = PolicyFactory.create("consistent-hash", Map.of("key", "path"));
        String s1 = byPath.choose(RequestInfo.http(1, 1, HttpRequestHead.builder().target("/x").host("h").build()), pool).server().name();
        String s2 = byPath.choose(RequestInfo.http(2, 1, HttpRequestHead.builder().target("/a/../x").host("h2").build()), pool).server().name();
        assertEquals(s1, s2, "same normalised path, any client");

        Policy byHeader = PolicyFactory.create("consistent-hash", Map.of("key", "header:X-Tenant"));
        Map<String, Integer> seen = new HashMap<>();
        for (int ip = 0; ip < 200; ip++) {
            RequestInfo r = RequestInfo.http(ip, 1, HttpRequestHead.builder().host("h").header("x-tenant", "acme").build());
            seen.merge(byHeader.choose(r, pool).server().name(), 1, Integer::sum);
        }
        assertEquals(1, seen.size(), "one tenant, one server");
        Map<String, Integer> noHeader = new HashMap<>();
        for (int ip = 0; ip < 200; ip++) {
            RequestInfo r = fromClient(ip * 7919);
            String s = byHeader.choose(r, pool).server().name();
            assertEquals(s, byHeader.choose(r, pool).server().name(), "falls back to the client address, stably");
            noHeader.merge(s, 1, Integer::sum);
        }
        assertEquals(5, noHeader.size());

        Policy byCookie = PolicyFactory.create("consistent-hash", Map.of("key", "cookie:sid"));
        RequestInfo c1 = RequestInfo.http(1, 1, HttpRequestHead.builder().host("h").header("Cookie", "sid=42").build());
        RequestInfo c2 = RequestInfo.http(99, 1, HttpRequestHead.builder().host("h").header("Cookie", "sid=42").build());
        assertEquals(byCookie.choose(c1, pool).server(), byCookie.choose(c2, pool).server());
    }

    @Test
    void fullServerSpillsWithoutChangingOtherKeys() {
        List<ServerView> list = servers(4);
        Policy p = PolicyFactory.create("consistent-hash", Map.of("key", "path", "tableSize", "1009"));
        PoolView pool = poolOf(list);
        String target = p.choose(get("/hot"), pool).server().name();
        List<ServerView> capped = new ArrayList<>();
        for (ServerView s : list) {
            capped.add(s.name().equals(target) ? s.toBuilder().maxConnections(1).activeConnections(1).build() : s);
        }
        PoolView full = poolOf(capped);
        assertNotEquals(target, p.choose(get("/hot"), full).server().name());
        for (int i = 0; i < 300; i++) {
            String before = p.choose(get("/k" + i), pool).server().name();
            if (!before.equals(target)) {
                assertEquals(before, p.choose(get("/k" + i), full).server().name());
            }
        }
    }

    @Test
    void drainingServerLeavesTheTable() {
        List<ServerView> list = servers(3);
        Policy p = PolicyFactory.create("consistent-hash", Map.of("key", "path"));
        List<ServerView> draining = new ArrayList<>(list);
        draining.set(0, list.get(0).toBuilder().state(ServerState.DRAINING).build());
        for (int i = 0; i < 300; i++) {
            assertNotEquals(list.get(0).name(), p.choose(get("/k" + i), poolOf(draining)).server().name());
        }
    }

    @Test
    void factoryValidatesHashParameters() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PolicyFactory.create("consistent-hash", Map.of("tableSize", "65536")));
        assertTrue(e.getMessage().contains("'tableSize'"), e.getMessage());
        IllegalArgumentException k = assertThrows(IllegalArgumentException.class,
                () -> PolicyFactory.create("consistent-hash", Map.of("key", "header:")));
        assertTrue(k.getMessage().contains("'key'"), k.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PolicyFactory.create("consistent-hash", Map.of("tableSize", "x")));
    }
}
