package io.baton.controller.rest;

import javax.annotation.Priority;
import javax.ws.rs.Priorities;
import javax.ws.rs.container.ContainerRequestContext;
import javax.ws.rs.container.ContainerRequestFilter;
import javax.ws.rs.container.PreMatching;
import javax.ws.rs.core.HttpHeaders;
import javax.ws.rs.core.Response;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * Every request, reads included, needs "Authorization: Bearer TOKEN" with the configured token
 * (compared in constant time). Runs before matching, so an unknown path reveals nothing either.
 * A body larger than {@link JsonBody#MAX_BODY_BYTES} is refused here when its length is declared.
 */
@PreMatching
@Priority(Priorities.AUTHENTICATION)
public final class BearerTokenFilter implements ContainerRequestFilter {
    private final byte[] token;
    private final RestCounters counters;

    public BearerTokenFilter(byte[] token, RestCounters counters) {
        this.token = token.clone();
        this.counters = counters;
    }

    @Override
    public void filter(ContainerRequestContext request) {
        String auth = request.getHeaderString(HttpHeaders.AUTHORIZATION);
        byte[] given = auth != null && auth.startsWith("Bearer ")
                ? auth.substring(7).trim().getBytes(StandardCharsets.UTF_8) : new byte[0];
        if (!MessageDigest.isEqual(given, token)) {
            counters.unauthorized.increment();
            request.abortWith(Response.fromResponse(ErrorResponses.of(Response.Status.UNAUTHORIZED, "Authorization",
                    auth == null ? "no bearer token" : "wrong token"))
                    .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"baton\"").build());
            return;
        }
        if (request.getLength() > JsonBody.MAX_BODY_BYTES) {
            counters.badRequests.increment();
            // The body is not read: the connection must close after the answer.
            request.abortWith(Response.fromResponse(ErrorResponses.of(Response.Status.REQUEST_ENTITY_TOO_LARGE, null,
                    "the body is larger than " + JsonBody.MAX_BODY_BYTES + " bytes")).header("Connection", "close").build());
        }
    }
}
