package io.baton.controller.rest;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.baton.controller.admin.AdminException;
import io.baton.controller.admin.ClusterAdmin;
import io.baton.controller.config.ConfigWriter;
import io.baton.controller.config.MemberConfig;
import io.baton.controller.config.PoolConfig;
import io.baton.controller.config.ServiceConfig;

import javax.ws.rs.Consumes;
import javax.ws.rs.DELETE;
import javax.ws.rs.GET;
import javax.ws.rs.PATCH;
import javax.ws.rs.POST;
import javax.ws.rs.PUT;
import javax.ws.rs.Path;
import javax.ws.rs.PathParam;
import javax.ws.rs.Produces;
import javax.ws.rs.QueryParam;
import javax.ws.rs.core.MediaType;
import javax.ws.rs.core.Response;
import javax.ws.rs.core.UriBuilder;
import java.util.Map;

/**
 * Services (VIPs), their pools, pool members, health monitors and content rules. Changes go
 * through {@link ClusterAdmin}: checked, saved and applied at once, or refused whole.
 */
@Path("api/v1/services")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public final class ServicesResource {
    private final ClusterAdmin admin;
    private final RestCounters counters;

    public ServicesResource(ClusterAdmin admin, RestCounters counters) {
        this.admin = admin;
        this.counters = counters;
    }

    @GET
    public JsonArray services() {
        return ConfigWriter.services(admin.services());
    }

    @POST
    public Response createService(JsonElement body) throws AdminException {
        ServiceConfig s = admin.createService(body);
        return created(ConfigWriter.service(s), "api/v1/services/" + s.name());
    }

    @GET
    @Path("{service}")
    public JsonObject service(@PathParam("service") String service) throws AdminException {
        return ConfigWriter.service(admin.service(service));
    }

    @PUT
    @Path("{service}")
    public JsonObject replaceService(@PathParam("service") String service, JsonElement body) throws AdminException {
        return changed(ConfigWriter.service(admin.replaceService(service, body)));
    }

    @DELETE
    @Path("{service}")
    public Response deleteService(@PathParam("service") String service) throws AdminException {
        admin.deleteService(service);
        return deleted();
    }

    // ---- pools

    @GET
    @Path("{service}/pools")
    public JsonArray pools(@PathParam("service") String service) throws AdminException {
        JsonArray a = new JsonArray();
        admin.service(service).pools().forEach(p -> a.add(ConfigWriter.pool(p)));
        return a;
    }

    @POST
    @Path("{service}/pools")
    public Response createPool(@PathParam("service") String service, JsonElement body) throws AdminException {
        PoolConfig p = admin.createPool(service, body);
        return created(ConfigWriter.pool(p), "api/v1/services/" + service + "/pools/" + p.name());
    }

    @GET
    @Path("{service}/pools/{pool}")
    public JsonObject pool(@PathParam("service") String service, @PathParam("pool") String pool) throws AdminException {
        return ConfigWriter.pool(admin.pool(service, pool));
    }

    @PUT
    @Path("{service}/pools/{pool}")
    public JsonObject replacePool(@PathParam("service") String service, @PathParam("pool") String pool, JsonElement body)
            throws AdminException {
        return changed(ConfigWriter.pool(admin.replacePool(service, pool, body)));
    }

    @DELETE
    @Path("{service}/pools/{pool}")
    public Response deletePool(@PathParam("service") String service, @PathParam("pool") String pool) throws AdminException {
        admin.deletePool(service, pool);
        return deleted();
    }

    @GET
    @Path("{service}/pools/{pool}/health-monitor")
    public JsonObject healthMonitor(@PathParam("service") String service, @PathParam("pool") String pool) throws AdminException {
        PoolConfig p = admin.pool(service, pool);
        if (p.healthCheck() == null) {
            throw new AdminException(AdminException.Kind.NOT_FOUND, null, "pool '" + pool + "' has no health monitor");
        }
        return ConfigWriter.healthCheck(p.healthCheck());
    }

    @PUT
    @Path("{service}/pools/{pool}/health-monitor")
    public JsonObject setHealthMonitor(@PathParam("service") String service, @PathParam("pool") String pool,
                                       JsonElement body) throws AdminException {
        return changed(ConfigWriter.healthCheck(admin.setHealthCheck(service, pool, body)));
    }

    @DELETE
    @Path("{service}/pools/{pool}/health-monitor")
    public Response deleteHealthMonitor(@PathParam("service") String service, @PathParam("pool") String pool)
            throws AdminException {
        admin.deleteHealthCheck(service, pool);
        return deleted();
    }

    // ---- members

    @GET
    @Path("{service}/pools/{pool}/members")
    public JsonArray members(@PathParam("service") String service, @PathParam("pool") String pool) throws AdminException {
        JsonArray a = new JsonArray();
        for (MemberConfig m : admin.pool(service, pool).members()) {
            a.add(withStatus(service, pool, m));
        }
        return a;
    }

    @POST
    @Path("{service}/pools/{pool}/members")
    public Response addMember(@PathParam("service") String service, @PathParam("pool") String pool, JsonElement body)
            throws AdminException {
        MemberConfig m = admin.addMember(service, pool, body);
        return created(withStatus(service, pool, m), "api/v1/services/" + service + "/pools/" + pool + "/members/" + m.address());
    }

    @GET
    @Path("{service}/pools/{pool}/members/{address}")
    public JsonObject member(@PathParam("service") String service, @PathParam("pool") String pool,
                             @PathParam("address") String address) throws AdminException {
        return withStatus(service, pool, admin.member(service, pool, address));
    }

    @PATCH
    @Path("{service}/pools/{pool}/members/{address}")
    public JsonObject patchMember(@PathParam("service") String service, @PathParam("pool") String pool,
                                  @PathParam("address") String address, JsonElement body) throws AdminException {
        return changed(withStatus(service, pool, admin.patchMember(service, pool, address, body)));
    }

    @DELETE
    @Path("{service}/pools/{pool}/members/{address}")
    public Response removeMember(@PathParam("service") String service, @PathParam("pool") String pool,
                                 @PathParam("address") String address) throws AdminException {
        admin.removeMember(service, pool, address);
        return deleted();
    }

    // ---- rules

    @GET
    @Path("{service}/rules")
    public JsonArray rules(@PathParam("service") String service) throws AdminException {
        return ConfigWriter.rules(admin.service(service).rules());
    }

    @PUT
    @Path("{service}/rules")
    public JsonArray replaceRules(@PathParam("service") String service, JsonElement body) throws AdminException {
        return changed(ConfigWriter.rules(admin.replaceRules(service, body)));
    }

    @POST
    @Path("{service}/rules")
    public Response addRule(@PathParam("service") String service, @QueryParam("position") Integer position,
                            JsonElement body) throws AdminException {
        JsonObject r = ConfigWriter.rule(admin.addRule(service, body, position));
        return created(r, "api/v1/services/" + service + "/rules");
    }

    @DELETE
    @Path("{service}/rules/{index}")
    public Response deleteRule(@PathParam("service") String service, @PathParam("index") int index) throws AdminException {
        admin.deleteRule(service, index);
        return deleted();
    }

    // ----

    /** A member's config with its live state (health, connections) from the engine. */
    private JsonObject withStatus(String service, String pool, MemberConfig m) throws AdminException {
        JsonObject o = ConfigWriter.member(m);
        Map<String, Object> live = Queries.await(admin.engine().memberStatus(service, pool, m.address()));
        JsonObject status = new JsonObject();
        if (live != null) {
            live.forEach((k, v) -> status.add(k, JsonBodyTree.of(v)));
        }
        o.add("status", status);
        return o;
    }

    private <T> T changed(T body) {
        counters.changes.increment();
        return body;
    }

    /**
     * 201 with the new item's Location. The path is relative, so JAX-RS resolves it against the
     * application's base URI: right under a web container's context path too (/baton in OpenDaylight,
     * /onos/baton in ONOS), where an absolute path would drop that prefix.
     */
    private Response created(JsonElement body, String location) {
        counters.changes.increment();
        return Response.created(UriBuilder.fromPath(location).build()).entity(body).build();
    }

    private Response deleted() {
        counters.changes.increment();
        return Response.noContent().build();
    }
}
