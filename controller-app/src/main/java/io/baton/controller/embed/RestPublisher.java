package io.baton.controller.embed;

import javax.ws.rs.core.Application;

/**
 * Where a host serves Baton's REST API instead of Baton's own HTTP server on {@code rest.listen}:
 * a platform's web container (OpenDaylight's web server, for instance). The host gets the JAX-RS 2
 * application, the same resources, JSON body handling, error mappers and bearer-token filter as
 * Baton's own server has, and serves it until the registration is closed.
 */
public interface RestPublisher {
    /**
     * Serves {@code application} until the returned registration is closed.
     *
     * @throws IllegalStateException if the web container refuses it
     */
    Registration publish(Application application);

    /** A served application; closing it stops serving it. */
    interface Registration extends AutoCloseable {
        @Override
        void close();
    }
}
