package io.baton.controller.rest;

import io.baton.controller.admin.AdminException;
import io.baton.controller.engine.BatonEngine;

import javax.ws.rs.DefaultValue;
import javax.ws.rs.GET;
import javax.ws.rs.Path;
import javax.ws.rs.Produces;
import javax.ws.rs.QueryParam;
import javax.ws.rs.core.MediaType;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Read-only views: counters, servers with their health, tracked connections. */
@Path("api/v1")
@Produces(MediaType.APPLICATION_JSON)
public final class StatusResource {
    static final int MAX_CONNECTIONS_LISTED = 10_000;

    private final BatonEngine engine;
    private final RestCounters counters;

    public StatusResource(BatonEngine engine, RestCounters counters) {
        this.engine = engine;
        this.counters = counters;
    }

    @GET
    @Path("stats")
    public Map<String, Object> stats() throws AdminException {
        Map<String, Object> m = new LinkedHashMap<>(Queries.await(engine.stats()));
        m.put("rest", counters.snapshot());
        return m;
    }

    @GET
    @Path("servers")
    public List<Map<String, Object>> servers() throws AdminException {
        return Queries.await(engine.servers());
    }

    @GET
    @Path("connections")
    public List<Map<String, Object>> connections(@QueryParam("limit") @DefaultValue("100") int limit) throws AdminException {
        if (limit < 1 || limit > MAX_CONNECTIONS_LISTED) {
            throw new AdminException(AdminException.Kind.BAD_REQUEST, "limit", "must be 1.." + MAX_CONNECTIONS_LISTED);
        }
        return Queries.await(engine.connectionReport(limit));
    }
}
