package io.baton.controller.rest;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import io.baton.controller.engine.BatonEngine;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The REST API's request handler: bearer-token check, routing, JSON answers. Engine state is
 * read by asking the engine (never touched from here), with a timeout so a stuck engine gives
 * a 503 rather than a hung client.
 */
final class RestHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Gson GSON = new GsonBuilder().serializeNulls().setPrettyPrinting().create();
    private static final long ENGINE_TIMEOUT_MILLIS = 2000;

    private final BatonEngine engine;
    private final byte[] token;
    private final LongAdder unauthorized;
    private final LongAdder badRequests;

    RestHandler(BatonEngine engine, byte[] token, LongAdder unauthorized, LongAdder badRequests) {
        this.engine = engine;
        this.token = token;
        this.unauthorized = unauthorized;
        this.badRequests = badRequests;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
        if (!req.decoderResult().isSuccess()) {
            badRequests.increment();
            send(ctx, req, HttpResponseStatus.BAD_REQUEST, error("malformed HTTP request"));
            return;
        }
        String path = new QueryStringDecoder(req.uri()).path();
        if (!authorized(req)) {
            unauthorized.increment();
            send(ctx, req, HttpResponseStatus.UNAUTHORIZED, error("missing or wrong bearer token"));
            return;
        }
        CompletableFuture<?> answer;
        switch (path) {
            case "/api/v1/stats":
                answer = engine.stats();
                break;
            case "/api/v1/servers":
                answer = engine.servers();
                break;
            default:
                send(ctx, req, HttpResponseStatus.NOT_FOUND, error("no such resource: " + path));
                return;
        }
        if (!HttpMethod.GET.equals(req.method())) {
            badRequests.increment();
            send(ctx, req, HttpResponseStatus.METHOD_NOT_ALLOWED, error(req.method() + " is not supported on " + path));
            return;
        }
        boolean keepAlive = HttpUtil.isKeepAlive(req);
        answer.orTimeout(ENGINE_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS).whenComplete((body, err) ->
                ctx.executor().execute(() -> {
                    if (err != null) {
                        respond(ctx, keepAlive, HttpResponseStatus.SERVICE_UNAVAILABLE, error("engine did not answer: " + err));
                    } else {
                        respond(ctx, keepAlive, HttpResponseStatus.OK, body);
                    }
                }));
    }

    private boolean authorized(FullHttpRequest req) {
        String h = req.headers().get(HttpHeaderNames.AUTHORIZATION);
        if (h == null || !h.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        byte[] presented = h.substring(7).trim().getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(token, presented); // constant time
    }

    private static Map<String, Object> error(String message) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("error", message);
        return m;
    }

    private static void send(ChannelHandlerContext ctx, FullHttpRequest req, HttpResponseStatus status, Object body) {
        respond(ctx, HttpUtil.isKeepAlive(req), status, body);
    }

    private static void respond(ChannelHandlerContext ctx, boolean keepAlive, HttpResponseStatus status, Object body) {
        byte[] json = (GSON.toJson(body) + "\n").getBytes(StandardCharsets.UTF_8);
        FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(json));
        res.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json; charset=utf-8");
        res.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, json.length);
        if (status == HttpResponseStatus.UNAUTHORIZED) {
            res.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"baton\"");
        }
        if (keepAlive) {
            res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            ctx.writeAndFlush(res);
        } else {
            ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
