package io.baton.controller.rest;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.ws.rs.WebApplicationException;
import javax.ws.rs.core.Response;
import javax.ws.rs.ext.ExceptionMapper;
import javax.ws.rs.ext.Provider;

/**
 * JAX-RS's own errors (404 for an unknown path, 405, 415) keep their status with the JSON error
 * body; anything else is a bug: logged, answered 500, and the server goes on.
 */
@Provider
public final class UnexpectedExceptionMapper implements ExceptionMapper<Throwable> {
    private static final Logger log = LoggerFactory.getLogger(UnexpectedExceptionMapper.class);
    private final RestCounters counters;

    public UnexpectedExceptionMapper(RestCounters counters) {
        this.counters = counters;
    }

    @Override
    public Response toResponse(Throwable e) {
        if (e instanceof WebApplicationException) {
            Response r = ((WebApplicationException) e).getResponse();
            if (r.hasEntity()) {
                counters.badRequests.increment();
                return r;
            }
            counters.badRequests.increment();
            return ErrorResponses.of(r.getStatusInfo(), null, e.getMessage());
        }
        counters.internalErrors.increment();
        log.error("REST request failed", e);
        return ErrorResponses.of(Response.Status.INTERNAL_SERVER_ERROR, null, String.valueOf(e.getMessage()));
    }
}
