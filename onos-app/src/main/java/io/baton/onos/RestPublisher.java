package io.baton.onos;

import org.glassfish.jersey.server.ResourceConfig;

/** Where the REST API is served while Baton runs: ONOS's web container, or a test's fake. */
public interface RestPublisher {
    /**
     * Serves {@code application} until the returned handle is closed.
     *
     * @throws IllegalStateException if the web container refuses it
     */
    Registration publish(ResourceConfig application);

    /** A served application; closing it stops serving it. */
    interface Registration extends AutoCloseable {
        @Override
        void close();
    }
}
