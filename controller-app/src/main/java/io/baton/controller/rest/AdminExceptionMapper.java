package io.baton.controller.rest;

import io.baton.controller.admin.AdminException;

import javax.ws.rs.core.Response;
import javax.ws.rs.ext.ExceptionMapper;
import javax.ws.rs.ext.Provider;

/** An operator error becomes its status and the JSON error body, and is counted. */
@Provider
public final class AdminExceptionMapper implements ExceptionMapper<AdminException> {
    private final RestCounters counters;

    public AdminExceptionMapper(RestCounters counters) {
        this.counters = counters;
    }

    @Override
    public Response toResponse(AdminException e) {
        counters.refused(e.kind());
        return ErrorResponses.of(e);
    }
}
