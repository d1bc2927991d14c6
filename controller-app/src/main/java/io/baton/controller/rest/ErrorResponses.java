package io.baton.controller.rest;

import io.baton.controller.admin.AdminException;

import javax.ws.rs.core.MediaType;
import javax.ws.rs.core.Response;
import java.util.LinkedHashMap;
import java.util.Map;

/** Every error the API returns has one JSON shape: {"status", "error", "field", "reason"}. */
final class ErrorResponses {
    private ErrorResponses() {
    }

    static Response of(Response.StatusType status, String field, String reason) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", status.getStatusCode());
        body.put("error", status.getReasonPhrase());
        body.put("field", field);
        body.put("reason", reason);
        return Response.status(status.getStatusCode()).type(MediaType.APPLICATION_JSON_TYPE).entity(body).build();
    }

    static Response of(AdminException e) {
        return of(Response.Status.fromStatusCode(e.kind().status()), e.field(), e.reason());
    }
}
