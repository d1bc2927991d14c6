package io.baton.dispatcher.testing;

import io.baton.dispatcher.pool.PoolView;
import io.baton.dispatcher.pool.ServerState;
import io.baton.dispatcher.pool.ServerView;
import io.baton.dispatcher.request.HttpRequestHead;
import io.baton.dispatcher.request.RequestInfo;
import io.baton.dispatcher.request.TlsClientHello;
import java.util.Arrays;

/** Builders for test pools and requests. */
public final class Fixtures {
    public static final int CLIENT = 0x0A000001; // 10.0.0.1

    private Fixtures() {
    }

    public static ServerView server(String name) {
        return ServerView.builder(name).build();
    }

    public static ServerView server(String name, int weight) {
        return ServerView.builder(name).weight(weight).build();
    }

    public static ServerView server(String name, ServerState state) {
        return ServerView.builder(name).state(state).build();
    }

    public static ServerView server(String name, int weight, ServerState state) {
        return ServerView.builder(name).weight(weight).state(state).build();
    }

    public static ServerView loaded(String name, int conns) {
        return ServerView.builder(name).activeConnections(conns).build();
    }

    public static PoolView pool(ServerView... servers) {
        return PoolView.of("web", Arrays.asList(servers), 1_000_000L);
    }

    public static RequestInfo get(String target) {
        return get(target, "www.example.com");
    }

    public static RequestInfo get(String target, String host) {
        return RequestInfo.http(CLIENT, 40000, HttpRequestHead.builder().target(target).host(host).build());
    }

    public static RequestInfo fromClient(int ip) {
        return RequestInfo.http(ip, 40000, HttpRequestHead.builder().target("/").host("h").build());
    }

    public static RequestInfo withCookie(String cookieHeader) {
        return RequestInfo.http(CLIENT, 40000,
                HttpRequestHead.builder().target("/").host("h").header("Cookie", cookieHeader).build());
    }

    public static RequestInfo tls(String sni) {
        TlsClientHello.Builder b = TlsClientHello.builder();
        if (sni != null) {
            b.serverName(sni);
        }
        return RequestInfo.tls(CLIENT, 40000, b.build());
    }
}
